import { listStatementFor } from '../../src/devices/timeseries.sql';
import { startTestApp, type TestApp } from '../support/test-app';

type PlanRow = { 'QUERY PLAN': string };
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

interface Listed {
  pointId: string;
  pointType: string;
  timeseriesId: string;
  status: string;
  createdAt: string;
}

describe('reading timeseries', () => {
  let t: TestApp;
  let collection: string;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  beforeEach(() => {
    collection = uniqueCollection();
    writer = token({ scope: 'apollo_write', collections: [collection] });
    reader = token({ scope: 'apollo_read', collections: [collection] });
  });

  const points = (count: number, prefix = 'p', pointType = 'temperature') =>
    Array.from({ length: count }, (_, i) => ({ id: `${prefix}${String(i).padStart(5, '0')}`, pointType }));

  const register = async (deviceId: string, list: Array<{ id: string; pointType: string }>) => {
    for (let i = 0; i < list.length; i += 1000) {
      const response = await t.api.registerTimeseries(deviceId, list.slice(i, i + 1000), { token: writer });
      expect(response.statusCode).toBe(202);
    }
  };

  const list = (deviceId: string, query = '', headers: Record<string, string> = {}, bearer = reader) =>
    t.api.listTimeseries(deviceId, query, { token: bearer, headers });

  /** Follows continuation tokens to the end; returns every page's items. */
  const pageThrough = async (deviceId: string, query: string, between?: (page: number) => Promise<void>) => {
    const pages: Listed[][] = [];
    let continuation: string | null = null;
    do {
      const response = await list(deviceId, query, continuation ? { ContinuationToken: continuation } : {});
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(response.headers.continuationtoken ?? null).toBe(body.data.continuationToken);
      pages.push(body.data.relationships);
      continuation = body.data.continuationToken;
      if (between) await between(pages.length);
    } while (continuation);
    return pages;
  };

  describe('GET /apollo/devices/{deviceId}/timeseries', () => {
    it('pages through 2,500 timeseries at limit=1000 in 3 pages, every id once, in pointId order', async () => {
      const deviceId = uniqueDevice();
      const all = points(2500);
      await register(deviceId, all);

      const pages = await pageThrough(deviceId, '?limit=1000');

      expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
      const ids = pages.flat().map((item) => item.pointId);
      expect(ids).toEqual(all.map((p) => p.id));
      expect(new Set(pages.flat().map((item) => item.timeseriesId)).size).toBe(2500);
    });

    it('returns pages of 100 by default, with the envelope and the documented item shape', async () => {
      const deviceId = uniqueDevice();
      await register(deviceId, points(150));

      const first = await list(deviceId);
      expect(first.statusCode).toBe(200);
      const body = first.json();
      expect(body.status).toEqual({ Message: '', Code: '200' });
      expect(Object.keys(body.data)).toEqual(['deviceId', 'relationships', 'continuationToken']);
      expect(body.data.deviceId).toBe(deviceId);
      expect(body.data.relationships).toHaveLength(100);
      expect(body.data.relationships[0]).toEqual({
        pointId: 'p00000',
        pointType: 'temperature',
        timeseriesId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'active',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect(Object.keys(body.data.relationships[0])).toEqual([
        'pointId',
        'pointType',
        'timeseriesId',
        'status',
        'createdAt',
      ]);
      expect(typeof body.data.continuationToken).toBe('string');

      const second = (await list(deviceId, '', { ContinuationToken: body.data.continuationToken })).json();
      expect(second.data.relationships).toHaveLength(50);
      expect(second.data.continuationToken).toBeNull();
    });

    it('shows createdAt as the stored time in UTC, to the millisecond', async () => {
      const deviceId = uniqueDevice();
      await register(deviceId, points(3));
      const stored = await t.dataSource.query<Array<{ id: string; created_at: Date }>>(
        'SELECT id, created_at FROM timeseries WHERE device_id = $1',
        [deviceId],
      );
      const listed = (await list(deviceId)).json().data.relationships as Listed[];
      expect(listed).toHaveLength(3);
      for (const item of listed) {
        const row = stored.find((r) => r.id === item.timeseriesId)!;
        expect(item.createdAt).toBe(new Date(row.created_at).toISOString());
      }

      // Whatever the session's time zone: the statement formats in UTC, not in local time.
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.query("SET TIME ZONE 'America/New_York'");
        const page = { deviceId, after: null, pointType: null, limit: 10 };
        const { text, values } = listStatementFor(page).query(page);
        const rows = (await runner.query(text, values)) as Array<{
          timeseries_id: string;
          created_at: string;
        }>;
        expect(rows.map((r) => [r.timeseries_id, r.created_at]).sort()).toEqual(
          listed.map((item) => [item.timeseriesId, item.createdAt]).sort(),
        );
      } finally {
        await runner.query('RESET TIME ZONE');
        await runner.release();
      }
    });

    it('never repeats or skips an item that existed at the start while points are being added', async () => {
      const deviceId = uniqueDevice();
      const original = points(300, 'm');
      await register(deviceId, original);
      let added = 0;

      const pages = await pageThrough(deviceId, '?limit=100', async () => {
        // Points before and after the cursor arrive between pages.
        added += 1;
        await register(deviceId, [
          { id: `a${added}`, pointType: 'new' },
          { id: `m${String(added).padStart(5, '0')}x`, pointType: 'new' },
          { id: `z${added}`, pointType: 'new' },
        ]);
      });

      const seen = pages.flat().map((item) => item.pointId);
      expect(new Set(seen).size).toBe(seen.length);
      const originalIds = original.map((p) => p.id);
      expect(seen.filter((id) => originalIds.includes(id))).toEqual(originalIds);
    });

    it('filters by pointType, and pages the filtered list', async () => {
      const deviceId = uniqueDevice();
      await register(deviceId, [...points(5, 't', 'temperature'), ...points(3, 'h', 'humidity')]);

      const pages = await pageThrough(deviceId, '?pointType=humidity&limit=2');
      expect(pages.flat().map((item) => item.pointId)).toEqual(['h00000', 'h00001', 'h00002']);
      expect(pages.flat().every((item) => item.pointType === 'humidity')).toBe(true);
    });

    describe("continuation tokens that are not this list's", () => {
      let deviceId: string;
      let continuation: string;

      beforeEach(async () => {
        deviceId = uniqueDevice();
        await register(deviceId, points(5));
        continuation = (await list(deviceId, '?limit=2')).json().data.continuationToken;
      });

      const expect400 = (response: Awaited<ReturnType<typeof list>>, message: RegExp) => {
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({
          status: { Message: expect.stringMatching(message), Code: '400' },
          data: null,
          errors: [{ path: 'ContinuationToken', message: expect.stringMatching(message) }],
        });
      };

      it('rejects a token whose position was modified', async () => {
        const [payload, signature] = continuation.split('.');
        const position = JSON.parse(Buffer.from(payload!, 'base64url').toString());
        const forged = Buffer.from(JSON.stringify({ ...position, k: 'p00000' })).toString('base64url');
        expect400(await list(deviceId, '?limit=2', { ContinuationToken: `${forged}.${signature}` }), /modified/);
      });

      it('rejects a token whose signature was modified', async () => {
        const flipped = continuation.slice(0, -1) + (continuation.endsWith('A') ? 'B' : 'A');
        expect400(await list(deviceId, '?limit=2', { ContinuationToken: flipped }), /modified/);
      });

      it('rejects a token of another device, even in the same collection', async () => {
        const other = uniqueDevice();
        await register(other, points(5));
        expect400(
          await list(other, '?limit=2', { ContinuationToken: continuation }),
          /another device or pointType filter/,
        );
      });

      it('rejects a token of another pointType filter', async () => {
        expect400(
          await list(deviceId, '?limit=2&pointType=temperature', { ContinuationToken: continuation }),
          /another device or pointType filter/,
        );
      });

      it.each(['garbage', 'a.b.c', '%%%.###', 'x'.repeat(3000)])('rejects the garbage token %#', async (garbage) => {
        expect400(await list(deviceId, '', { ContinuationToken: garbage }), /malformed|modified/);
      });

      it('pages devices and points with the longest multi-byte ids', async () => {
        const longDevice = `${'設'.repeat(246)}${uniqueDevice().slice(-10)}`;
        await register(
          longDevice,
          [0, 1, 2].map((i) => ({ id: `${'点'.repeat(255)}${i}`, pointType: '型'.repeat(64) })),
        );
        const pages = await pageThrough(longDevice, `?limit=1&pointType=${encodeURIComponent('型'.repeat(64))}`);
        expect(pages.flat()).toHaveLength(3);
      });

      it('accepts the same token with another limit', async () => {
        const response = await list(deviceId, '?limit=3', { ContinuationToken: continuation });
        expect(response.statusCode).toBe(200);
        expect(response.json().data.relationships.map((r: Listed) => r.pointId)).toEqual([
          'p00002',
          'p00003',
          'p00004',
        ]);
      });
    });

    it.each([
      ['?limit=1001', 'limit must not be greater than 1000'],
      ['?limit=0', 'limit must not be less than 1'],
      ['?limit=ten', 'limit must be an integer number'],
      ['?limit=2.5', 'limit must be an integer number'],
      ['?colour=red', 'colour is not a known field'],
      [`?pointType=${'x'.repeat(65)}`, 'pointType must be at most 64 characters'],
    ])('rejects the query %s with 400', async (query, message) => {
      const deviceId = uniqueDevice();
      await register(deviceId, points(1));
      const response = await list(deviceId, query);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([{ path: expect.any(String), message }]);
    });

    it('keeps a page cheap however deep it is, even under a generic plan: the index scan starts at the cursor', async () => {
      const deviceId = uniqueDevice();
      await register(deviceId, [...points(1000, 'p', 'temperature'), ...points(1000, 'q', 'humidity')]);
      await t.query('ANALYZE point');
      await t.query('ANALYZE timeseries');
      // The service's own statements, as PostgreSQL runs a prepared statement once it settles on a
      // generic plan (parameters unknown when planning): that plan must still start at the cursor.
      const runner = t.dataSource.createQueryRunner();
      try {
        await runner.query('SET plan_cache_mode = force_generic_plan');
        for (const filter of [null, 'humidity']) {
          const page = { deviceId, after: 'q00500', pointType: filter, limit: 101 };
          const { text, values } = listStatementFor(page).query(page);
          await runner.query(`PREPARE deep_page AS ${text}`);
          const args = values.map((value) => (typeof value === 'number' ? String(value) : `'${String(value)}'`));
          const plan = ((await runner.query(`EXPLAIN EXECUTE deep_page(${args.join(', ')})`)) as PlanRow[])
            .map((row) => row['QUERY PLAN'])
            .join('\n');
          await runner.query('DEALLOCATE deep_page');
          expect(plan).toMatch(/Index (Only )?Scan (using|on) "?(PK_\w+|IDX_point_device_type_point)"? on point/);
          const cursor = `\\$${values.indexOf(page.after) + 1}`;
          expect(plan).toMatch(new RegExp(`Index Cond: .*point_id > ${cursor}`));
          expect(plan).not.toMatch(/Seq Scan on point/);
          // The cursor bounds the index scan; it is never a filter over rows already read.
          expect(plan).not.toMatch(/(?<!Join )Filter: .*point_id > /);
        }
      } finally {
        await runner.query('RESET plan_cache_mode');
        await runner.release();
      }
    });
  });

  describe('GET /apollo/devices/{deviceId}/timeseries/{timeseriesId}', () => {
    const getOne = (deviceId: string, timeseriesId: string, bearer = reader) =>
      t.api.getTimeseries(deviceId, timeseriesId, { token: bearer });

    it('answers the documented shape', async () => {
      const deviceId = uniqueDevice();
      const created = (
        await t.api.registerTimeseries(deviceId, [{ id: 'PointId1', pointType: 'temperature' }], { token: writer })
      ).json();
      const timeseriesId = created.data.relationships[0].timeseriesId;

      const response = await getOne(deviceId, timeseriesId);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        status: { Message: '', Code: '200' },
        data: {
          timeseriesId,
          deviceId,
          pointId: 'PointId1',
          pointType: 'temperature',
          orgId: collection,
          timeseriesType: 'None',
          dag: [{ metric: 'Raw', processingType: 'raw', dataType: 'double', validateInputData: false }],
          status: 'active',
          createdAt: expect.stringMatching(/Z$/),
        },
      });
      // In the documented order, envelope first (the answer is serialized from the document's schema).
      expect(response.body).toMatch(/^\{"status":\{"Message":"","Code":"200"\},"data":\{"timeseriesId":/);
      expect(Object.keys(response.json().data)).toEqual([
        'timeseriesId',
        'deviceId',
        'pointId',
        'pointType',
        'orgId',
        'timeseriesType',
        'dag',
        'status',
        'createdAt',
      ]);
    });

    it('answers 404 for an unknown id and for the id of another device', async () => {
      const deviceId = uniqueDevice();
      const other = uniqueDevice();
      await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], { token: writer });
      const otherTs = (await t.api.registerTimeseries(other, [{ id: 'p', pointType: 't' }], { token: writer })).json()
        .data.relationships[0].timeseriesId;

      for (const response of [
        await getOne(deviceId, '00000000-0000-4000-8000-000000000000'),
        await getOne(deviceId, otherTs),
      ]) {
        expect(response.statusCode).toBe(404);
        expect(response.json()).toEqual({
          status: { Message: 'The device has no timeseries with this id', Code: '404' },
          data: null,
        });
      }
    });

    it('answers 400 for a malformed id', async () => {
      const deviceId = uniqueDevice();
      await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], { token: writer });
      const response = await getOne(deviceId, 'not-a-uuid');
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([{ path: 'timeseriesId', message: 'timeseriesId must be a UUID' }]);
    });
  });

  describe('scopes and collections of reads', () => {
    it.each(['apollo_read', 'read', 'apollo_write', 'write'])('lets a token with scope %s read', async (scope) => {
      const deviceId = uniqueDevice();
      await register(deviceId, points(1));
      expect((await list(deviceId, '', {}, token({ scope, collections: [collection] }))).statusCode).toBe(200);
    });

    it('answers 403 naming the read scopes to a token without any', async () => {
      const deviceId = uniqueDevice();
      await register(deviceId, points(1));
      const response = await list(deviceId, '', {}, token({ scope: 'profile', collections: [collection] }));
      expect(response.statusCode).toBe(403);
      expect(response.json().status.Message).toBe(
        'Missing required scope: the token needs one of apollo_read, read, apollo_write, write',
      );
    });

    it('answers the same 403 for a device of another collection and for a device that does not exist', async () => {
      const foreignDevice = uniqueDevice();
      const foreignWriter = token({ collections: [uniqueCollection()] });
      const ts = (
        await t.api.registerTimeseries(foreignDevice, [{ id: 'p', pointType: 't' }], { token: foreignWriter })
      ).json().data.relationships[0].timeseriesId;

      const responses = [
        await list(foreignDevice),
        await list(uniqueDevice()),
        await t.api.getTimeseries(foreignDevice, ts, { token: reader }),
        await t.api.getTimeseries(uniqueDevice(), ts, { token: reader }),
      ];
      for (const response of responses) {
        expect(response.statusCode).toBe(403);
        expect(response.json()).toEqual({
          status: { Message: 'User does not have access to device', Code: '403' },
          data: null,
        });
      }
    });

    it('lets a caller with several collections read without erCollectionId, and limits it with the header', async () => {
      const deviceId = uniqueDevice();
      await register(deviceId, points(1));
      const several = token({ scope: 'read', collections: [uniqueCollection(), collection] });
      expect((await list(deviceId, '', {}, several)).statusCode).toBe(200);
      expect((await list(deviceId, '', { ercollectionid: collection }, several)).statusCode).toBe(200);
      const elsewhere = token({ scope: 'read', collections: [collection, 'other-collection'] });
      expect((await list(deviceId, '', { ercollectionid: 'other-collection' }, elsewhere)).statusCode).toBe(403);
    });
  });
});

'use strict';

/**
 * The samples routes of the bare server (bench/bare-server.js): the service's samples write and
 * reads with minimal Fastify plumbing. The token check, scopes and collections are the bare
 * server's `onRequest` hook; the input rules are JSON schemas compiled by Ajv (the service's
 * patterns and limits); the conversions and the SQL are the service's own, imported from dist/:
 * parseInstant and instantForDatabase, the continuation tokens (ContinuationTokens, the same
 * secret), WRITE_SAMPLES, LOOKUP_SERIES, the read, probe, latest and aggregate statements, sent
 * as the db loop sends them (named prepared statements by default). An unpaginated read streams
 * its envelope from a cursor in a REPEATABLE READ transaction, 2,000 rows at a time, as the
 * service's SamplesRepository.openExport does.
 *
 * The 400s of the body as a whole (empty, too many, duplicates), of a query parameter its DTO
 * refuses (an instant, granularity, timeZone), of a continuation token and of unknown timeseries
 * are worded as the service words them. Left out, because no benchmark request needs them:
 * SAMPLES_RETENTION_DAYS (off by default), `deflate` bodies, and the service's exact wording of the
 * other errors, such as a field of an item the JSON schema refuses (the statuses and the
 * envelope's shape are the same).
 */

const { PassThrough, Readable } = require('node:stream');
const { createGunzip } = require('node:zlib');

const { samplesStatements } = require('./db-loop');
const { fromDist } = require('./dist');
const { envelopeSchema } = require('./envelope');
const { readTokens } = require('./samples');

const { parseInstant, instantForDatabase, formatInstant, RFC3339_PATTERN } = fromDist('series/instants');
const { arrayLiteral } = fromDist('database/array-literal');
const { METRICS, metricCode, metricName, DEFAULT_METRIC } = fromDist('series/metrics');
const { UUID_PATTERN } = fromDist('common/uuid');
const { DECIMAL_PATTERN, DECIMAL_MAX_LENGTH } = fromDist('samples/sample-value');
const { MAX_REPORTED_ERRORS, namedPaths, summarize } = fromDist('common/field-errors');
const { ContinuationTokens, continuationSecret } = fromDist('common/continuation-token');
const { MAX_TIMESERIES_PER_REQUEST } = fromDist('series/dto/timeseries-selection.dto');
const { DEFAULT_SAMPLES_PAGE, MAX_SAMPLES_PAGE, ORDERS } = fromDist('samples/dto/read-samples-query.dto');
const { DEFAULT_LATEST, MAX_LATEST } = fromDist('analytics/dto/analytics-query.dto');
const { AGGREGATES, FILLS, MAX_BUCKETS, aggregatesOf } = fromDist('analytics/aggregates');
const { GRANULARITY_FORMS, parseGranularity, maxBucketsOf, isTimeZone } = fromDist('analytics/granularity');
const { monthOf, nextMonth, partitionName } = fromDist('series/sample-partitions');
const { READ_SCOPES, WRITE_SCOPES } = fromDist('auth/scopes');

const EXPORT_BATCH = 2000;
const PARTITION_LOCK = 7_341_955_120;
const OK = { Message: '', Code: '200' };

const uuid = { type: 'string', pattern: UUID_PATTERN };
const instant = { type: 'string', pattern: RFC3339_PATTERN };
const idList = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_TIMESERIES_PER_REQUEST,
  uniqueItems: true,
  items: uuid,
};

/** The samples body as a JSON schema (the rules of src/samples/dto/sample-input.dto.ts, SAMPLE_SCHEMA). */
const sampleListSchema = (/** @type {number} */ maxSamples) => ({
  type: 'array',
  minItems: 1,
  maxItems: maxSamples,
  items: {
    type: 'object',
    required: ['timeseriesId', 'val', 'timestamp'],
    additionalProperties: false,
    properties: {
      timeseriesId: uuid,
      val: { anyOf: [{ type: 'number' }, { type: 'string', maxLength: DECIMAL_MAX_LENGTH, pattern: DECIMAL_PATTERN }] },
      timestamp: instant,
      metric: { type: 'string', enum: [...METRICS] },
    },
  },
});

const sampleSchema = {
  type: 'object',
  required: ['timeseriesId', 'metric', 'timestamp', 'val', 'unixTimestamp', 'ingestUnixTimestamp'],
  properties: {
    timeseriesId: { type: 'string' },
    metric: { type: 'string' },
    timestamp: { type: 'string' },
    val: { type: 'number' },
    unixTimestamp: { type: 'number' },
    ingestUnixTimestamp: { type: 'number' },
  },
};

/** @param {any} row */
const toSample = (row) => ({
  timeseriesId: row.timeseries_id,
  metric: metricName(row.metric),
  timestamp: row.timestamp,
  val: row.val,
  unixTimestamp: row.unix_ms,
  ingestUnixTimestamp: row.ingest_unix_ms,
});

/** @param {any} row */
const sampleJson = (row) =>
  `{"timeseriesId":"${row.timeseries_id}","metric":"${metricName(row.metric)}","timestamp":"${row.timestamp}",` +
  `"val":${JSON.stringify(row.val)},"unixTimestamp":${row.unix_ms},"ingestUnixTimestamp":${row.ingest_unix_ms}}`;

/**
 * Adds the samples routes to the bare server.
 * @param {import('fastify').FastifyInstance} app
 * @param {{ pool: import('pg').Pool, config: any, prepared: boolean, HttpError: any, assertCanAccess: (access: any, collectionId: string | undefined) => void, deviceParams: object }} context
 */
function registerSampleRoutes(app, { pool, config, prepared, HttpError, assertCanAccess, deviceParams }) {
  const sql = samplesStatements(prepared);
  const tokens = new ContinuationTokens(continuationSecret(config));
  const exportLimit = config.limits.samplesExportLimit;
  const invalid = (/** @type {string} */ message, /** @type {string} */ path) =>
    new HttpError(400, message, { errors: [{ path, message }] });
  /** A query parameter its DTO refuses, worded as the service's validation pipe words it. */
  const invalidParameter = (/** @type {string} */ path, /** @type {string} */ message) =>
    new HttpError(400, `Invalid request: ${path}: ${message}`, { errors: [{ path, message }] });
  /** An item of the samples body the service's DTO refuses, worded as JsonArrayPipe words it. */
  const invalidItem = (/** @type {string} */ path, /** @type {string} */ message) =>
    new HttpError(400, `Invalid samples: ${path}: ${message}`, { errors: [{ path, message }] });
  /** A refused value as the service's DTOs quote it (analytics-query.dto.ts). */
  const shown = (/** @type {unknown} */ value) =>
    JSON.stringify(typeof value === 'string' ? value.slice(0, 64) : value);

  /** A 400 naming the paths whose timeseries are not the device's (src/series/timeseries-selection.ts). */
  const unknownTimeseries = (/** @type {readonly string[]} */ paths) =>
    new HttpError(
      400,
      `Unknown timeseries: ${namedPaths(paths)} ${paths.length === 1 ? 'is not a timeseries' : 'are not timeseries'} of this device`,
      {
        errors: paths.slice(0, MAX_REPORTED_ERRORS).map((path) => ({
          path,
          message: `${path.replace(/^.*\./, '')} is not a timeseries of this device`,
        })),
      },
    );

  /** The series keys of `ids`, after the access check (TimeseriesSelection). */
  async function seriesKeysOf(/** @type {string} */ deviceId, /** @type {string[]} */ ids, /** @type {any} */ access) {
    const { rows } = await pool.query(sql.lookup({ deviceId, timeseriesIds: ids }));
    assertCanAccess(access, rows[0]?.collection_id);
    /** @type {Map<string, number>} */
    const keys = new Map();
    for (const row of rows) if (row.timeseries_id !== null) keys.set(row.timeseries_id, row.series_key);
    const unknown = ids.flatMap((id, index) => (keys.has(id) ? [] : [`timeseries_ids[${index}]`]));
    if (unknown.length > 0) throw unknownTimeseries(unknown);
    return ids.map((id) => /** @type {number} */ (keys.get(id)));
  }

  /** startTime (inclusive) and endTime (exclusive) in epoch µs, or null. */
  function rangeOf(/** @type {string | undefined} */ start, /** @type {string | undefined} */ end) {
    const us = (/** @type {string | undefined} */ text, /** @type {string} */ path) => {
      if (text === undefined) return null;
      const parsed = parseInstant(text);
      if (!parsed.ok) throw invalidParameter(path, `${path} ${parsed.problem}`);
      return parsed.us;
    };
    const startUs = us(start, 'startTime');
    const endUs = us(end, 'endTime');
    if (startUs !== null && endUs !== null && startUs >= endUs)
      throw invalid('startTime must be before endTime', 'startTime');
    return { startUs, endUs };
  }

  /** Creates the partitions of `months`, as SamplePartitions.ensure does. */
  async function ensurePartitions(/** @type {Array<{ year: number, month: number }>} */ months) {
    const client = await pool.connect();
    const startOf = (/** @type {{ year: number, month: number }} */ m) =>
      `${m.year}-${String(m.month).padStart(2, '0')}-01T00:00:00Z`;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      for (const month of months) {
        await client.query(
          `CREATE TABLE IF NOT EXISTS "${partitionName(month)}" PARTITION OF sample FOR VALUES FROM ('${startOf(month)}') TO ('${startOf(nextMonth(month))}')`,
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  app.post(
    '/apollo/devices/:deviceId/timeseries/samples',
    {
      config: {
        scopes: WRITE_SCOPES,
        /** @type {import('./bare-server').ArrayBody} */
        arrayBody: {
          noun: { one: 'sample', many: 'samples' },
          verb: 'write',
          maxItems: config.limits.maxSamplesPerRequest,
          required: ['timeseriesId', 'val', 'timestamp'],
        },
      },
      bodyLimit: config.limits.samplesBodyLimit,
      preParsing: (request, _reply, payload, done) => {
        const encoding = String(request.headers['content-encoding'] ?? '')
          .trim()
          .toLowerCase();
        if (encoding === '' || encoding === 'identity') return done(null, payload);
        if (encoding !== 'gzip') return done(new HttpError(415, 'Content-Encoding must be gzip, deflate or identity'));
        // Fastify compares receivedEncodedLength (the bytes on the wire) with Content-Length.
        const gunzip = createGunzip();
        const body = /** @type {PassThrough & { receivedEncodedLength: number }} */ (new PassThrough());
        body.receivedEncodedLength = 0;
        payload.on('data', (chunk) => (body.receivedEncodedLength += chunk.length));
        gunzip.on('error', () => body.destroy(new HttpError(400, 'The request body is not a valid gzip stream')));
        payload.on('error', (error) => body.destroy(error));
        done(null, payload.pipe(gunzip).pipe(body));
      },
      schema: {
        params: deviceParams,
        body: sampleListSchema(config.limits.maxSamplesPerRequest),
        response: {
          202: envelopeSchema({
            type: 'object',
            required: ['accepted'],
            properties: { accepted: { type: 'integer' } },
          }),
        },
      },
    },
    async (request, reply) => {
      const { deviceId } = /** @type {{ deviceId: string }} */ (request.params);
      const body =
        /** @type {Array<{ timeseriesId: string, val: number | string, timestamp: string, metric?: string }>} */ (
          request.body
        );
      const access = /** @type {any} */ (request).access;
      const n = body.length;
      const ids = new Array(n);
      const metrics = new Array(n);
      const instants = new Array(n);
      const values = new Array(n);
      // The first item of each key, and each later repeat (as JsonArrayPipe names them).
      /** @type {Map<string, number>} */
      const first = new Map();
      /** @type {Array<{ path: string, message: string }>} */
      const repeats = [];
      const raw = metricCode(DEFAULT_METRIC);
      for (let i = 0; i < n; i++) {
        const sample = body[i];
        const parsed = parseInstant(sample.timestamp);
        if (!parsed.ok) throw invalidItem(`[${i}].timestamp`, `timestamp ${parsed.problem}`);
        const value = typeof sample.val === 'number' ? sample.val : Number(sample.val);
        if (!Number.isFinite(value)) throw invalidItem(`[${i}].val`, 'val must be a finite number');
        const id = sample.timeseriesId.toLowerCase();
        const metric = sample.metric === undefined ? raw : metricCode(sample.metric);
        const key = `${id} ${metric} ${parsed.us}`;
        const earlier = first.get(key);
        if (earlier === undefined) first.set(key, i);
        else if (repeats.length < MAX_REPORTED_ERRORS) {
          repeats.push({
            path: `[${i}]`,
            message: `the same timeseriesId, metric and instant as [${earlier}]: ${formatInstant(parsed.us)}`,
          });
        }
        ids[i] = id;
        metrics[i] = metric;
        instants[i] = parsed.us;
        values[i] = value;
      }
      if (repeats.length > 0) {
        throw new HttpError(400, `Duplicate samples in the request: ${summarize(repeats)}`, { errors: repeats });
      }
      const params = {
        deviceId,
        allowedCollections: access.allowed,
        timeseriesIds: [...new Set(ids)],
        sampleTimeseriesIds: arrayLiteral(ids),
        metrics: arrayLiteral(metrics),
        instantsUs: arrayLiteral(instants),
        values: arrayLiteral(values),
        // The stream event, as the service builds it (src/samples/samples.service.ts, eventPayloadOf).
        eventPayload: eventPayloadOf(ids, metrics, instants, values),
      };
      /** @type {any} */
      let row;
      for (let attempt = 0; ; attempt++) {
        try {
          ({
            rows: [row],
          } = await pool.query(sql.write(params)));
          break;
        } catch (error) {
          const { code, message } = /** @type {any} */ (error);
          if (code !== '23514' || !String(message).includes('no partition') || attempt >= 2) throw error;
          /** @type {Map<string, { year: number, month: number }>} */
          const months = new Map();
          for (const us of instants) {
            const month = monthOf(us);
            months.set(`${month.year}-${month.month}`, month);
          }
          await ensurePartitions([...months.values()]);
        }
      }
      assertCanAccess(access, row.collection_id ?? undefined);
      if (row.unknown_ids && row.unknown_ids.length > 0) {
        const unknown = new Set(row.unknown_ids);
        throw unknownTimeseries(ids.flatMap((id, index) => (unknown.has(id) ? [`[${index}].timeseriesId`] : [])));
      }
      void reply.code(202);
      return { status: { Message: '', Code: '202' }, data: { accepted: row.written } };
    },
  );

  app.get(
    '/apollo/devices/:deviceId/timeseries/samples',
    {
      config: { scopes: READ_SCOPES },
      schema: {
        params: deviceParams,
        querystring: {
          type: 'object',
          required: ['timeseries_ids'],
          additionalProperties: false,
          properties: {
            timeseries_ids: idList,
            startTime: instant,
            endTime: instant,
            metric: { type: 'string', enum: [...METRICS] },
            orderby: { type: 'string', enum: [...ORDERS] },
            paginated: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 10_000_000 },
          },
        },
        response: { 200: envelopeSchema({ type: 'array', items: sampleSchema }) },
      },
    },
    async (request, reply) => {
      const { deviceId } = /** @type {{ deviceId: string }} */ (request.params);
      const query = /** @type {any} */ (request.query);
      const access = /** @type {any} */ (request).access;
      const ids = query.timeseries_ids.map((/** @type {string} */ id) => id.toLowerCase());
      const range = rangeOf(query.startTime, query.endTime);
      const paginated = query.paginated ?? false;
      const descending = query.orderby === 'timestamp desc';
      /** @type {number | undefined} */
      let limit = query.limit;
      if (paginated) {
        if (limit !== undefined && limit > MAX_SAMPLES_PAGE)
          throw invalid(`limit must be at most ${MAX_SAMPLES_PAGE} when paginated=true`, 'limit');
        limit ??= DEFAULT_SAMPLES_PAGE;
      } else if (limit !== undefined && limit > exportLimit) {
        throw invalid(`limit must be at most SAMPLES_EXPORT_LIMIT (${exportLimit}) when paginated=false`, 'limit');
      }
      const context = [
        deviceId,
        [...ids].sort(),
        query.metric ?? null,
        range.startUs,
        range.endUs,
        descending,
        paginated,
      ];
      const token = request.headers.continuationtoken;
      /** @type {{ t: number, i: string, m: number } | undefined} */
      let after;
      if (typeof token === 'string' && token) {
        let position;
        try {
          position = tokens.read(readTokens(), context, token);
        } catch (error) {
          throw invalid(/** @type {Error} */ (error).message, 'ContinuationToken');
        }
        if (typeof position.t !== 'number' || typeof position.i !== 'string' || typeof position.m !== 'number')
          throw invalid('ContinuationToken is malformed', 'ContinuationToken');
        after = /** @type {any} */ (position);
      }

      const seriesKeys = await seriesKeysOf(deviceId, ids, access);
      const metrics =
        query.metric === undefined
          ? METRICS.map((/** @type {string} */ _, /** @type {number} */ c) => c)
          : [metricCode(query.metric)];
      const streams = ids.flatMap((/** @type {string} */ id, /** @type {number} */ index) =>
        metrics.map((/** @type {number} */ metric) => ({
          seriesKey: seriesKeys[index],
          metric,
          timeseriesId: id,
          includeBound: after === undefined ? !descending : isAfter([id, metric], [after.i, after.m], descending),
        })),
      );
      const at = (/** @type {number | null} */ us, /** @type {string} */ unbounded) =>
        us === null ? unbounded : instantForDatabase(us);
      const bound = after
        ? instantForDatabase(after.t)
        : descending
          ? at(range.endUs, 'infinity')
          : at(range.startUs, '-infinity');
      const other = descending ? at(range.startUs, '-infinity') : at(range.endUs, 'infinity');
      const params = { streams, bound, other, limit: limit ?? exportLimit };
      const issue = (/** @type {any} */ row) =>
        tokens.issue(readTokens(), context, { t: row.ts_us, i: row.timeseries_id, m: row.metric });

      if (paginated) {
        const { rows } = await pool.query(sql.readPage({ ...params, limit: params.limit + 1 }, descending));
        const page = rows.slice(0, params.limit);
        const last = page[page.length - 1];
        if (rows.length > params.limit && last) void reply.header('ContinuationToken', issue(last));
        return { status: OK, data: page.map(toSample) };
      }

      const client = await pool.connect();
      // A connection lost while checked out must not crash the process (the pool handles idle ones).
      const ignore = () => undefined;
      client.on('error', ignore);
      let open = true;
      const close = async (/** @type {boolean} */ commit) => {
        if (!open) return;
        open = false;
        try {
          await client.query(commit ? 'COMMIT' : 'ROLLBACK');
        } finally {
          client.removeListener('error', ignore);
          client.release();
        }
      };
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const probe = (await client.query(sql.probe(params, descending))).rows;
        const [limitth, beyond] = probe;
        if (beyond && limit === undefined) {
          throw new HttpError(
            400,
            `The range holds more than SAMPLES_EXPORT_LIMIT (${exportLimit}) samples: read it with paginated=true, ` +
              'or with limit and the ContinuationToken of each answer, or a shorter range',
          );
        }
        if (beyond && limitth) void reply.header('ContinuationToken', issue(limitth));
      } catch (error) {
        await close(false).catch(() => undefined);
        throw error;
      }
      let started = false;
      async function* chunks() {
        started = true;
        try {
          yield '{"status":{"Message":"","Code":"200"},"data":[';
          await client.query(sql.exportCursor(params, descending));
          let first = true;
          for (;;) {
            const { rows } = await client.query(`FETCH ${EXPORT_BATCH} FROM samples_export`);
            if (rows.length > 0) {
              const json = rows.map(sampleJson).join(',');
              yield first ? json : `,${json}`;
              first = false;
            }
            if (rows.length < EXPORT_BATCH) break;
          }
          yield ']}';
          await close(true);
        } finally {
          await close(false);
        }
      }
      const body = Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
      // A stream destroyed before it was read never enters the generator: free the connection here.
      body.once('close', () => {
        if (!started) void close(false).catch(() => undefined);
      });
      void reply.type('application/json; charset=utf-8');
      return reply.send(body);
    },
  );

  app.get(
    '/apollo/devices/:deviceId/timeseries/samples/latest',
    {
      config: { scopes: READ_SCOPES },
      schema: {
        params: deviceParams,
        querystring: {
          type: 'object',
          required: ['timeseries_ids'],
          additionalProperties: false,
          properties: {
            timeseries_ids: idList,
            metric: { type: 'string', enum: [...METRICS] },
            n: { type: 'integer', minimum: 1, maximum: MAX_LATEST },
            before: instant,
          },
        },
        response: {
          200: envelopeSchema({
            type: 'array',
            items: {
              type: 'object',
              required: ['timeseriesId', 'metric', 'samples'],
              properties: {
                timeseriesId: { type: 'string' },
                metric: { type: 'string' },
                samples: { type: 'array', items: sampleSchema },
              },
            },
          }),
        },
      },
    },
    async (request) => {
      const { deviceId } = /** @type {{ deviceId: string }} */ (request.params);
      const query = /** @type {any} */ (request.query);
      const ids = query.timeseries_ids.map((/** @type {string} */ id) => id.toLowerCase());
      const before = query.before === undefined ? null : rangeOf(undefined, query.before).endUs;
      const metric = metricCode(query.metric ?? DEFAULT_METRIC);
      const seriesKeys = await seriesKeysOf(deviceId, ids, /** @type {any} */ (request).access);
      const { rows } = await pool.query(
        sql.latest({
          seriesKeys,
          timeseriesIds: ids,
          metric,
          before: before === null ? 'infinity' : instantForDatabase(before),
          n: query.n ?? DEFAULT_LATEST,
        }),
      );
      const answer = ids.map((/** @type {string} */ timeseriesId) => ({
        timeseriesId,
        metric: metricName(metric),
        samples: /** @type {any[]} */ ([]),
      }));
      for (const row of rows) answer[row.ord - 1].samples.push(toSample(row));
      return { status: OK, data: answer };
    },
  );

  const bucketSchema = {
    type: 'object',
    required: ['start', 'end', 'count'],
    properties: Object.fromEntries([
      ['start', { type: 'string' }],
      ['end', { type: 'string' }],
      ['count', { type: 'number' }],
      ...AGGREGATES.filter((/** @type {string} */ a) => a !== 'count').map((/** @type {string} */ a) => [
        a,
        { type: ['number', 'null'] },
      ]),
    ]),
  };

  app.get(
    '/apollo/devices/:deviceId/timeseries/samples/aggregates',
    {
      config: { scopes: READ_SCOPES },
      schema: {
        params: deviceParams,
        querystring: {
          type: 'object',
          required: ['timeseries_ids', 'startTime', 'endTime', 'granularity'],
          additionalProperties: false,
          properties: {
            timeseries_ids: idList,
            metric: { type: 'string', enum: [...METRICS] },
            startTime: instant,
            endTime: instant,
            granularity: { type: 'string' },
            aggregates: { type: 'string', pattern: `^(${AGGREGATES.join('|')})(,(${AGGREGATES.join('|')}))*$` },
            timeZone: { type: 'string' },
            fill: { type: 'string', enum: [...FILLS] },
          },
        },
        response: {
          200: envelopeSchema({
            type: 'array',
            items: {
              type: 'object',
              required: ['timeseriesId', 'metric', 'granularity', 'timeZone', 'buckets'],
              properties: {
                timeseriesId: { type: 'string' },
                metric: { type: 'string' },
                granularity: { type: 'string' },
                timeZone: { type: 'string' },
                buckets: { type: 'array', items: bucketSchema },
              },
            },
          }),
        },
      },
    },
    async (request) => {
      const { deviceId } = /** @type {{ deviceId: string }} */ (request.params);
      const query = /** @type {any} */ (request.query);
      const ids = query.timeseries_ids.map((/** @type {string} */ id) => id.toLowerCase());
      // The query DTO's checks (SampleAggregatesQueryDto), before the rules across parameters.
      const granularity = parseGranularity(query.granularity);
      if (granularity === undefined) {
        throw invalidParameter(
          'granularity',
          `granularity must be one of ${GRANULARITY_FORMS}; got ${shown(query.granularity)}`,
        );
      }
      const timeZone = query.timeZone ?? 'UTC';
      if (!isTimeZone(timeZone)) {
        throw invalidParameter(
          'timeZone',
          `timeZone must be an IANA time zone such as Europe/Berlin; got ${shown(timeZone)}`,
        );
      }
      const range = rangeOf(query.startTime, query.endTime);
      const aggregates = aggregatesOf(query.aggregates);
      const tooMany = () =>
        invalid(
          `The range holds more than ${MAX_BUCKETS} buckets of this granularity: use a shorter range or a longer granularity`,
          'granularity',
        );
      if (maxBucketsOf(granularity, range.startUs, range.endUs) > MAX_BUCKETS * 1.5) throw tooMany();
      const metric = metricCode(query.metric ?? DEFAULT_METRIC);
      const seriesKeys = await seriesKeysOf(deviceId, ids, /** @type {any} */ (request).access);
      const { rows } = await pool.query(
        sql.aggregates(
          { kind: granularity.kind, aggregates, fill: query.fill === 'null' },
          {
            seriesKeys,
            timeseriesIds: ids,
            metric,
            start: instantForDatabase(/** @type {number} */ (range.startUs)),
            end: instantForDatabase(/** @type {number} */ (range.endUs)),
            timeZone,
            step: granularity.step,
            days: granularity.days,
            maxBuckets: MAX_BUCKETS,
          },
        ),
      );
      if ((rows[0]?.bucket_count ?? 0) > MAX_BUCKETS) throw tooMany();
      const answer = ids.map((/** @type {string} */ timeseriesId) => ({
        timeseriesId,
        metric: metricName(metric),
        granularity: query.granularity,
        timeZone,
        buckets: /** @type {any[]} */ ([]),
      }));
      for (const row of rows) {
        if (row.ord === null) continue;
        /** @type {Record<string, unknown>} */
        const bucket = { start: row.start, end: row.end, count: row.count ?? 0 };
        for (const aggregate of AGGREGATES) {
          if (aggregate !== 'count' && aggregates.includes(aggregate)) bucket[aggregate] = row[aggregate] ?? null;
        }
        answer[row.ord - 1].buckets.push(bucket);
      }
      return { status: OK, data: answer };
    },
  );
}

/** Whether stream (id, metric) comes after the cursor's among samples of the same instant. */
function isAfter(
  /** @type {[string, number]} */ stream,
  /** @type {[string, number]} */ cursor,
  /** @type {boolean} */ descending,
) {
  const order = stream[0] === cursor[0] ? Math.sign(stream[1] - cursor[1]) : stream[0] < cursor[0] ? -1 : 1;
  return descending ? order < 0 : order > 0;
}

/**
 * The stream event's payload of a write, as the service makes it: the distinct timeseries once, an
 * index per sample, metrics, instants (epoch µs) and values.
 * @param {string[]} ids @param {number[]} metrics @param {number[]} instants @param {number[]} values
 */
function eventPayloadOf(ids, metrics, instants, values) {
  /** @type {string[]} */
  const t = [];
  /** @type {Map<string, number>} */
  const indexOf = new Map();
  const i = ids.map((id) => {
    let index = indexOf.get(id);
    if (index === undefined) {
      index = t.push(id) - 1;
      indexOf.set(id, index);
    }
    return index;
  });
  return JSON.stringify({ t, i, m: metrics, us: instants, v: values });
}

module.exports = { registerSampleRoutes, sampleListSchema };

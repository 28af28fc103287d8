import { REQUIRED_SCOPES } from '../../src/auth/auth.constants';
import { DEVICE_ROUTE } from '../../src/device-routes/device-route.decorator';
import {
  documentedOperations,
  exampleRequest,
  type DocumentedOperation,
  type OpenApiDocument,
} from './documented-operations';
import { createDevice, type DeviceFixture } from './fixtures';
import { injectAnswer, type InjectedAnswer } from './inject-answer';
import { appRoutes } from './routes';
import type { TestApp } from './test-app';
import { token, uniqueCollection, uniqueDevice } from './tokens';

const FORBIDDEN_DEVICE = { status: { Message: 'User does not have access to device', Code: '403' }, data: null };
const FORBIDDEN_COLLECTION = {
  status: { Message: 'User does not have access to the collection named by erCollectionId', Code: '403' },
  data: null,
};

interface MatrixRoute extends DocumentedOperation {
  /** The first of the scopes the route declares: one that admits the call. */
  scope: string;
}

/**
 * Object-level access (OWASP API1) over every device route the app serves, each called with the
 * valid request its OpenAPI examples make (documented-operations.ts): a caller outside the
 * device's collection gets the same 403 body whether the device lives in another collection or
 * nowhere, and nothing is written; the scope check runs before the collection check; an invalid
 * deviceId is a 400. Every route that takes a deviceId must be a documented @DeviceRoute().
 *
 * `include` narrows the matrix to some operations (a module's own), `start` starts the app.
 */
export function describeAccessMatrix(
  title: string,
  start: () => Promise<TestApp>,
  include: (operation: DocumentedOperation) => boolean = () => true,
): void {
  describe(title, () => {
    let t: TestApp;
    let device: DeviceFixture;
    let routes: MatrixRoute[];
    let documented: Set<string>;

    beforeAll(async () => {
      t = await start();
      device = await createDevice(t, {
        points: [
          { id: 'p', pointType: 't' },
          { id: 'q', pointType: 'u' },
        ],
      });
      const document = (await t.request({ method: 'GET', url: '/docs-json' })).json<OpenApiDocument>();
      const handlers = new Map(appRoutes(t.app).map((route) => [route.route, route.handler]));
      const operations = documentedOperations(document);
      documented = new Set(operations.map((operation) => operation.route));
      routes = operations
        .filter((operation) => operation.path.includes('{deviceId}') && include(operation))
        .map((operation) => {
          const scopes = Reflect.getMetadata(REQUIRED_SCOPES, handlers.get(operation.route) ?? {}) as
            string[] | undefined;
          return { ...operation, scope: scopes?.[0] ?? 'none' };
        });
    });
    afterAll(() => t?.close());

    const call = (route: MatrixRoute, deviceId: string, bearer: string, headers: Record<string, string> = {}) =>
      injectAnswer(
        t,
        exampleRequest(
          route,
          { deviceId, timeseriesIds: device.timeseriesIds },
          {
            authorization: `Bearer ${bearer}`,
            ...headers,
          },
        ),
      );
    const each = async (check: (route: MatrixRoute) => Promise<unknown>) => {
      const results: unknown[] = [];
      for (const route of routes) results.push([route.route, await check(route)]);
      return results;
    };
    const outcome = (response: InjectedAnswer) => [response.statusCode, response.json<unknown>()];

    /** Everything stored for the device: its points and its samples. */
    const snapshot = async () => [
      await t.query('SELECT point_id, point_type FROM point WHERE device_id = $1 ORDER BY point_id', [device.deviceId]),
      await t.query(
        `SELECT s.series_key, s.metric, s.ts, s.val, s.ingested_at FROM sample s
         JOIN timeseries t ON t.series_key = s.series_key WHERE t.device_id = $1 ORDER BY s.ts`,
        [device.deviceId],
      ),
    ];

    it('covers every route of the app that takes a deviceId: each is a documented @DeviceRoute() with scopes', () => {
      const deviceRoutes = appRoutes(t.app).filter((route) => route.path.includes(':deviceId'));
      expect(
        deviceRoutes.map((route) => [
          route.route,
          documented.has(route.route),
          Reflect.getMetadata(DEVICE_ROUTE, route.handler),
          ((Reflect.getMetadata(REQUIRED_SCOPES, route.handler) as string[] | undefined) ?? []).length > 0,
        ]),
      ).toEqual(deviceRoutes.map((route) => [route.route, true, true, true]));
      expect(routes.length).toBeGreaterThan(0);
    });

    it('answers the same 403 for a foreign device and for no device, and writes nothing', async () => {
      const before = await snapshot();
      const results = await each(async (route) => {
        const outsider = token({ scope: route.scope, collections: [uniqueCollection()] });
        const foreign = await call(route, device.deviceId, outsider);
        const nowhere = await call(route, uniqueDevice(), token({ scope: route.scope, collections: [] }));
        return [outcome(foreign), outcome(nowhere)];
      });
      expect(results).toEqual(
        routes.map((route) => [
          route.route,
          [
            [403, FORBIDDEN_DEVICE],
            [403, FORBIDDEN_DEVICE],
          ],
        ]),
      );
      expect(await snapshot()).toEqual(before);
    });

    it('answers 403 to an erCollectionId the token does not grant', async () => {
      const results = await each(async (route) => {
        const owner = token({ scope: route.scope, collections: [device.collection] });
        return outcome(await call(route, device.deviceId, owner, { ercollectionid: uniqueCollection() }));
      });
      expect(results).toEqual(routes.map((route) => [route.route, [403, FORBIDDEN_COLLECTION]]));
    });

    it("lets the owner in through the device's own collection, with the documented success", async () => {
      const results = await each(async (route) => {
        const owner = token({ scope: route.scope, collections: [device.collection] });
        const response = await call(route, device.deviceId, owner, { ercollectionid: device.collection });
        return [
          response.statusCode,
          response.eventStream ? 'event stream' : response.json<{ status: unknown }>().status,
        ];
      });
      expect(results).toEqual(
        routes.map((route) => [
          route.route,
          [route.success, route.eventStream ? 'event stream' : { Message: '', Code: String(route.success) }],
        ]),
      );
    });

    it('lets a caller granted the collection plus others in through it, and only through it', async () => {
      const results = await each(async (route) => {
        const other = uniqueCollection();
        const several = token({ scope: route.scope, collections: [other, device.collection] });
        const through = await call(route, device.deviceId, several, { ercollectionid: device.collection });
        const elsewhere = await call(route, device.deviceId, several, { ercollectionid: other });
        return [through.statusCode, outcome(elsewhere)];
      });
      expect(results).toEqual(routes.map((route) => [route.route, [route.success, [403, FORBIDDEN_DEVICE]]]));
    });

    it('checks the scope before the collections', async () => {
      const results = await each(async (route) => {
        // No scope and no collection: the scope check answers first.
        const response = await call(route, device.deviceId, token({ scope: 'profile', collections: [] }));
        return [
          response.statusCode,
          /^Missing required scope: the token needs one of /.test(response.json().status.Message),
          /^Bearer error="insufficient_scope"/.test(String(response.headers['www-authenticate'])),
        ];
      });
      expect(results).toEqual(routes.map((route) => [route.route, [403, true, true]]));
    });

    it('answers an invalid deviceId with a 400 naming it', async () => {
      const results = await each(async (route) => {
        const owner = token({ scope: route.scope, collections: [device.collection] });
        const response = await call(route, 'bad\u0000id', owner);
        return [response.statusCode, response.json().errors];
      });
      expect(results).toEqual(
        routes.map((route) => [
          route.route,
          [400, [{ path: 'deviceId', message: 'deviceId must not contain control characters' }]],
        ]),
      );
    });
  });
}

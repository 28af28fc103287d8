import { DeviceAccessScope } from '../../src/auth/device-access-scope';
import { ContinuationTokens } from '../../src/common/continuation-token';
import { ConflictError, DeviceAccessDeniedError, NotFoundError } from '../../src/common/errors';
import type { TimeseriesRepository } from '../../src/devices/timeseries.repository';
import type { ListedTimeseriesRow, RegisteredPointRow, RegisterPointsParams } from '../../src/devices/timeseries.sql';
import { TimeseriesService } from '../../src/devices/timeseries.service';

/** A repository that answers with given rows and records what it was asked. */
class FakeRepository implements Pick<TimeseriesRepository, 'register' | 'listPage' | 'findOne'> {
  registered: RegisterPointsParams[] = [];
  constructor(
    private readonly registerRows: RegisteredPointRow[] = [],
    private readonly listRows: ListedTimeseriesRow[] = [],
  ) {}
  register(params: RegisterPointsParams): Promise<RegisteredPointRow[]> {
    this.registered.push(params);
    return Promise.resolve(this.registerRows);
  }
  listPage(): Promise<ListedTimeseriesRow[]> {
    return Promise.resolve(this.listRows);
  }
  findOne(): Promise<ListedTimeseriesRow | undefined> {
    return Promise.resolve(this.listRows[0]);
  }
}

const device = (collection: string): RegisteredPointRow => ({
  collection_id: collection,
  point_id: null,
  point_type: null,
  timeseries_id: null,
  created: null,
});
const point = (id: string, type: string, ts: string, created: boolean): RegisteredPointRow => ({
  collection_id: null,
  point_id: id,
  point_type: type,
  timeseries_id: ts,
  created,
});

const service = (repository: FakeRepository) =>
  new TimeseriesService(repository as unknown as TimeseriesRepository, new ContinuationTokens(Buffer.alloc(32)));
const access = new DeviceAccessScope(['c1'], 'c1');

/** The domain rules of TimeseriesService, with the SQL replaced by a fake repository. */
describe('TimeseriesService', () => {
  it('asks the repository for the points in request order and answers in request order, not row order', async () => {
    const repository = new FakeRepository([
      device('c1'),
      point('b', 'humidity', 'ts-b', true),
      point('a', 'temperature', 'ts-a', false),
    ]);
    const answer = await service(repository).register(
      'd1',
      [
        { id: 'a', pointType: 'temperature' },
        { id: 'b', pointType: 'humidity' },
      ],
      access,
    );
    expect(repository.registered).toEqual([
      {
        deviceId: 'd1',
        collectionId: 'c1',
        allowedCollections: ['c1'],
        pointIds: ['a', 'b'],
        pointTypes: ['temperature', 'humidity'],
      },
    ]);
    expect(answer.relationships.map((r) => [r.pointId, r.timeseriesId, r.created])).toEqual([
      ['a', 'ts-a', false],
      ['b', 'ts-b', true],
    ]);
  });

  it('answers 409 naming the point whose stored type differs', async () => {
    const repository = new FakeRepository([device('c1'), point('a', 'humidity', 'ts-a', false)]);
    const error = await service(repository)
      .register('d1', [{ id: 'a', pointType: 'temperature' }], access)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('"a" is "humidity", not "temperature"');
  });

  it('answers the same 403 for a device of another collection and for none', async () => {
    for (const rows of [[device('other')], []]) {
      const error = await service(new FakeRepository(rows))
        .register('d1', [{ id: 'a', pointType: 't' }], access)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeviceAccessDeniedError);
    }
  });

  it('answers 404 for a device without that timeseries', async () => {
    const row: ListedTimeseriesRow = {
      collection_id: 'c1',
      point_id: null,
      point_type: null,
      timeseries_id: null,
      status: null,
      created_at: null,
    };
    const error = await service(new FakeRepository([], [row]))
      .get('d1', '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1', access)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

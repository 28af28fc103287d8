import { loadConfig } from '../../src/config/config';
import type { FieldError } from '../../src/common/envelope';
import { PointListPipe } from '../../src/devices/pipes/point-list.pipe';
import { rejectionOf as rejected } from '../support/rejection';

const pipe = new PointListPipe(loadConfig({ MAX_POINTS_PER_REQUEST: '3' }));

const rejectionOf = (body: unknown) => rejected(() => pipe.transform(body));

const fieldErrorsOf = (body: unknown): FieldError[] | undefined => rejectionOf(body).errors;

describe('PointListPipe', () => {
  it('returns the points, in request order', () => {
    const points = pipe.transform([
      { id: 'p1', pointType: 'temperature' },
      { id: 'p2', pointType: 'humidity' },
    ]);
    expect(points).toHaveLength(2);
    expect(points.map((point) => ({ ...point }))).toEqual([
      { id: 'p1', pointType: 'temperature' },
      { id: 'p2', pointType: 'humidity' },
    ]);
  });

  it.each<[string, unknown]>([
    ['an object', { id: 'p1', pointType: 't' }],
    ['a string', 'p1'],
    ['null', null],
  ])('rejects a body that is %s rather than an array', (_case, body) => {
    const error = rejectionOf(body);
    expect(error.message).toBe('The request body must be a JSON array of points');
    expect(error.errors).toBeUndefined();
  });

  it('rejects an empty array with No points provided', () => {
    const error = rejectionOf([]);
    expect(error.message).toBe('No points provided');
    expect(error.errors).toBeUndefined();
  });

  it('accepts exactly the configured maximum of points', () => {
    const body = [1, 2, 3].map((n) => ({ id: `p${n}`, pointType: 't' }));
    expect(pipe.transform(body)).toHaveLength(3);
  });

  it('rejects one point over the configured maximum, stating the limit', () => {
    const body = [1, 2, 3, 4].map((n) => ({ id: `p${n}`, pointType: 't' }));
    expect(rejectionOf(body).message).toBe('Too many points: a request may register at most 3 points, got 4');
  });

  it('names each invalid item by its index and field', () => {
    const error = rejectionOf([{ id: 'p1', pointType: 't' }, { id: 'p2' }, 'p3']);
    expect(error.errors).toEqual([
      { path: '[1].pointType', message: 'pointType must be a string' },
      { path: '[2]', message: 'each point must be an object with id and pointType' },
    ]);
    expect(error.message).toBe(
      'Invalid points: [1].pointType: pointType must be a string; [2]: each point must be an object with id and pointType',
    );
  });

  it('rejects an item that is an array or null as not an object', () => {
    expect(fieldErrorsOf([[], null])).toEqual([
      { path: '[0]', message: 'each point must be an object with id and pointType' },
      { path: '[1]', message: 'each point must be an object with id and pointType' },
    ]);
  });

  it('rejects a non-string id', () => {
    expect(fieldErrorsOf([{ id: 7, pointType: 't' }])).toEqual([{ path: '[0].id', message: 'id must be a string' }]);
  });

  it('rejects an unknown field', () => {
    expect(fieldErrorsOf([{ id: 'p1', pointType: 't', colour: 'red' }])).toEqual([
      { path: '[0].colour', message: 'colour is not a known field' },
    ]);
  });

  it('rejects duplicate ids, naming each repeat and the item it repeats', () => {
    const error = rejectionOf([
      { id: 'a', pointType: 't' },
      { id: 'b', pointType: 't' },
      { id: 'a', pointType: 'u' },
    ]);
    expect(error.message).toBe('Duplicate points in the request: [2].id: the same id as [0]: "a"');
    expect(error.errors).toEqual([{ path: '[2].id', message: 'the same id as [0]: "a"' }]);
  });

  it('treats ids that differ only in case as distinct', () => {
    expect(
      pipe.transform([
        { id: 'a', pointType: 't' },
        { id: 'A', pointType: 't' },
      ]),
    ).toHaveLength(2);
  });

  it.each([
    ['NUL', '\u0000'],
    ['a C0 control (tab)', '\t'],
    ['DEL', '\u007f'],
    ['NEL (C1)', '\u0085'],
  ])('rejects %s inside an id or a pointType', (_name, character) => {
    expect(fieldErrorsOf([{ id: `a${character}b`, pointType: `t${character}` }])).toEqual([
      { path: '[0].id', message: 'id must not contain control characters' },
      { path: '[0].pointType', message: 'pointType must not contain control characters' },
    ]);
  });

  it.each([
    ['empty', ''],
    ['white space only', ' \u3000 '],
  ])('rejects an id and a pointType that are %s', (_name, value) => {
    expect(fieldErrorsOf([{ id: value, pointType: value }])).toEqual([
      { path: '[0].id', message: 'id must not be empty or blank' },
      { path: '[0].pointType', message: 'pointType must not be empty or blank' },
    ]);
  });

  it('accepts an id of 256 characters and a pointType of 64', () => {
    const [point] = pipe.transform([{ id: 'i'.repeat(256), pointType: 't'.repeat(64) }]);
    expect(point?.id).toHaveLength(256);
    expect(point?.pointType).toHaveLength(64);
  });

  it('rejects an id of 257 characters and a pointType of 65', () => {
    expect(fieldErrorsOf([{ id: 'i'.repeat(257), pointType: 't'.repeat(65) }])).toEqual([
      { path: '[0].id', message: 'id must be at most 256 characters' },
      { path: '[0].pointType', message: 'pointType must be at most 64 characters' },
    ]);
  });

  it('summarizes the first five errors in the message and keeps them all in errors', () => {
    const error = rejectionOf([{}, {}, {}]);
    expect(error.errors).toHaveLength(6);
    expect(error.message).toBe(
      'Invalid points: [0].id: id must be a string; [0].pointType: pointType must be a string; ' +
        '[1].id: id must be a string; [1].pointType: pointType must be a string; ' +
        '[2].id: id must be a string; and 1 more (see errors)',
    );
  });
});

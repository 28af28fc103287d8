import { arrayLiteral } from '../../src/database/array-literal';

describe('arrayLiteral', () => {
  it('joins numbers as JavaScript writes them and UUIDs as they are', () => {
    expect(arrayLiteral([1, -0.5, 1e-7, 5e-324, 1.7976931348623157e308, -1])).toBe(
      '{1,-0.5,1e-7,5e-324,1.7976931348623157e+308,-1}',
    );
    expect(arrayLiteral(['0b0c6c4e-6a3d-4d8e-9b1f-2f7d1c3e5a60'])).toBe('{0b0c6c4e-6a3d-4d8e-9b1f-2f7d1c3e5a60}');
    expect(arrayLiteral([])).toBe('{}');
  });

  it.each([[Number.NaN], [Infinity], ['a,b'], ['"x"'], ['{x}'], ['a b'], ['back\\slash'], [''], ['NULL'], ['null']])(
    'refuses %p, which an unquoted element cannot hold',
    (value) => {
      expect(() => arrayLiteral([value])).toThrow(/would need quoting/);
    },
  );
});

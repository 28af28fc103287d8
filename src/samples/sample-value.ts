/**
 * The rule of a sample's value, defined once: a JSON number, or a string holding a decimal number
 * (`21.5`, `-3`, `1e-3`, `.5`; not `NaN`, `Infinity`, hex or blanks), finite. The DTO documents it,
 * the write's compiled schema checks its shape, and `sampleValueOf` converts it.
 */
export const DECIMAL_PATTERN = '^[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?$';
const DECIMAL = new RegExp(DECIMAL_PATTERN);
/** Longest decimal string accepted (a double needs at most 17 significant digits). */
export const DECIMAL_MAX_LENGTH = 64;

/** The JSON schema of a value: what the OpenAPI document shows and the write's fast path compiles. */
export const SAMPLE_VALUE_SCHEMA = {
  oneOf: [
    { type: 'number' as const },
    { type: 'string' as const, pattern: DECIMAL_PATTERN, maxLength: DECIMAL_MAX_LENGTH },
  ],
};

/** The value as a finite double, or undefined when it is not a sample value. */
export function sampleValueOf(value: unknown): number | undefined {
  // JSON has no NaN or Infinity, but 1e999 parses as Infinity.
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.length > DECIMAL_MAX_LENGTH || !DECIMAL.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** Why `value` is not a sample value (for the answer); only asked of values sampleValueOf refused. */
export function sampleValueProblem(value: unknown): string {
  const decimal = typeof value === 'string' && value.length <= DECIMAL_MAX_LENGTH && DECIMAL.test(value);
  return typeof value === 'number' || decimal
    ? 'val must be a finite number'
    : 'val must be a number, or a string holding a decimal number';
}

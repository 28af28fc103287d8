/** The rules of a sample's fields, shared by the pipe that enforces them and the DTOs that document them. */

/** A UUID, any version, either case (answers use lower case). */
export const UUID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
export const UUID = new RegExp(UUID_PATTERN);

/** A decimal number in a string: `21.5`, `-3`, `1e-3`, `.5`. Not `NaN`, `Infinity`, hex or blanks. */
export const DECIMAL_PATTERN = '^[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?$';
export const DECIMAL = new RegExp(DECIMAL_PATTERN);
/** Longest decimal string accepted (a double needs at most 17 significant digits). */
export const DECIMAL_MAX_LENGTH = 64;

/** The shape of an RFC 3339 timestamp with an offset (parseInstant checks the calendar and range). */
export const RFC3339_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?(?:[Zz]|[+-]\\d{2}:\\d{2})$';

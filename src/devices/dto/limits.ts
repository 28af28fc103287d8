/** Length limits of the devices API, shared by DTOs, pipes and the OpenAPI document. */
export const DEVICE_ID_MAX_LENGTH = 256;
export const POINT_ID_MAX_LENGTH = 256;
export const POINT_TYPE_MAX_LENGTH = 64;

/** C0 and C1 control characters (NUL included) and DEL: never part of an id or a type. */
const CONTROL_CHARACTER_CLASS = '\\u0000-\\u001f\\u007f-\\u009f';
export const WITHOUT_CONTROL_CHARACTERS = new RegExp(`^[^${CONTROL_CHARACTER_CLASS}]*$`);
/** Well-formed Unicode: no lone surrogate (it cannot be stored as UTF-8). */
export const WELL_FORMED_UNICODE = /^\P{Cs}*$/u;
/** At least one character that is not white space. */
export const NOT_BLANK = /\S/;
/** Both rules above as one pattern, for the OpenAPI document. */
export const SAFE_TEXT_PATTERN = `^(?=[\\s\\S]*\\S)[^${CONTROL_CHARACTER_CLASS}]*$`;

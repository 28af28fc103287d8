/**
 * The response envelope of the apollo API family, spelled as the founding document spells it
 * (`Message`, `Code`) for every response, reads included.
 */
export interface EnvelopeStatus {
  Message: string;
  Code: string;
}

/** One invalid input, located by a path into the request: `[3].pointType`, `deviceId`. */
export interface FieldError {
  path: string;
  message: string;
}

export interface Envelope<T> {
  status: EnvelopeStatus;
  data: T;
  errors?: FieldError[];
}

export function successEnvelope<T>(httpStatus: number, data: T): Envelope<T> {
  return { status: { Message: '', Code: String(httpStatus) }, data };
}

export function errorEnvelope(httpStatus: number, message: string, errors?: FieldError[]): Envelope<null> {
  const body: Envelope<null> = { status: { Message: message, Code: String(httpStatus) }, data: null };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

import type { FieldError } from './envelope';
import { InvalidRequestError } from './errors';

/** Most field errors one answer lists: enough to fix a request; a hostile body must not get an answer larger than itself. */
export const MAX_REPORTED_ERRORS = 100;
/** How many problems the message names before "and N more". */
const SUMMARY_ITEMS = 5;

/** `[0].timestamp, [3].timestamp and 7 more`: the first few paths, and how many others. */
export function namedPaths(paths: readonly string[]): string {
  const named = paths.slice(0, SUMMARY_ITEMS).join(', ');
  return paths.length > SUMMARY_ITEMS ? `${named} and ${paths.length - SUMMARY_ITEMS} more` : named;
}

/** `[0].id: id must...; [2].pointType: ...; and 7 more (see errors)`: the first few problems, and how many others. */
export function summarize(errors: readonly FieldError[]): string {
  const shown = errors.slice(0, SUMMARY_ITEMS).map((e) => `${e.path}: ${e.message}`);
  const more = errors.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more (see errors)` : '');
}

/**
 * The one shape of a 400 about the fields of a request: `<heading>: <summary>`, with at most
 * MAX_REPORTED_ERRORS field errors (`errors`).
 */
export function invalidFields(heading: string, errors: readonly FieldError[]): InvalidRequestError {
  const reported = errors.slice(0, MAX_REPORTED_ERRORS);
  return new InvalidRequestError(`${heading}: ${summarize(reported)}`, reported);
}

import type { FieldError } from './envelope';

/**
 * What went wrong, in domain terms. The exception filter is the one place that turns a kind
 * into an HTTP status (see `HTTP_STATUS_BY_KIND`).
 */
export type ErrorKind =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unsupported_media_type'
  | 'gone'
  | 'too_many_requests'
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  /** Field-level details for validation failures. */
  readonly errors?: FieldError[];
  /** Extra response headers, e.g. WWW-Authenticate. */
  readonly headers: Record<string, string> = {};

  constructor(message: string, errors?: FieldError[]) {
    super(message);
    this.name = new.target.name;
    if (errors) this.errors = errors;
  }
}

export class InvalidRequestError extends DomainError {
  readonly kind = 'invalid_request';
}

/** The credentials are missing or not acceptable (RFC 6750 `invalid_token`). */
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';

  constructor(message: string, tokenPresented: boolean) {
    super(message);
    this.headers['WWW-Authenticate'] = tokenPresented
      ? `Bearer error="invalid_token", error_description="${message.replace(/"/g, "'")}"`
      : 'Bearer';
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

/** The token lacks every scope that would allow the route (RFC 6750 `insufficient_scope`). */
export class InsufficientScopeError extends ForbiddenError {
  constructor(anyOf: readonly string[]) {
    super(`Missing required scope: the token needs one of ${anyOf.join(', ')}`);
    this.headers['WWW-Authenticate'] = `Bearer error="insufficient_scope", scope="${anyOf.join(' ')}"`;
  }
}

/** Worded identically whether the device lives in another collection or nowhere. */
export class DeviceAccessDeniedError extends ForbiddenError {
  constructor() {
    super('User does not have access to device');
  }
}

export class CollectionAccessDeniedError extends ForbiddenError {
  constructor() {
    super('User does not have access to the collection named by erCollectionId');
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** The body's Content-Type or Content-Encoding is not one the route takes. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly kind = 'unsupported_media_type';
}

/** What the request points at existed but is no longer kept (a stream's too old Last-Event-ID). */
export class GoneError extends DomainError {
  readonly kind = 'gone';
}

/** A limit other than the rate limit (open streams of a subject) is reached. */
export class TooManyRequestsError extends DomainError {
  readonly kind = 'too_many_requests';
}

export class ServiceUnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

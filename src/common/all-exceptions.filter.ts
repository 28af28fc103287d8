import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  NotFoundException,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { errorEnvelope } from './envelope';
import { DomainError, type ErrorKind } from './errors';
import type { RouteTable } from './route-table';

const HTTP_STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid_request: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  gone: HttpStatus.GONE,
  too_many_requests: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Statuses whose framework message is replaced by ours. */
const OWN_MESSAGE_STATUSES = new Set([401, 403, 404, 405, 414, 415, 429]);

const GENERIC_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Route not found',
  405: 'Method not allowed',
  408: 'Request timed out',
  414: 'Request URI is too long',
  415: 'Content-Type must be application/json',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/**
 * Turns an error of a dependency (the database driver, say) into the domain error it means, or
 * undefined when it means nothing known (a bug: 500). Dependencies contribute their own.
 */
export type ErrorClassifier = (error: unknown) => DomainError | undefined;

interface Resolved {
  status: number;
  message: string;
  error?: DomainError;
  headers?: Record<string, string>;
}

/**
 * The one place where failures become HTTP responses: every error, from our code, Nest, Fastify or
 * the database, leaves in the envelope `{status: {Message, Code}, data: null}`. Unknown errors are
 * a 500 with a generic message and a log line that carries the correlation id; never a stack trace.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(
    private readonly bodyLimit: number,
    private readonly routes: RouteTable,
    private readonly classifiers: readonly ErrorClassifier[],
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const resolved = this.resolve(exception, request);

    if (resolved.error?.kind === 'unavailable') {
      // Expected while a dependency is down: one line, no stack trace.
      request.log.warn({ reason: resolved.message }, 'service unavailable');
    } else if (resolved.status >= 500) {
      request.log.error({ err: exception }, 'request failed');
    }
    if (reply.sent) return;
    for (const [name, value] of Object.entries({ ...resolved.error?.headers, ...resolved.headers })) {
      void reply.header(name, value);
    }
    void reply
      .status(resolved.status)
      .type('application/json; charset=utf-8')
      .send(errorEnvelope(resolved.status, resolved.message, resolved.error?.errors));
  }

  private resolve(exception: unknown, request: FastifyRequest): Resolved {
    const domain = exception instanceof DomainError ? exception : this.classify(exception);
    if (domain) {
      return { status: HTTP_STATUS_BY_KIND[domain.kind], message: domain.message, error: domain };
    }
    if (exception instanceof NotFoundException) {
      // Nest's own 404 for an unmatched route: a 405 when the path exists with other methods.
      const allowed = this.routes.allowedMethods(request.url);
      if (allowed.length > 0 && !allowed.includes(request.method as (typeof allowed)[number])) {
        return { status: 405, message: GENERIC_MESSAGES[405]!, headers: { Allow: allowed.join(', ') } };
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, message: this.messageOf(exception, status, request) };
    }
    return { status: 500, message: GENERIC_MESSAGES[500]! };
  }

  private classify(exception: unknown): DomainError | undefined {
    for (const classify of this.classifiers) {
      const domain = classify(exception);
      if (domain) return domain;
    }
    return undefined;
  }

  /**
   * Nest's and Fastify's own errors (Nest wraps Fastify's 4xx errors in an HttpException) keep
   * their message when it is a useful sentence (a 400 on malformed JSON); statuses whose framework
   * message is terse or names the requested path get ours.
   */
  private messageOf(exception: HttpException, status: number, request: FastifyRequest): string {
    if (status === 413) {
      // The route's own limit (a route may raise it, see CompressedJsonBody), else the global one.
      return `Request body is larger than the limit of ${request.routeOptions?.bodyLimit ?? this.bodyLimit} bytes`;
    }
    if (status >= 500 || OWN_MESSAGE_STATUSES.has(status)) {
      return GENERIC_MESSAGES[status] ?? GENERIC_MESSAGES[500]!;
    }
    return exception.message;
  }
}

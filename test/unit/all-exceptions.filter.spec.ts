import {
  BadRequestException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
  type ArgumentsHost,
} from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { QueryFailedError } from 'typeorm';

import { AllExceptionsFilter } from '../../src/common/all-exceptions.filter';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InsufficientScopeError,
  InvalidRequestError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthenticatedError,
} from '../../src/common/errors';
import { RouteTable } from '../../src/common/route-table';
import { classifyDatabaseError } from '../../src/database/database-errors';

const BODY_LIMIT = 1_048_576;
const TIMESERIES_ROUTE = '/apollo/devices/:deviceId/timeseries';

/** What the filter does to the Fastify reply, recorded. */
class RecordingReply {
  sent = false;
  statusCode: number | undefined;
  contentType: string | undefined;
  body: unknown;
  readonly headers: Record<string, string> = {};

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  header(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  type(contentType: string): this {
    this.contentType = contentType;
    return this;
  }

  send(body: unknown): this {
    this.body = body;
    return this;
  }
}

interface FakeRequest {
  url: string;
  method: string;
  log: { error: jest.Mock; warn: jest.Mock };
}

type OnRoute = (route: { method: string | string[]; url: string }) => void;

/** A RouteTable fed through its real onRoute hook, as Fastify would feed it. */
function routeTable(...routes: Array<{ method: string | string[]; url: string }>): RouteTable {
  let onRoute: OnRoute | undefined;
  const fastify = {
    addHook: (name: string, hook: OnRoute) => {
      if (name === 'onRoute') onRoute = hook;
    },
  };
  // The fake implements only addHook, the one member RouteTable.track uses.
  const table = RouteTable.track(fastify as unknown as FastifyInstance);
  for (const route of routes) onRoute?.(route);
  return table;
}

const filter = new AllExceptionsFilter(BODY_LIMIT, routeTable({ method: 'POST', url: TIMESERIES_ROUTE }), [
  classifyDatabaseError,
]);

function handle(
  exception: unknown,
  request: Partial<FakeRequest> = {},
  reply = new RecordingReply(),
): { request: FakeRequest; reply: RecordingReply } {
  const fullRequest: FakeRequest = {
    url: '/apollo/devices/d1/timeseries',
    method: 'POST',
    log: { error: jest.fn(), warn: jest.fn() },
    ...request,
  };
  const host = { switchToHttp: () => ({ getRequest: () => fullRequest, getResponse: () => reply }) };
  // The fake implements only switchToHttp, the one member the filter uses.
  filter.catch(exception, host as unknown as ArgumentsHost);
  return { request: fullRequest, reply };
}

const envelope = (code: number, message: string) => ({
  status: { Message: message, Code: String(code) },
  data: null,
});

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('AllExceptionsFilter', () => {
  describe('domain errors', () => {
    it.each<[string, DomainError, number]>([
      ['invalid_request', new InvalidRequestError('bad input'), 400],
      ['unauthenticated', new UnauthenticatedError('no token', false), 401],
      ['forbidden', new ForbiddenError('not yours'), 403],
      ['not_found', new NotFoundError('no such thing'), 404],
      ['conflict', new ConflictError('already there'), 409],
      ['unavailable', new ServiceUnavailableError('down'), 503],
    ])('maps the %s kind to its HTTP status with its message in the envelope', (_kind, error, status) => {
      const { reply } = handle(error);
      expect(reply.statusCode).toBe(status);
      expect(reply.contentType).toBe('application/json; charset=utf-8');
      expect(reply.body).toEqual(envelope(status, error.message));
    });

    it('adds the field errors to the envelope when the error has some', () => {
      const errors = [{ path: '[0].id', message: 'id must be a string' }];
      const { reply } = handle(new InvalidRequestError('Invalid points', errors));
      expect(reply.body).toEqual({ ...envelope(400, 'Invalid points'), errors });
    });

    it('leaves errors out of the envelope when the error has none', () => {
      const { reply } = handle(new InvalidRequestError('bad input'));
      expect(reply.body).not.toHaveProperty('errors');
    });

    it('sets the WWW-Authenticate header of an invalid token', () => {
      const { reply } = handle(new UnauthenticatedError('jwt expired', true));
      expect(reply.statusCode).toBe(401);
      expect(reply.headers).toEqual({
        'WWW-Authenticate': 'Bearer error="invalid_token", error_description="jwt expired"',
      });
    });

    it('sets the WWW-Authenticate header of an insufficient scope', () => {
      const { reply } = handle(new InsufficientScopeError(['apollo_write', 'write']));
      expect(reply.statusCode).toBe(403);
      expect(reply.headers).toEqual({
        'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="apollo_write write"',
      });
    });

    it('logs a 503 as one warning without a stack, a 500 as an error, and a 4xx not at all', () => {
      const unavailable = handle(new ServiceUnavailableError('down')).request.log;
      expect(unavailable.warn).toHaveBeenCalledWith({ reason: 'down' }, 'service unavailable');
      expect(unavailable.error).not.toHaveBeenCalled();
      expect(handle(new Error('bug')).request.log.error).toHaveBeenCalledTimes(1);
      const conflict = handle(new ConflictError('already there')).request.log;
      expect(conflict.error).not.toHaveBeenCalled();
      expect(conflict.warn).not.toHaveBeenCalled();
    });
  });

  describe('route not found', () => {
    it('answers 405 with Allow when the path exists with another method', () => {
      const { reply } = handle(new NotFoundException('Cannot DELETE /apollo/devices/d1/timeseries'), {
        method: 'DELETE',
        url: '/apollo/devices/d1/timeseries?x=1',
      });
      expect(reply.statusCode).toBe(405);
      expect(reply.headers).toEqual({ Allow: 'POST' });
      expect(reply.body).toEqual(envelope(405, 'Method not allowed'));
    });

    it('answers 404, not 405, when the path is served with the request method (a missing static file)', () => {
      const { reply } = handle(new NotFoundException('Cannot POST /apollo/devices/d1/timeseries'), {
        method: 'POST',
        url: '/apollo/devices/d1/timeseries',
      });
      expect(reply.statusCode).toBe(404);
      expect(reply.body).toEqual(envelope(404, 'Route not found'));
    });

    it('lists every method of the path in a stable order', () => {
      const table = routeTable({ method: ['HEAD', 'GET'], url: '/health' }, { method: 'DELETE', url: '/health' });
      expect(table.allowedMethods('/health?verbose')).toEqual(['GET', 'HEAD', 'DELETE']);
    });

    it('answers 404 Route not found for a path no route serves, without echoing it', () => {
      const { reply } = handle(new NotFoundException('Cannot GET /no/such/route'), {
        method: 'GET',
        url: '/no/such/route',
      });
      expect(reply.statusCode).toBe(404);
      expect(reply.headers).toEqual({});
      expect(reply.body).toEqual(envelope(404, 'Route not found'));
    });
  });

  describe('framework HTTP errors', () => {
    it('names the body limit on 413', () => {
      const { reply } = handle(new PayloadTooLargeException());
      expect(reply.statusCode).toBe(413);
      expect(reply.body).toEqual(envelope(413, 'Request body is larger than the limit of 1048576 bytes'));
    });

    it('asks for JSON on 415', () => {
      const { reply } = handle(new UnsupportedMediaTypeException('Unsupported Media Type: text/xml'));
      expect(reply.statusCode).toBe(415);
      expect(reply.body).toEqual(envelope(415, 'Content-Type must be application/json'));
    });

    it('replaces the framework message of a 401 with its own', () => {
      const { reply } = handle(new UnauthorizedException('Unauthorized'));
      expect(reply.body).toEqual(envelope(401, 'Authentication required'));
    });

    it("keeps the framework's message of a 400", () => {
      const { reply } = handle(new BadRequestException('Unexpected end of JSON input'));
      expect(reply.body).toEqual(envelope(400, 'Unexpected end of JSON input'));
    });

    it('hides the message of a 5xx HttpException and logs it', () => {
      const exception = new InternalServerErrorException('connection string postgres://u:secret@db');
      const { reply, request } = handle(exception);
      expect(reply.body).toEqual(envelope(500, 'Internal server error'));
      expect(request.log.error).toHaveBeenCalledWith({ err: exception }, 'request failed');
    });

    it('gives a generic message to a 5xx status it has no message for', () => {
      const { reply } = handle(new HttpException('upstream said no', 502));
      expect(reply.statusCode).toBe(502);
      expect(reply.body).toEqual(envelope(502, 'Internal server error'));
    });
  });

  describe('unknown errors', () => {
    it('answers 500 with a generic message, logs the error and never shows the stack', () => {
      const error = new TypeError("Cannot read properties of undefined (reading 'id')");
      const { reply, request } = handle(error);
      expect(reply.statusCode).toBe(500);
      expect(reply.body).toEqual(envelope(500, 'Internal server error'));
      expect(JSON.stringify(reply.body)).not.toContain('TypeError');
      expect(request.log.error).toHaveBeenCalledWith({ err: error }, 'request failed');
    });

    it('answers 500 for a thrown value that is not an Error', () => {
      const { reply } = handle('a string');
      expect(reply.statusCode).toBe(500);
      expect(reply.body).toEqual(envelope(500, 'Internal server error'));
    });

    it('logs but does not answer again when the reply was already sent', () => {
      const reply = new RecordingReply();
      reply.sent = true;
      const { request } = handle(new Error('late failure'), {}, reply);
      expect(request.log.error).toHaveBeenCalledTimes(1);
      expect(reply.statusCode).toBeUndefined();
      expect(reply.body).toBeUndefined();
    });
  });

  describe('database errors', () => {
    const queryFailed = (code: string): QueryFailedError =>
      new QueryFailedError('INSERT ...', [], withCode('database says no', code));

    it('answers 400 when the database refuses the characters of the input (22021)', () => {
      const { reply, request } = handle(queryFailed('22021'));
      expect(reply.statusCode).toBe(400);
      expect(reply.body).toEqual(envelope(400, 'The request contains characters the database cannot store'));
      expect(request.log.error).not.toHaveBeenCalled();
    });

    it('answers 503 when the server is shutting down (57P01)', () => {
      const { reply, request } = handle(queryFailed('57P01'));
      expect(reply.statusCode).toBe(503);
      expect(reply.body).toEqual(envelope(503, 'The database is unavailable; try again shortly'));
      expect(request.log.warn).toHaveBeenCalledTimes(1);
    });

    it('answers 503 when the connection is refused (ECONNREFUSED)', () => {
      const { reply } = handle(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'));
      expect(reply.statusCode).toBe(503);
      expect(reply.body).toEqual(envelope(503, 'The database is unavailable; try again shortly'));
    });

    it('answers 500 for a query failure without a meaning, such as a syntax error (42601)', () => {
      const { reply } = handle(queryFailed('42601'));
      expect(reply.statusCode).toBe(500);
      expect(reply.body).toEqual(envelope(500, 'Internal server error'));
    });
  });
});

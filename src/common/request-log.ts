import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request instead of Fastify's two: the "incoming request" line moves to debug,
 * and "request completed" carries the request (method, url, client) beside the status and the
 * response time. Every line still carries the request's correlation id (`correlationId`), and a
 * request that never completes (a cut connection) is still logged, as "request errored".
 */
export class RequestLogController extends LogController {
  constructor(options: { disableRequestLogging?: boolean | ((request: FastifyRequest) => boolean) } = {}) {
    super({ ...options, requestIdLogLabel: 'correlationId' });
  }

  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}

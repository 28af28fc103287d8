import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

import type { LogLevel } from '../config/config';

/**
 * The service's one logger: structured JSON (pino), shared by Fastify's request logs and Nest.
 * Credentials never reach a log line, whatever logs a request or its headers.
 */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'device-timeseries-api' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'authorization', 'token'],
      censor: '[redacted]',
    },
  });
}

/** Nest's LoggerService over pino, so Nest's own messages are JSON lines too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }

  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }

  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }

  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...message });
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}

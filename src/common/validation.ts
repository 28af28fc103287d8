import { ValidationPipe, type ValidationError } from '@nestjs/common';

import type { FieldError } from './envelope';
import { InvalidRequestError } from './errors';

/** Options every class-validator run in the service shares: unknown fields are errors. */
export const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
} as const;

/** Flattens class-validator's tree into `{path, message}` entries, paths below `prefix`. */
export function toFieldErrors(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = joinPath(prefix, error.property);
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ path, message: message.replace(/^property (\S+) should not exist$/, '$1 is not a known field') });
    }
    if (error.children?.length) out.push(...toFieldErrors(error.children, path));
  }
  return out;
}

function joinPath(prefix: string, property: string): string {
  if (/^\d+$/.test(property)) return `${prefix}[${property}]`;
  return prefix ? `${prefix}.${property}` : property;
}

/** Global pipe for query strings, params and object bodies: failures become 400s with field paths. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = toFieldErrors(errors);
      return new InvalidRequestError(
        `Invalid request: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
        fields,
      );
    },
  });
}

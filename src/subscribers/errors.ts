import { AppError } from '../errors.ts';

/** Too many requests from one IP or for one address; the web layer adds Retry-After. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message);
  }
}

/** Input that failed validation: one clear message per field, shown next to the field. */
export class InvalidInputError extends AppError {
  constructor(
    readonly fields: Record<string, string>,
    message = 'Please correct the fields marked below.',
  ) {
    super('bad_request', message);
  }
}

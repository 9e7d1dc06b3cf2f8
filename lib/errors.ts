// Domain errors, turned into HTTP responses in one place (lib/http.ts).

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(400, 'bad_request', message, details);
  }
}
export class UnauthorizedError extends HttpError {
  constructor(message = 'Sign in required') {
    super(401, 'unauthorized', message);
  }
}
export class ForbiddenError extends HttpError {
  constructor(message = 'You do not have permission to do this') {
    super(403, 'forbidden', message);
  }
}
export class NotFoundError extends HttpError {
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}
export class ConflictError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}
export class PayloadTooLargeError extends HttpError {
  constructor(message: string) {
    super(413, 'too_large', message);
  }
}
/** The database is down or unreachable: the request may succeed later, so 503 with the reason rather than 500. */
export class ServiceUnavailableError extends HttpError {
  constructor(message: string) {
    super(503, 'unavailable', message);
  }
}
export class TooManyRequestsError extends HttpError {
  constructor(message = 'Too many requests') {
    super(429, 'rate_limited', message);
  }
}

/** A unique-constraint violation, from a model query or a raw one. */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, meta } = e as {
    code?: string;
    meta?: { driverAdapterError?: { cause?: { kind?: string } } };
  };
  // A model query's violation is P2002; a raw query's is P2010 with the driver adapter's classification.
  return (
    code === 'P2002' ||
    (code === 'P2010' && meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation')
  );
}

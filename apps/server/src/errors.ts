/**
 * One error type for everything a client can cause. `code` is stable (clients and tests match
 * on it); `message` is for people; `details` names fields, files or lines. The global handler in
 * http/error-handler.ts turns it into `{code, message, details}`; anything that is not an
 * AppError is a fault, logged with the request id and answered as a bare 500.
 */
export interface ErrorDetail {
  field?: string;
  file?: string;
  line?: number;
  message: string;
}

export const ErrorCodes = {
  VALIDATION: 400,
  BAD_REQUEST: 400,
  INVALID_MEDIA: 400,
  /** A task has one ground-truth job at most (CVAT's TaskGroundTruthJobsLimitError). */
  GROUND_TRUTH_JOB_EXISTS: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  REGISTRATION_CLOSED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** More fields for the body, e.g. what changed behind a 409. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ErrorCodes[code];
  }

  /** The same answer for "does not exist" and "you may not see it", so ids cannot be probed. */
  static notFound(what: string, id?: number | string): AppError {
    return new AppError('NOT_FOUND', id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }

  static invalid(field: string, message: string): AppError {
    return new AppError('VALIDATION', `${field}: ${message}`, [{ field, message }]);
  }

  static forbidden(message = 'you do not have permission to perform this action'): AppError {
    return new AppError('FORBIDDEN', message);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

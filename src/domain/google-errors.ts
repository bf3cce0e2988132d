/** What the worker needs to know about a failed Google API call. */
export interface GoogleCallFailure {
  /** HTTP status, or undefined when no response arrived (network error, timeout). */
  status: number | undefined;
  /** Google's `errors[0].reason`, e.g. `rateLimitExceeded`, `duplicate`, `notFound`. */
  reason: string | undefined;
  message: string;
  retryable: boolean;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
// Google reports quota exhaustion as 403 too; only these reasons make a 403 worth retrying.
const RETRYABLE_403_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

export function isRetryableGoogleError(status: number | undefined, reason: string | undefined): boolean {
  if (status === undefined) return true; // no answer: network error, reset, timeout
  if (RETRYABLE_STATUS.has(status)) return true;
  return status === 403 && reason !== undefined && RETRYABLE_403_REASONS.has(reason);
}

interface ErrorLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown };
}

interface GoogleErrorBody {
  error?: { code?: unknown; message?: unknown; errors?: Array<{ reason?: unknown; message?: unknown }> };
}

/** Reads a googleapis (gaxios) error, or any thrown value, into a classified failure. */
export function describeGoogleError(error: unknown): GoogleCallFailure {
  const err = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const status = numberOrUndefined(err.response?.status) ?? numberOrUndefined(err.status) ?? numberOrUndefined(err.code);
  const body = (err.response?.data ?? {}) as GoogleErrorBody;
  const first = Array.isArray(body.error?.errors) ? body.error.errors[0] : undefined;
  const reason = typeof first?.reason === 'string' ? first.reason : undefined;
  const detail =
    (typeof body.error?.message === 'string' && body.error.message) ||
    (typeof err.message === 'string' && err.message) ||
    String(error);
  const message = status === undefined ? `no response from Google Calendar: ${detail}` : `Google Calendar answered ${status}${reason ? ` ${reason}` : ''}: ${detail}`;
  return { status, reason, message, retryable: isRetryableGoogleError(status, reason) };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value < 600 ? value : undefined;
}

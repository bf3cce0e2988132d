/** What the worker needs to know about a failed Google API call. */
export interface GoogleCallFailure {
  /** HTTP status, or undefined when no response arrived (network error, timeout). */
  status: number | undefined;
  /** Google's `errors[0].reason`, e.g. `rateLimitExceeded`, `duplicate`, `notFound`. */
  reason: string | undefined;
  message: string;
  retryable: boolean;
  /**
   * Google refuses the service account itself (401, a 403 that is not a rate limit, or the token
   * endpoint's `invalid_grant`): every session fails alike until an admin restores its access.
   */
  credentials: boolean;
}

/** The ApplicationFailure type of a call that failed on the service account's credentials. */
export const GOOGLE_CREDENTIALS_ERROR = 'GoogleCredentialsError';

/** The admin alert kind for a creation that failed with this ApplicationFailure type. */
export function creationAlertKind(failureType: string | undefined): 'credentials' | 'creation-failed' {
  return failureType === GOOGLE_CREDENTIALS_ERROR ? 'credentials' : 'creation-failed';
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
// Google reports rate limits and usage quotas as 403 too; only these reasons make a 403 worth
// retrying. `quotaExceeded` ("Calendar usage limits exceeded") is the organizer's own quota: Google
// says to back off and try again later, which the workflow's retry schedule does.
const RETRYABLE_403_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

export function isRetryableGoogleError(status: number | undefined, reason: string | undefined): boolean {
  if (status === undefined) return true; // no answer: network error, reset, timeout
  if (RETRYABLE_STATUS.has(status)) return true;
  return status === 403 && reason !== undefined && RETRYABLE_403_REASONS.has(reason);
}

// 403 reasons that mean the service account may not do this at all (revoked delegation, lost access).
const CREDENTIALS_403_REASONS = new Set(['forbidden', 'forbiddenForServiceAccounts', 'insufficientPermissions', 'accessNotConfigured']);
// OAuth token endpoint refusals (RFC 6749 §5.2) that no retry will change.
const TOKEN_REFUSALS = new Set(['invalid_grant', 'unauthorized_client', 'invalid_client', 'access_denied']);

export function isCredentialsFailure(status: number | undefined, reason: string | undefined): boolean {
  if (status === 401) return true;
  if (status === 403) return reason === undefined || CREDENTIALS_403_REASONS.has(reason);
  return status === 400 && reason !== undefined && TOKEN_REFUSALS.has(reason);
}

interface ErrorLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown };
}

/** The Calendar API's error body, or the OAuth token endpoint's (`error` a string). */
interface GoogleErrorBody {
  error?: string | { code?: unknown; message?: unknown; errors?: Array<{ reason?: unknown; message?: unknown }> };
  error_description?: unknown;
}

/** Reads a googleapis (gaxios) error, or any thrown value, into a classified failure. */
export function describeGoogleError(error: unknown): GoogleCallFailure {
  const err = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const status = numberOrUndefined(err.response?.status) ?? numberOrUndefined(err.status) ?? numberOrUndefined(err.code);
  const data = err.response?.data;
  const body = (typeof data === 'object' && data !== null ? data : {}) as GoogleErrorBody;
  const fallback = (typeof err.message === 'string' && err.message) || String(error);
  if (typeof body.error === 'string') {
    // The token endpoint: the service account could not even sign in.
    const reason = body.error;
    const detail = typeof body.error_description === 'string' ? body.error_description : fallback;
    const message = `Google's token endpoint answered ${status ?? 'nothing'} ${reason}: ${detail}`;
    return { status, reason, message, retryable: isRetryableGoogleError(status, reason), credentials: isCredentialsFailure(status, reason) };
  }
  const first = Array.isArray(body.error?.errors) ? body.error.errors[0] : undefined;
  const reason = typeof first?.reason === 'string' ? first.reason : undefined;
  const detail = (typeof body.error?.message === 'string' && body.error.message) || fallback;
  const message = status === undefined ? `no response from Google Calendar: ${detail}` : `Google Calendar answered ${status}${reason ? ` ${reason}` : ''}: ${detail}`;
  const retryable = isRetryableGoogleError(status, reason);
  return { status, reason, message, retryable, credentials: !retryable && isCredentialsFailure(status, reason) };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value < 600 ? value : undefined;
}

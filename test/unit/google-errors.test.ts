import { describeGoogleError, isRetryableGoogleError } from '../../src/domain/google-errors';

describe('isRetryableGoogleError', () => {
  test.each([429, 500, 502, 503, 504])('%i is retried', (status) => expect(isRetryableGoogleError(status, undefined)).toBe(true));
  test.each(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded'])('403 %s is retried (Google sends rate limits and quotas as 403 too)', (reason) =>
    expect(isRetryableGoogleError(403, reason)).toBe(true),
  );
  test.each([
    [400, 'badRequest'],
    [401, 'authError'],
    [403, 'forbiddenForServiceAccounts'],
    [403, 'forbidden'],
    [403, undefined],
    [404, 'notFound'],
    [409, 'duplicate'],
    [410, 'deleted'],
  ])('%i %s is not retried', (status, reason) => expect(isRetryableGoogleError(status, reason)).toBe(false));
  test('no response at all (network error) is retried', () => expect(isRetryableGoogleError(undefined, undefined)).toBe(true));
});

describe('describeGoogleError', () => {
  test('reads status, reason and message from a gaxios error with a Google error body', () => {
    const error = Object.assign(new Error('Rate Limit Exceeded'), {
      status: 403,
      response: {
        status: 403,
        data: { error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }] } },
      },
    });
    expect(describeGoogleError(error)).toEqual({
      status: 403,
      reason: 'rateLimitExceeded',
      message: 'Google Calendar answered 403 rateLimitExceeded: Rate Limit Exceeded',
      retryable: true,
      credentials: false,
    });
  });

  test("403 usageLimits quotaExceeded (the organizer's Calendar usage limits) is retryable and not a credentials failure", () => {
    const error = Object.assign(new Error('Calendar usage limits exceeded.'), {
      status: 403,
      response: {
        status: 403,
        data: {
          error: {
            code: 403,
            message: 'Calendar usage limits exceeded.',
            errors: [{ domain: 'usageLimits', reason: 'quotaExceeded', message: 'Calendar usage limits exceeded.' }],
          },
        },
      },
    });
    expect(describeGoogleError(error)).toEqual({
      status: 403,
      reason: 'quotaExceeded',
      message: 'Google Calendar answered 403 quotaExceeded: Calendar usage limits exceeded.',
      retryable: true,
      credentials: false,
    });
  });

  test('a network error (string code, no response) is retryable and says no response came', () => {
    const error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(describeGoogleError(error)).toMatchObject({ status: undefined, retryable: true, message: 'no response from Google Calendar: socket hang up' });
  });

  test('anything thrown is described, not re-thrown', () => {
    expect(describeGoogleError('boom')).toMatchObject({ status: undefined, message: 'no response from Google Calendar: boom' });
  });
});

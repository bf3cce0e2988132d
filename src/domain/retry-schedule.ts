/**
 * The meeting-creation retry schedule: the first attempt runs at once, then one more attempt after
 * each wait in the schedule (the spec's default `30s,2m,8m` gives four attempts in all).
 */
export function maxAttempts(backoffMs: readonly number[]): number {
  return backoffMs.length + 1;
}

/**
 * How long to wait before the next attempt after `attempt` (1-based) failed, or `undefined` when
 * there is to be no next attempt: the error is permanent or the schedule is used up.
 */
export function nextRetryDelay(backoffMs: readonly number[], attempt: number, retryable: boolean): number | undefined {
  if (!retryable) return undefined;
  return backoffMs[attempt - 1];
}

import { outcomeUnknown } from '../../src/client/session-meetings';
import { decideFailureRate, NOT_ALERTING, stateAfter, type FailureRateState } from '../../src/domain/failure-rate';

const policy = { windowMs: 3_600_000, alertRate: 0.05, minAttempts: 20 };
const now = Date.parse('2026-12-01T12:00:00Z');
const alerting = (minutesAgo: number): FailureRateState => ({ alerting: true, lastAlertedAt: now - minutesAgo * 60_000 });

test.each([
  ['no creations', { failed: 0, ended: 0 }, null],
  ['all fine', { failed: 0, ended: 40 }, 0],
  ['at the threshold, not above it', { failed: 2, ended: 40 }, 0.05],
  ['above it, but fewer creations than the minimum', { failed: 19, ended: 19 }, 1],
])('%s: no alert', (_, counts, rate) => {
  expect(decideFailureRate(counts, NOT_ALERTING, policy, now)).toEqual({ ...counts, rate, action: 'none' });
});

test('crossing above the threshold with the minimum count alerts', () => {
  expect(decideFailureRate({ failed: 2, ended: 20 }, NOT_ALERTING, policy, now)).toEqual({ failed: 2, ended: 20, rate: 0.1, action: 'alert' });
});

test('while it stays above: nothing within the window of the last alert, one reminder after it', () => {
  expect(decideFailureRate({ failed: 5, ended: 20 }, alerting(59), policy, now).action).toBe('none');
  expect(decideFailureRate({ failed: 5, ended: 20 }, alerting(60), policy, now).action).toBe('remind');
});

test('back at or below the threshold with the minimum count: recovery; with too few creations the alert holds', () => {
  expect(decideFailureRate({ failed: 1, ended: 20 }, alerting(5), policy, now).action).toBe('recover');
  expect(decideFailureRate({ failed: 0, ended: 19 }, alerting(90), policy, now).action).toBe('none');
});

test('the state a claim leaves: alerting since now, or not alerting', () => {
  expect(stateAfter('alert', now)).toEqual({ alerting: true, lastAlertedAt: now });
  expect(stateAfter('remind', now)).toEqual({ alerting: true, lastAlertedAt: now });
  expect(stateAfter('recover', now)).toEqual(NOT_ALERTING);
});

/** An error as gRPC reports a status, wrapped as the Temporal client wraps it. */
function grpcFailure(code: number): Error {
  const status = Object.assign(new Error(`${code} status`), { code, details: 'status', metadata: {} });
  return new Error('Failed to start workflow', { cause: status });
}

test('a start that got no answer (unavailable, deadline, internal) has an unknown outcome; a refusal does not', () => {
  expect([1, 2, 4, 13, 14].map((code) => outcomeUnknown(grpcFailure(code)))).toEqual([true, true, true, true, true]);
  expect([3, 5, 6, 7, 8, 9, 16].map((code) => outcomeUnknown(grpcFailure(code)))).toEqual([false, false, false, false, false, false, false]);
  expect(outcomeUnknown(new Error('Namespace no-such-namespace is not found'))).toBe(false);
});

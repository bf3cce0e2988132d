/** The health monitor's failure-rate rule (DESIGN: failure rate), as a plain decision. */

export interface FailureRatePolicy {
  /** The window the rate is computed over, ending now. */
  windowMs: number;
  /** The rate above which the admins are alerted (0.05 = 5 %). */
  alertRate: number;
  /** Fewer creations than this in the window say too little: no alert, no recovery. */
  minAttempts: number;
}

export const DEFAULT_FAILURE_RATE_POLICY: FailureRatePolicy = { windowMs: 3_600_000, alertRate: 0.05, minAttempts: 20 };

/** Audit actions that end a creation (a regeneration counting as its own): with a link, or without. */
export const CREATION_ENDED_ACTIVE = ['MEETING_ACTIVE'] as const;
export const CREATION_ENDED_FAILED = ['ATTEMPTS_EXHAUSTED', 'CREATION_FAILED_PERMANENTLY', 'REGENERATION_FAILED'] as const;

export interface CreationCounts {
  /** Creations that ended FAILED in the window. */
  failed: number;
  /** Creations that ended, ACTIVE or FAILED, in the window. */
  ended: number;
}

/** What the monitor last alerted about: the latest claim, or none yet. */
export interface FailureRateState {
  alerting: boolean;
  /** Epoch ms of the last alert or reminder while alerting. */
  lastAlertedAt: number | null;
}

export type FailureRateAction = 'alert' | 'remind' | 'recover' | 'none';

export interface FailureRateDecision extends CreationCounts {
  action: FailureRateAction;
  rate: number | null;
}

export const NOT_ALERTING: FailureRateState = { alerting: false, lastAlertedAt: null };

/**
 * One alert when the rate goes above the threshold (with at least the minimum count), at most one
 * reminder per window while it stays above, one recovery when it is measured at or below the
 * threshold again. Too few creations change nothing either way.
 */
export function decideFailureRate(counts: CreationCounts, state: FailureRateState, policy: FailureRatePolicy, nowMs: number): FailureRateDecision {
  const rate = counts.ended === 0 ? null : counts.failed / counts.ended;
  const decided = (action: FailureRateAction): FailureRateDecision => ({ ...counts, rate, action });
  if (rate === null || counts.ended < policy.minAttempts) return decided('none');
  const above = rate > policy.alertRate;
  if (!state.alerting) return decided(above ? 'alert' : 'none');
  if (!above) return decided('recover');
  const remindDue = state.lastAlertedAt === null || nowMs - state.lastAlertedAt >= policy.windowMs;
  return decided(remindDue ? 'remind' : 'none');
}

/** The state a claimed action leaves behind. */
export function stateAfter(action: Exclude<FailureRateAction, 'none'>, nowMs: number): FailureRateState {
  return action === 'recover' ? NOT_ALERTING : { alerting: true, lastAlertedAt: nowMs };
}

export function formatRate(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

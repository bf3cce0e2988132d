import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { AdminAlert, HealthActivities, MainActivities } from '../activities';
import { formatDuration } from '../domain/durations';
import { DEFAULT_FAILURE_RATE_POLICY, formatRate, type FailureRateDecision, type FailureRatePolicy } from '../domain/failure-rate';

export interface MeetingHealthInput {
  /** The failure-rate rule; the schedule passes the worker's settings. */
  failureRate?: FailureRatePolicy;
}

export interface MeetingHealthReport {
  /** Sessions whose missing workflow was started. */
  reconciled: string[];
  /** Sessions alerted as starting within 2 hours without a link. */
  withoutLink: string[];
  failureRate: FailureRateDecision;
}

const health = proxyActivities<HealthActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

// The schedule runs again in a few minutes; an alert that cannot get out by then is logged.
const notify = proxyActivities<MainActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

async function alertAdmin(alert: AdminAlert): Promise<void> {
  try {
    await notify.alertAdmin(alert);
  } catch (error) {
    const cause = error instanceof ActivityFailure ? (error.cause ?? error) : error;
    log.error('admin alert could not be sent', { sessionId: alert.sessionId, kind: alert.kind, error: cause instanceof Error ? cause.message : String(cause) });
  }
}

function failureRateAlert(decision: FailureRateDecision, policy: FailureRatePolicy): AdminAlert | null {
  const figures = `${formatRate(decision.rate)} of ${decision.ended} meeting creations failed in the last ${formatDuration(policy.windowMs)} (alert above ${formatRate(policy.alertRate)})`;
  switch (decision.action) {
    case 'alert':
      return { kind: 'failure-rate', occurrence: 'crossed', summary: `Meeting creation failure rate is high: ${figures}`, error: null };
    case 'remind':
      return { kind: 'failure-rate', occurrence: 'reminder', summary: `Meeting creation failure rate is still high: ${figures}`, error: null };
    case 'recover':
      return { kind: 'failure-rate-recovered', occurrence: 'recovered', summary: `Meeting creation failure rate is back to normal: ${figures}`, error: null };
    case 'none':
      return null;
  }
}

/**
 * One run of the health monitor (the schedule `session-meetings-health` starts it): starts the
 * workflows that bookings lost, alerts about sessions starting soon without a link that nothing else
 * looks after, and about the creation failure rate.
 */
export async function MeetingHealthWorkflow(input: MeetingHealthInput = {}): Promise<MeetingHealthReport> {
  const policy = input.failureRate ?? DEFAULT_FAILURE_RATE_POLICY;

  const reconciled = await health.reconcileSessions();
  if (reconciled.length > 0) log.info('workflows started for sessions that had none', { sessions: reconciled });

  const withoutLink = await health.claimSessionsWithoutLinkSoon();
  for (const { sessionId, occurrence } of withoutLink) {
    await alertAdmin({
      sessionId,
      kind: 'no-link-2h',
      occurrence,
      summary: 'The session starts within 2 hours, has no meeting link, and its workflow is not running',
      error: null,
    });
  }

  const failureRate = await health.checkFailureRate(policy);
  const alert = failureRateAlert(failureRate, policy);
  if (alert) await alertAdmin(alert);

  return { reconciled, withoutLink: withoutLink.map(({ sessionId }) => sessionId), failureRate };
}

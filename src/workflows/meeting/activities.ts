// The session workflow's activity proxies: one set per kind of side effect, each with its own retries.
import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { GoogleActivities, MainActivities } from '../../activities';
import { googleTaskQueue } from '../contract';

// Database writes: retried until the database answers again; they are idempotent.
const STORE_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
// Emails: Resend outages are retried for about an hour; a rejected email is not retried.
const EMAIL_RETRY = { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 } as const;

export const store = proxyActivities<MainActivities>({ startToCloseTimeout: '30 seconds', retry: STORE_RETRY });

export const notify = proxyActivities<MainActivities>({ startToCloseTimeout: '1 minute', retry: EMAIL_RETRY });

/**
 * The same database writes and emails as local activities, run by the workflow's own worker without
 * a round-trip through Temporal's server (sessions started since `lean-start`). They run at least
 * once, so each write is idempotent and numbered (see `recordMeetingChange`). Short timeouts: a
 * local activity holds its workflow task; a longer wait between retries becomes a timer.
 */
export const localStore = proxyLocalActivities<MainActivities>({ startToCloseTimeout: '10 seconds', retry: STORE_RETRY });

export const localNotify = proxyLocalActivities<MainActivities>({ startToCloseTimeout: '30 seconds', retry: EMAIL_RETRY });

/**
 * An attempt's quick start (`startMeetingLink`), as a local activity: a link made within the task that
 * decided on it, at no round-trip through Temporal's server. Tried once (the attempt's schedule is the
 * workflow's), and a cancel waits for it to finish, as for the Google activities below.
 */
export const localGoogle = proxyLocalActivities<MainActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { maximumAttempts: 1 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * Google calls, on the rate-limited Google task queue. Creation is tried once per attempt (the
 * workflow's own schedule decides about the next); a cancelled attempt is waited for until its
 * activity has finished, so an insert that lands late is known before the events are deleted.
 * Moves and deletes retry on Temporal's own policy.
 */
export function googleActivities(taskQueue: string, conferenceWaitMs: number) {
  const queue = googleTaskQueue(taskQueue);
  const once = { taskQueue: queue, retry: { maximumAttempts: 1 }, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };
  return {
    create: proxyActivities<GoogleActivities>({ ...once, startToCloseTimeout: '1 minute' }),
    conference: proxyActivities<GoogleActivities>({ ...once, startToCloseTimeout: conferenceWaitMs + 30_000, heartbeatTimeout: '30 seconds' }),
    /** Insert and conference wait in one activity (`makeMeetingLink`): the insert is one call, within the 30 s to spare. */
    link: proxyActivities<GoogleActivities>({ ...once, startToCloseTimeout: conferenceWaitMs + 30_000, heartbeatTimeout: '30 seconds' }),
    changes: proxyActivities<GoogleActivities>({
      taskQueue: queue,
      startToCloseTimeout: '1 minute',
      retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
    }),
  };
}

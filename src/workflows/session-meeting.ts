import {
  ActivityFailure,
  ApplicationFailure,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { GoogleActivities, MainActivities } from '../activities';
import { assertSessionId } from '../domain/meeting-ids';
import { nextRetryDelay } from '../domain/retry-schedule';
import {
  googleTaskQueue,
  meetingStatusSearchAttribute,
  sessionStartTimeSearchAttribute,
  statusQuery,
  type MeetingStatus,
  type MeetingStatusView,
  type SessionMeetingInput,
} from './contract';

/** How long after the session's end the workflow stays, for late admin actions. */
const AFTER_SESSION_GRACE_MS = 60 * 60 * 1000;

// Database writes: retried until the database answers again; they are idempotent.
const store = proxyActivities<MainActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Emails: Resend outages are retried for about an hour; a rejected email is not retried.
const notify = proxyActivities<MainActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});

/** The meeting as the workflow knows it; the `status` query returns it. */
class MeetingTracker {
  readonly view: MeetingStatusView;

  constructor(sessionId: string) {
    this.view = {
      sessionId,
      meetingStatus: 'PENDING',
      meetingUrl: null,
      meetingEventId: null,
      attempts: 0,
      lastError: null,
      startTime: null,
      endTime: null,
      nextReminderAt: null,
    };
  }

  setStatus(status: MeetingStatus): void {
    this.view.meetingStatus = status;
    upsertSearchAttributes([{ key: meetingStatusSearchAttribute, value: status }]);
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function isRetryable(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return !(cause instanceof ApplicationFailure && cause.nonRetryable);
}

/**
 * One tutoring session's Google Meet link, from payment until the session is over: create it
 * (retrying on the configured schedule), store it, email both people, and raise the alarm when it
 * cannot be made.
 */
export async function SessionMeetingWorkflow(input: SessionMeetingInput): Promise<MeetingStatusView> {
  const sessionId = assertSessionId(input?.sessionId);
  const meeting = new MeetingTracker(sessionId);
  setHandler(statusQuery, () => meeting.view);

  const schedule = await store.loadMeetingSession(sessionId).catch((error: unknown) => {
    throw ApplicationFailure.nonRetryable(failureMessage(error), 'InvalidSession');
  });
  meeting.view.startTime = schedule.startTime;
  meeting.view.endTime = schedule.endTime;
  upsertSearchAttributes([{ key: sessionStartTimeSearchAttribute, value: new Date(schedule.startTime) }]);
  const policy = await store.meetingPolicy();

  // Google calls: one try each; the spec's retry schedule below decides about the next attempt.
  const googleQueue = googleTaskQueue(workflowInfo().taskQueue);
  const google = proxyActivities<GoogleActivities>({ taskQueue: googleQueue, startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } });
  const conference = proxyActivities<GoogleActivities>({
    taskQueue: googleQueue,
    startToCloseTimeout: policy.conferenceWaitMs + 30_000,
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 1 },
  });

  async function createMeetingLink(generation: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      meeting.view.attempts = attempt;
      meeting.setStatus('CREATING');
      await store.recordMeetingChange(sessionId, { kind: 'attemptStarted', generation, attempt });
      try {
        const event = await google.createMeetingEvent(sessionId, generation, attempt);
        meeting.view.meetingEventId = event.eventId;
        const meetingUrl = event.meetingUrl ?? (await conference.awaitConference(event.eventId, policy.conferenceWaitMs));
        await store.recordMeetingChange(sessionId, { kind: 'meetingActive', generation, attempt, eventId: event.eventId, meetingUrl });
        meeting.view.meetingUrl = meetingUrl;
        meeting.view.lastError = null;
        meeting.setStatus('ACTIVE');
        return;
      } catch (error) {
        const message = failureMessage(error);
        meeting.view.lastError = message;
        const retryable = isRetryable(error);
        const retryInMs = nextRetryDelay(policy.retryBackoffMs, attempt, retryable);
        if (retryInMs === undefined) {
          await store.recordMeetingChange(sessionId, { kind: 'creationFailed', generation, attempts: attempt, error: message, permanent: !retryable });
          meeting.setStatus('FAILED');
          await alertAdmin({
            sessionId,
            kind: 'creation-failed',
            generation,
            summary: retryable ? `Meeting creation failed after ${attempt} attempts` : 'Meeting creation failed with a permanent error',
            error: message,
          });
          return;
        }
        log.warn('meeting attempt failed; retrying', { sessionId, attempt, retryInMs, error: message });
        await store.recordMeetingChange(sessionId, { kind: 'attemptFailed', generation, attempt, error: message, retryInMs });
        await sleep(retryInMs);
      }
    }
  }

  async function alertAdmin(alert: Parameters<MainActivities['alertAdmin']>[0]): Promise<void> {
    try {
      await notify.alertAdmin(alert);
    } catch (error) {
      log.error('admin alert could not be sent', { sessionId, kind: alert.kind, error: failureMessage(error) });
    }
  }

  async function emailBothParties(kind: 'confirmation', generation: number): Promise<void> {
    try {
      await notify.sendMeetingEmails(sessionId, kind, generation);
    } catch (error) {
      const message = failureMessage(error);
      await store.appendAudit(sessionId, { action: 'EMAIL_FAILED', actor: 'system', outcome: 'FAILURE', error: message, detail: { kind, generation } });
      await alertAdmin({ sessionId, kind: `email-${kind}-failed`, generation, summary: `The ${kind} emails could not be sent`, error: message });
    }
  }

  const generation = 1;
  await createMeetingLink(generation);
  if (meeting.view.meetingStatus === 'ACTIVE') await emailBothParties('confirmation', generation);

  // A FAILED meeting stays here too, waiting for an admin until the session is over.
  const untilOver = Date.parse(schedule.endTime) + AFTER_SESSION_GRACE_MS - Date.now();
  if (untilOver > 0) await sleep(untilOver);
  return meeting.view;
}

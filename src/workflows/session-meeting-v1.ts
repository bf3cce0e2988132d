import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AdminAlert, GoogleActivities, MainActivities } from '../activities';
import type { MeetingEmailKind } from '../domain/email-content';
import type { MeetingChange } from '../domain/meeting-changes';
import { parseAdminRequest, parseReschedule, type MeetingCommand, type ParsedCommand, type SignalRules } from '../domain/meeting-commands';
import { creationAlertKind } from '../domain/google-errors';
import { isJoinable, planReminders, reminderAction, type PlannedReminder } from '../domain/reminders';
import { nextRetryDelay } from '../domain/retry-schedule';
import { workflowInputProblem } from '../domain/workflow-input';
import { notify, store } from './meeting/activities';
import { failureMessage, failureType, isRetryable, rethrowCancellation } from './meeting/failures';
import {
  cancelSignal,
  googleTaskQueue,
  meetingStatusSearchAttribute,
  regenerateSignal,
  rescheduleSignal,
  sessionStartTimeSearchAttribute,
  statusQuery,
  type MeetingStatus,
  type MeetingStatusView,
  type SessionMeetingInput,
} from './contract';

/** How long after the session's end the workflow stays, for late admin actions. */
const AFTER_SESSION_GRACE_MS = 60 * 60 * 1000;

/**
 * Behaviour added while sessions were running. Each new path is taken behind `patched()`, so that a
 * workflow whose history was written without it replays on the old one (README: "Changing the
 * workflow").
 */
const PATCHES = {
  /** A failed regeneration keeps the link people have, ACTIVE, instead of turning the meeting FAILED. */
  keepLinkWhenRegenerationFails: 'keep-link-when-regeneration-fails',
  /** A link that is ready inside the last 10 minutes (or a move into them) makes the session joinable at once. */
  joinableWhenLinkComesLate: 'joinable-when-link-comes-late',
  /** A session that cannot get a meeting shows FAILED in visibility, and the admins hear of it. */
  alertOnInvalidSession: 'alert-on-invalid-session',
  /** Cancelling the workflow in Temporal (the UI's Cancel, `temporal workflow cancel`) cleans up as `cancel` does. */
  cleanUpOnWorkflowCancel: 'clean-up-on-workflow-cancel',
  /** Signals over 64 KB, or moving the start into the past or more than a year ahead, are rejected. */
  strictSignalChecks: 'strict-signal-checks',
} as const;

type RejectedSignal = Extract<ParsedCommand, { ok: false }>;

/** The link people have now, which a regeneration replaces only once the new one is ready. */
type CurrentLink = Pick<MeetingStatusView, 'meetingUrl' | 'meetingEventId'>;

/**
 * The workflow as it was before the `entity-v2` version, frozen whole so that sessions started
 * before it replay unchanged (`SessionMeetingWorkflow` sends them here). Delete this file, with the
 * histories that take this path, once no workflow started before that deploy still runs (sessions
 * end at most about a year and an hour after booking; check `temporal workflow list --query
 * 'ExecutionStatus="Running" AND StartTime < "<deploy time>"'`).
 */
export async function sessionMeetingWorkflowV1(input: SessionMeetingInput): Promise<MeetingStatusView> {
  // Typed in by a person (the Temporal UI, `temporal workflow start`): a bad start fails the workflow
  // at once, instead of failing its task over and over as a thrown TypeError would.
  const inputProblem = workflowInputProblem(input as unknown, workflowInfo().workflowId);
  if (inputProblem) throw ApplicationFailure.nonRetryable(inputProblem, 'InvalidWorkflowInput');
  const { sessionId } = input;
  const view: MeetingStatusView = {
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
  const inbox: MeetingCommand[] = [];
  const rejected: RejectedSignal[] = [];
  const receive = (parsed: ParsedCommand) => (parsed.ok ? inbox.push(parsed.command) : rejected.push(parsed));
  setHandler(statusQuery, () => view);
  // A workflow that accepted a signal under the old rules must replay it accepted.
  const rules: SignalRules = patched(PATCHES.strictSignalChecks) ? 'current' : 'lenient';
  setHandler(cancelSignal, (raw?: unknown) => void receive(parseAdminRequest('cancel', raw, rules)));
  setHandler(regenerateSignal, (raw?: unknown) => void receive(parseAdminRequest('regenerate', raw, rules)));
  setHandler(rescheduleSignal, (raw: unknown) => void receive(parseReschedule(raw, new Date(), rules)));

  const schedule = await store.loadMeetingSession(sessionId).catch(async (error: unknown) => {
    rethrowCancellation(error);
    const message = failureMessage(error);
    if (patched(PATCHES.alertOnInvalidSession)) {
      view.lastError = message;
      setStatus('FAILED');
      // A stored session is now marked FAILED with its problems; nothing else would tell anyone before
      // it is missed. (An unknown one has no row to audit the alert against: its workflow fails alone.)
      if (failureType(error) === 'InvalidSession') {
        await alertAdmin({ kind: 'invalid-session', occurrence: 'start', summary: 'The session cannot get a meeting', error: message });
      }
    }
    throw ApplicationFailure.nonRetryable(message, 'InvalidSession');
  });
  const policy = await store.meetingPolicy();

  // Google calls: one try each for creation (the spec's schedule below decides about the next
  // attempt); moves and deletes retry on Temporal's own policy.
  const googleQueue = googleTaskQueue(workflowInfo().taskQueue);
  const google = proxyActivities<GoogleActivities>({ taskQueue: googleQueue, startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } });
  const conference = proxyActivities<GoogleActivities>({
    taskQueue: googleQueue,
    startToCloseTimeout: policy.conferenceWaitMs + 30_000,
    heartbeatTimeout: '30 seconds',
    retry: { maximumAttempts: 1 },
  });
  const googleChanges = proxyActivities<GoogleActivities>({
    taskQueue: googleQueue,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
  });

  let generation = 1;
  /** Link generations whose Calendar event may exist. */
  const liveGenerations = new Set<number>();
  let changeCount = 0;
  let reminders: PlannedReminder[] = [];
  /** Whether the row says the session is joinable (FR-6) for its current times. */
  let joinable = false;

  function setStatus(status: MeetingStatus): void {
    view.meetingStatus = status;
    upsertSearchAttributes([{ key: meetingStatusSearchAttribute, value: status }]);
  }

  function setSchedule(startTime: string, endTime: string): void {
    view.startTime = startTime;
    view.endTime = endTime;
    upsertSearchAttributes([{ key: sessionStartTimeSearchAttribute, value: new Date(startTime) }]);
    reminders = planReminders(Date.parse(startTime), Date.now());
    view.nextReminderAt = reminders[0] ? new Date(reminders[0].at).toISOString() : null;
  }

  const record = (change: MeetingChange) => store.recordMeetingChange(sessionId, change);
  const cancelPending = () => inbox.some((command) => command.kind === 'cancel');

  async function alertAdmin(alert: Omit<AdminAlert, 'sessionId'>): Promise<void> {
    try {
      await notify.alertAdmin({ sessionId, ...alert });
    } catch (error) {
      rethrowCancellation(error);
      log.error('admin alert could not be sent', { sessionId, kind: alert.kind, error: failureMessage(error) });
    }
  }

  async function emailBoth(kind: MeetingEmailKind, occurrence: string): Promise<void> {
    try {
      await notify.sendMeetingEmails(sessionId, kind, occurrence);
    } catch (error) {
      rethrowCancellation(error);
      const message = failureMessage(error);
      await record({ kind: 'emailFailed', email: kind, error: message });
      await alertAdmin({ kind: `email-${kind}-failed`, occurrence, summary: `The ${kind} emails could not be sent`, error: message });
    }
  }

  /**
   * Makes the link of a generation, attempt after attempt on the configured schedule. Gives way as
   * soon as a cancel is waiting (between steps, and during the waits). `current` is the link it is
   * to replace, if people have one.
   */
  async function createLink(gen: number, current: CurrentLink | null): Promise<'active' | 'failed' | 'interrupted'> {
    for (let attempt = 1; ; attempt++) {
      if (cancelPending()) return 'interrupted';
      view.attempts = attempt;
      setStatus('CREATING');
      await record({ kind: 'attemptStarted', generation: gen, attempt });
      try {
        liveGenerations.add(gen);
        const event = await google.createMeetingEvent(sessionId, gen, attempt);
        view.meetingEventId = event.eventId;
        const meetingUrl = event.meetingUrl ?? (await conference.awaitConference(event.eventId, policy.conferenceWaitMs));
        await record({ kind: 'meetingActive', generation: gen, attempt, eventId: event.eventId, meetingUrl });
        view.meetingUrl = meetingUrl;
        view.lastError = null;
        setStatus('ACTIVE');
        return 'active';
      } catch (error) {
        rethrowCancellation(error);
        const message = failureMessage(error);
        view.lastError = message;
        const retryable = isRetryable(error);
        const retryInMs = nextRetryDelay(policy.retryBackoffMs, attempt, retryable);
        if (retryInMs === undefined) {
          if (current && patched(PATCHES.keepLinkWhenRegenerationFails)) {
            await keepCurrentLink(current, gen, attempt, message);
            return 'failed';
          }
          await record({ kind: 'creationFailed', generation: gen, attempts: attempt, error: message, permanent: !retryable });
          setStatus('FAILED');
          const kind = creationAlertKind(failureType(error));
          await alertAdmin({
            kind,
            occurrence: `g${gen}`,
            summary:
              kind === 'credentials'
                ? 'Google refuses the service account: no meeting can be made until its access is restored'
                : retryable
                  ? `Meeting creation failed after ${attempt} attempts`
                  : 'Meeting creation failed with a permanent error',
            error: message,
          });
          return 'failed';
        }
        log.warn('meeting attempt failed; retrying', { sessionId, attempt, retryInMs, error: message });
        await record({ kind: 'attemptFailed', generation: gen, attempt, error: message, retryInMs });
        if (await condition(cancelPending, retryInMs)) return 'interrupted';
      }
    }
  }

  /** A regeneration that could not make its link: the link people have stays, and the admins hear of it. */
  async function keepCurrentLink(current: CurrentLink, gen: number, attempts: number, error: string): Promise<void> {
    Object.assign(view, current);
    await record({ kind: 'regenerationFailed', generation: gen, attempts, error });
    setStatus('ACTIVE');
    await deleteEvents([gen], 'a new link could not be made');
    await alertAdmin({
      kind: 'regeneration-failed',
      occurrence: `g${gen}`,
      summary: `No new meeting link could be made (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}); the current link stays`,
      error,
    });
  }

  /** FR-6: from 10 minutes before the start the join button is prominent, however late the link came. */
  async function markJoinableIfDue(): Promise<void> {
    if (joinable || view.meetingStatus !== 'ACTIVE' || !isJoinable(Date.parse(view.startTime ?? ''), Date.now())) return;
    if (!patched(PATCHES.joinableWhenLinkComesLate)) return;
    await record({ kind: 'joinable' });
    joinable = true;
  }

  async function deleteEvents(generations: number[], purpose: string): Promise<void> {
    for (const gen of generations) {
      try {
        await googleChanges.deleteMeetingEvent(sessionId, gen);
        liveGenerations.delete(gen);
      } catch (error) {
        rethrowCancellation(error);
        await alertAdmin({ kind: 'event-delete-failed', occurrence: `g${gen}`, summary: `The Calendar event could not be deleted (${purpose})`, error: failureMessage(error) });
      }
    }
  }

  async function cancel(command: Extract<MeetingCommand, { kind: 'cancel' }>): Promise<void> {
    await deleteEvents([...liveGenerations], 'cancellation');
    await record({ kind: 'cancelled', actor: command.actor, reason: command.reason });
    setStatus('CANCELLED');
    view.meetingUrl = null;
    reminders = [];
    view.nextReminderAt = null;
    await emailBoth('cancelled', 'once');
  }

  async function regenerate(command: Extract<MeetingCommand, { kind: 'regenerate' }>): Promise<void> {
    const previous = [...liveGenerations];
    // From FAILED after the first creation, nobody has had a link yet: the new one is their first.
    const current: CurrentLink | null = view.meetingUrl === null ? null : { meetingUrl: view.meetingUrl, meetingEventId: view.meetingEventId };
    generation += 1;
    await record({ kind: 'regenerationRequested', generation, actor: command.actor, reason: command.reason });
    if ((await createLink(generation, current)) !== 'active') return;
    await deleteEvents(previous, 'replaced by a new link');
    await markJoinableIfDue();
    await emailBoth(current ? 'regenerated' : 'confirmation', `g${generation}`);
  }

  async function reschedule(command: Extract<MeetingCommand, { kind: 'reschedule' }>): Promise<void> {
    await record({ kind: 'rescheduled', startTime: command.startTime, endTime: command.endTime, actor: command.actor });
    joinable = false;
    for (const gen of liveGenerations) {
      try {
        if ((await googleChanges.moveMeetingEvent(sessionId, gen, command.startTime, command.endTime)) === 'missing') liveGenerations.delete(gen);
      } catch (error) {
        rethrowCancellation(error);
        await alertAdmin({ kind: 'event-move-failed', occurrence: `c${changeCount}`, summary: 'The Calendar event could not be moved', error: failureMessage(error) });
      }
    }
    setSchedule(command.startTime, command.endTime);
    await markJoinableIfDue();
    await emailBoth('rescheduled', `c${changeCount}`);
  }

  async function remind(reminder: PlannedReminder): Promise<void> {
    const occurrence = `s${Date.parse(view.startTime ?? '')}`;
    switch (reminderAction(reminder.kind, view.meetingStatus === 'ACTIVE')) {
      case 'email-both':
        return emailBoth('reminder-24h', occurrence);
      case 'mark-joinable-and-email':
        if (!joinable) await record({ kind: 'joinable' });
        joinable = true;
        return emailBoth('starting-soon', occurrence);
      case 'alert-admin':
        return alertAdmin({ kind: 'no-link-2h', occurrence, summary: 'The session starts in 2 hours and has no meeting link', error: view.lastError });
      case 'skip-no-link':
        await record({ kind: 'reminderSkipped', reminder: reminder.kind, why: `meeting is ${view.meetingStatus}, no link to send` });
        return;
      case 'nothing':
        return;
    }
  }

  async function recordRejections(): Promise<void> {
    for (let signal = rejected.shift(); signal; signal = rejected.shift()) {
      log.warn('signal rejected', { sessionId, signal: signal.signal, problem: signal.problem });
      await record({ kind: 'signalRejected', signal: signal.signal, problem: signal.problem, actor: signal.actor });
    }
  }

  /** From the first link until the session is over or cancelled; says how it ended. */
  async function lookAfterTheMeeting(): Promise<string> {
    if ((await createLink(generation, null)) === 'active') {
      await markJoinableIfDue();
      await emailBoth('confirmation', `g${generation}`);
    }
    for (;;) {
      await recordRejections();
      const command = inbox.shift();
      if (command) {
        changeCount += 1;
        if (command.kind === 'cancel') {
          await cancel(command);
          return 'the meeting was cancelled';
        }
        if (command.kind === 'regenerate') await regenerate(command);
        else await reschedule(command);
        continue;
      }
      const wakeAt = reminders[0]?.at ?? Date.parse(view.endTime ?? '') + AFTER_SESSION_GRACE_MS;
      if (wakeAt > Date.now()) {
        await condition(() => inbox.length > 0 || rejected.length > 0, wakeAt - Date.now());
        continue;
      }
      const due = reminders.shift();
      view.nextReminderAt = reminders[0] ? new Date(reminders[0].at).toISOString() : null;
      if (!due) return 'the session is over';
      await remind(due);
    }
  }

  // The lifecycle.
  setSchedule(schedule.startTime, schedule.endTime);
  let ended: string;
  try {
    ended = await lookAfterTheMeeting();
  } catch (error) {
    if (!isCancellation(error) || !patched(PATCHES.cleanUpOnWorkflowCancel)) throw error;
    // Steps under way have finished (activities wait for their cancellation to complete), so the
    // events to delete are all known.
    await CancellationScope.nonCancellable(() => cancel({ kind: 'cancel', actor: 'temporal', reason: 'the workflow was cancelled in Temporal' }));
    ended = 'the meeting was cancelled';
  }

  // Signals that came too late change nothing, but are not lost without a trace.
  await CancellationScope.nonCancellable(async () => {
    while (inbox.length > 0 || rejected.length > 0) {
      await recordRejections();
      for (let late = inbox.shift(); late; late = inbox.shift()) {
        await record({ kind: 'signalIgnored', signal: late.kind, actor: late.actor, why: ended });
      }
    }
  });
  return view;
}

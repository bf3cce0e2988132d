import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { meetingEventId } from '../domain/meeting-ids';
import { parseAdminRequest, parseReschedule, type ParsedCommand } from '../domain/meeting-commands';
import { workflowInputProblem } from '../domain/workflow-input';
import { cancelSignal, regenerateSignal, rescheduleSignal, statusQuery, type MeetingStatusView, type SessionMeetingInput } from './contract';
import type { SessionStart } from '../activities';
import { localStore, store } from './meeting/activities';
import { failureMessage, failureType, rethrowCancellation } from './meeting/failures';
import { alertAdmin, MeetingSteps, showStatus, type MeetingShape } from './meeting/meeting-steps';
import { SessionMeeting, type MeetingPolicyFacts } from './meeting/session-meeting-state';
import { sessionMeetingWorkflowV1 } from './session-meeting-v1';

/**
 * Sessions started before this version run the frozen code they started with; the ids of the
 * patches inside it are in `session-meeting-v1.ts`. Those started since, before `lean-start`,
 * recorded this marker and run the entity with the commands they recorded.
 */
const ENTITY_VERSION = 'entity-v2';

/**
 * Sessions started since this marker run the entity and cost Temporal less: the session and policy
 * loaded, and the database written, by local activities; one Google activity per attempt; search
 * attributes upserted together, once per change. Checked before `entity-v2`, and `local-link` before
 * it, so a session records one marker only (each marker costs two history events).
 */
const LEAN_START = 'lean-start';

/**
 * Sessions started since this marker start each attempt at a link as a local activity in the task
 * that decides on it (`startMeetingLink`): a booked session's link, rows and emails in one workflow
 * task. Checked before `lean-start`, which it implies, so a new session records this one marker only.
 */
const LOCAL_LINK = 'local-link';

/**
 * A run continues as new, carrying the meeting's state, once its history is this long, or when
 * Temporal suggests it (at about 4,100 events by default): far below the 10,240 events at which
 * Temporal warns and the 51,200 at which it terminates the workflow.
 */
const MAX_RUN_HISTORY_EVENTS = 4_000;

const shouldContinueAsNew = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= MAX_RUN_HISTORY_EVENTS;

/**
 * One tutoring session's Google Meet link, from payment until the session is over. The meeting's
 * state and decisions live in `SessionMeeting`; this function wires the signals and the query to it
 * and runs its steps one at a time, until the meeting is cancelled or over.
 */
export async function SessionMeetingWorkflow(input: SessionMeetingInput): Promise<MeetingStatusView> {
  const shape = meetingShape();
  if (shape === 'v1') return sessionMeetingWorkflowV1(input);
  const lean = shape !== 'entity';
  // Typed in by a person (the Temporal UI, `temporal workflow start`): a bad start fails the workflow
  // at once, instead of failing its task over and over as a thrown TypeError would.
  const inputProblem = workflowInputProblem(input as unknown, workflowInfo().workflowId);
  if (inputProblem) throw ApplicationFailure.nonRetryable(inputProblem, 'InvalidWorkflowInput');
  const { sessionId } = input;
  const eventIdOf = (generation: number) => meetingEventId(sessionId, generation);

  // Until the session is loaded, signals wait here and the query shows it PENDING.
  const early: Array<{ parsed: ParsedCommand; at: number }> = [];
  let failedView: MeetingStatusView | undefined;
  let meeting: SessionMeeting | undefined = input.state === undefined ? undefined : restore(sessionId, input.state, eventIdOf);
  const receive = (parsed: ParsedCommand) => (meeting ? meeting.receive(parsed, Date.now()) : early.push({ parsed, at: Date.now() }));
  setHandler(statusQuery, () => meeting?.view() ?? failedView ?? pendingView(sessionId));
  setHandler(cancelSignal, (raw?: unknown) => void receive(parseAdminRequest('cancel', raw)));
  setHandler(regenerateSignal, (raw?: unknown) => void receive(parseAdminRequest('regenerate', raw)));
  setHandler(rescheduleSignal, (raw: unknown) => void receive(parseReschedule(raw, new Date())));

  if (!meeting) {
    const booked = await book(sessionId, eventIdOf, lean, (view) => (failedView = view));
    meeting = booked.meeting;
    // Before any other request: the booking is gone, whatever else was asked meanwhile.
    if (booked.bookingCancelled) meeting.receive(cancelOfBooking(early), Date.now());
  }
  for (const { parsed, at } of early.splice(0)) meeting.receive(parsed, at);
  const steps = new MeetingSteps(meeting, workflowInfo().taskQueue, shape);
  // A lean booked session shows its attributes with its first change (CREATING, at once); a continued run at once.
  if (!lean || input.state !== undefined) {
    steps.showStatus();
    steps.showStartTime();
  }

  let ended: string;
  try {
    ended = await runUntilEnded(meeting, steps);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Cancelled in Temporal (the UI's Cancel, `temporal workflow cancel`): the same clean-up as `cancel`.
    await CancellationScope.nonCancellable(() =>
      steps.cancel({ kind: 'cancel', command: { kind: 'cancel', actor: 'temporal', reason: 'the workflow was cancelled in Temporal' } }),
    );
    ended = 'the meeting was cancelled';
  }
  await CancellationScope.nonCancellable(() => steps.recordLate(ended));
  return meeting.view();
}

/** The shape this session's workflow recorded when it started: the newest for a new one. */
function meetingShape(): MeetingShape | 'v1' {
  if (patched(LOCAL_LINK)) return 'local-link';
  if (patched(LEAN_START)) return 'lean';
  return patched(ENTITY_VERSION) ? 'entity' : 'v1';
}

/** The meeting's steps, one at a time; says how it ended. Continues as new when idle and its history is long. */
async function runUntilEnded(meeting: SessionMeeting, steps: MeetingSteps): Promise<string> {
  for (;;) {
    // Between steps nothing is in flight and every handler is done (they only queue): the next run
    // can start from the state alone, requests and rejections not yet acted on included.
    if (shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof SessionMeetingWorkflow>({ sessionId: meeting.sessionId, state: meeting.serialise() });
    }
    const step = meeting.nextStep(Date.now());
    switch (step.kind) {
      case 'record-rejections':
        await steps.recordRejections(step);
        break;
      case 'cancel':
        await steps.cancel(step);
        return 'the meeting was cancelled';
      case 'attempt':
        await steps.attempt(step);
        break;
      case 'regenerate':
        await steps.regenerate(step);
        break;
      case 'retry-now':
        await steps.retryNow(step);
        break;
      case 'regenerate-satisfied':
        await steps.regenerateSatisfied(step);
        break;
      case 'reschedule':
        await steps.reschedule(step);
        break;
      case 'remind':
        await steps.remind(step);
        break;
      case 'over':
        return 'the session is over';
      case 'wait': {
        // Wakes for a request, a full batch of rejections, or the first rejection (whose audit is
        // then due soon); other rejections wait for the batch, so a storm of them costs few steps.
        const hadRejections = meeting.rejections !== 'none';
        const wake = () => meeting.hasRequests || meeting.rejections === 'batch' || (!hadRejections && meeting.rejections !== 'none') || shouldContinueAsNew();
        await condition(wake, Math.max(step.until - Date.now(), 1));
        break;
      }
    }
  }
}

/**
 * Reads the session and the worker's policy. A session that cannot get a meeting shows FAILED, its
 * admins are alerted (a stored one is now marked FAILED with its problems; nothing else would tell
 * anyone before it is missed; an unknown one has no row to audit the alert against), and the
 * workflow fails.
 */
async function book(
  sessionId: string,
  eventIdOf: (generation: number) => string,
  lean: boolean,
  showFailure: (view: MeetingStatusView) => void,
): Promise<{ meeting: SessionMeeting; bookingCancelled: boolean }> {
  const loaded: Promise<{ schedule: SessionStart; policy: MeetingPolicyFacts }> = lean
    ? localStore.loadMeetingStart(sessionId)
    : store.loadMeetingSession(sessionId).then(async (schedule) => ({ schedule, policy: await store.meetingPolicy() }));
  const { schedule, policy } = await loaded.catch(async (error: unknown) => {
    rethrowCancellation(error);
    const message = failureMessage(error);
    showFailure({ ...pendingView(sessionId), meetingStatus: 'FAILED', lastError: message });
    showStatus('FAILED');
    if (failureType(error) === 'InvalidSession') {
      await alertAdmin(sessionId, { kind: 'invalid-session', occurrence: 'start', summary: 'The session cannot get a meeting', error: message });
    }
    throw ApplicationFailure.nonRetryable(message, 'InvalidSession');
  });
  const { bookingCancelled = false, ...times } = schedule;
  return { meeting: SessionMeeting.booked(sessionId, times, policy, eventIdOf, Date.now()), bookingCancelled };
}

/**
 * The cancel that ends a session whose booking was cancelled before its meeting was made (only lean
 * runs' loads answer that, so histories from before replay unchanged): the booking service's own
 * signal, when it has come already, or the system's.
 */
function cancelOfBooking(early: ReadonlyArray<{ parsed: ParsedCommand }>): ParsedCommand {
  const signalled = early.find(({ parsed }) => parsed.ok && parsed.command.kind === 'cancel');
  return signalled?.parsed ?? { ok: true, command: { kind: 'cancel', actor: 'system', reason: 'the booking was cancelled before its meeting was made' } };
}

function restore(sessionId: string, state: unknown, eventIdOf: (generation: number) => string): SessionMeeting {
  try {
    return SessionMeeting.restore(sessionId, state, eventIdOf);
  } catch (error) {
    throw ApplicationFailure.nonRetryable(`the workflow input's state is not a meeting's: ${failureMessage(error).slice(0, 500)}`, 'InvalidWorkflowInput');
  }
}

function pendingView(sessionId: string): MeetingStatusView {
  return { sessionId, meetingStatus: 'PENDING', meetingUrl: null, meetingEventId: null, attempts: 0, lastError: null, startTime: null, endTime: null, nextReminderAt: null };
}

// One session's meeting as a plain state machine, without Temporal: the workflow feeds it messages
// and the outcome of each step, and asks it what to do next. Its decisions have plain unit tests.
//
//   PENDING ──▶ CREATING ──▶ ACTIVE ──▶ (the session is over)
//                  │  ▲         │  ▲
//                  ▼  │         │  └── regenerate (a new link made beside the current one; stays ACTIVE)
//                 FAILED ───────┘      reschedule (moves the event, re-plans the reminders)
//   any of them ──cancel──▶ CANCELLED
import type { MeetingEmailKind } from '../../domain/email-content';
import type { ParsedCommand } from '../../domain/meeting-commands';
import { isJoinable, planReminders, reminderAction, type PlannedReminder, type ReminderAction } from '../../domain/reminders';
import { nextRetryDelay } from '../../domain/retry-schedule';
import { writeNumber } from '../../domain/write-numbers';
import type { MeetingStatus, MeetingStatusView } from '../contract';
import { MAX_PROBLEM_CHARS, MAX_QUEUED_REQUESTS, MAX_REJECTIONS_KEPT } from './meeting-state-limits';
import type { SerialisedMeetingState } from './meeting-state-schema';

/** How long after the session's end the workflow stays, for late admin actions. */
export const AFTER_SESSION_GRACE_MS = 60 * 60 * 1000;

/** How long a rejected signal waits for others to be audited with it. */
export const REJECTION_BATCH_WAIT_MS = 5_000;
export type { SerialisedMeetingState };

export type MeetingPolicyFacts = SerialisedMeetingState['policy'];
export type QueuedCommand = SerialisedMeetingState['inbox'][number];
export type Rejection = SerialisedMeetingState['rejected'][number];
export type RejectionBatch = { rejected: Rejection[]; uncounted: number };

/** What the workflow is to do next. */
export type MeetingStep =
  | { kind: 'record-rejections'; batch: RejectionBatch }
  | { kind: 'cancel'; command: Extract<QueuedCommand, { kind: 'cancel' }> }
  | { kind: 'attempt'; generation: number; attempt: number; eventId: string; replacing: boolean }
  | { kind: 'regenerate'; command: Extract<QueuedCommand, { kind: 'regenerate' }> }
  /** A regenerate that came while a link was being made: that link's next attempt runs now instead. */
  | { kind: 'retry-now'; command: Extract<QueuedCommand, { kind: 'regenerate' }> }
  /** A regenerate that came while a link was being made, which has been made since: nothing more to do. */
  | { kind: 'regenerate-satisfied'; command: Extract<QueuedCommand, { kind: 'regenerate' }> }
  | { kind: 'reschedule'; command: Extract<QueuedCommand, { kind: 'reschedule' }> }
  | { kind: 'remind'; reminder: PlannedReminder; action: ReminderAction }
  | { kind: 'wait'; until: number }
  | { kind: 'over' };

/** What to do after an attempt failed. */
export type FailedAttemptDecision =
  | { kind: 'retry'; inMs: number }
  | { kind: 'failed'; attempts: number; permanent: boolean }
  /** A regeneration that could not make its link: the current one stays; its own event is to be deleted. */
  | { kind: 'keep-current-link'; attempts: number; eventId: string };

/** What to do once a link is made. */
export interface LinkMade {
  /** Events of earlier generations, replaced by this one. */
  replaced: Array<{ generation: number; eventId: string }>;
  email: Extract<MeetingEmailKind, 'confirmation' | 'regenerated'>;
}

export class SessionMeeting {
  private constructor(
    readonly sessionId: string,
    private readonly state: SerialisedMeetingState,
    /** The Calendar event id of a generation, chosen by us (see `meetingEventId`). */
    private readonly eventIdOf: (generation: number) => string,
  ) {
    this.runStartWrites = state.writes;
  }

  /** The last write number of the runs before this one: this run's task blocks start above it. */
  private readonly runStartWrites: number;

  /** A booked session, its first link to be made at once. */
  static booked(
    sessionId: string,
    schedule: { startTime: string; endTime: string },
    policy: MeetingPolicyFacts,
    eventIdOf: (generation: number) => string,
    now: number,
  ): SessionMeeting {
    return new SessionMeeting(
      sessionId,
      {
        status: 'PENDING',
        startTime: schedule.startTime,
        endTime: schedule.endTime,
        policy,
        generation: 1,
        link: null,
        liveEvents: [],
        creation: { generation: 1, attempt: 0, nextAttemptAt: now },
        attempts: 0,
        lastError: null,
        reminders: planReminders(Date.parse(schedule.startTime), now),
        joinable: false,
        changeCount: 0,
        inbox: [],
        rejected: [],
        rejectedUncounted: 0,
        firstRejectedAt: null,
        writes: 0,
      },
      eventIdOf,
    );
  }

  /** A meeting carried over from an earlier run; throws when the state is not one. */
  static restore(sessionId: string, state: unknown, eventIdOf: (generation: number) => string): SessionMeeting {
    // Required here, not imported: the workflow sandbox evaluates every module a workflow imports
    // once per workflow in the cache, and zod's would cost each about 1.7 MB and its CPU, though
    // only continued runs need it.
    const { meetingStateSchema } = require('./meeting-state-schema') as typeof import('./meeting-state-schema');
    return new SessionMeeting(sessionId, meetingStateSchema.parse(state), eventIdOf);
  }

  /** A copy of the state, to carry into the next run. */
  serialise(): SerialisedMeetingState {
    return JSON.parse(JSON.stringify(this.state)) as SerialisedMeetingState;
  }

  get status(): MeetingStatus {
    return this.state.status;
  }

  get startTime(): string {
    return this.state.startTime;
  }

  get policy(): MeetingPolicyFacts {
    return this.state.policy;
  }

  /** The generation whose link is being made, or was made last. */
  get generation(): number {
    return this.state.generation;
  }

  get changeCount(): number {
    return this.state.changeCount;
  }

  get lastError(): string | null {
    return this.state.lastError;
  }

  /**
   * The number of the next write to the session's row, made in the workflow task at `historyLength`:
   * higher than every earlier one, and than any a lost try of an earlier task could have made. A
   * worker lost mid-task may have written several changes whose task never reached history; its
   * retry, seeing a signal first, decides other changes, which must not lose to those writes. Each
   * task's numbers start a block of their own above the last task's (see `writeNumber`).
   */
  nextWrite(historyLength: number): number {
    this.state.writes = writeNumber(this.runStartWrites, historyLength, this.state.writes);
    return this.state.writes;
  }

  /** The link people have, and the event it belongs to. */
  get link(): SerialisedMeetingState['link'] {
    return this.state.link;
  }

  get liveEvents(): ReadonlyArray<{ generation: number; eventId: string }> {
    return this.state.liveEvents;
  }

  /**
   * The event of the link being made when no attempt at it is known: a workflow task lost with its
   * worker may still have inserted it (an attempt started in a local activity reaches history only
   * with its task), so a cancel deletes it too (Google answers 404 when there is none).
   */
  get unknownAttemptEvent(): { generation: number; eventId: string } | null {
    const creation = this.state.creation;
    if (!creation || this.state.liveEvents.some((event) => event.generation === creation.generation)) return null;
    return { generation: creation.generation, eventId: this.eventIdOf(creation.generation) };
  }

  /** Whether a new link is being made while people keep the one they have. */
  get replacingLink(): boolean {
    return this.state.creation !== null && this.state.link !== null;
  }

  view(): MeetingStatusView {
    const s = this.state;
    return {
      sessionId: this.sessionId,
      meetingStatus: s.status,
      meetingUrl: s.link?.meetingUrl ?? null,
      meetingEventId: s.link?.eventId ?? s.liveEvents.at(-1)?.eventId ?? null,
      attempts: s.attempts,
      lastError: s.lastError,
      startTime: s.startTime,
      endTime: s.endTime,
      nextReminderAt: s.reminders[0] ? new Date(s.reminders[0].at).toISOString() : null,
      newLinkPending: this.replacingLink,
    };
  }

  // ── Messages ────────────────────────────────────────────────────────────────────────────────

  /**
   * Takes a parsed signal. Requests are merged where one stands for many (one cancel, the latest
   * reschedule; regenerates beyond a few waiting), so the queue, and the state carried across runs,
   * stay small however many arrive.
   * Rejected signals are kept for the audit up to a cap, and only counted beyond it.
   */
  receive(parsed: ParsedCommand, now: number): void {
    const s = this.state;
    if (!parsed.ok) {
      s.firstRejectedAt ??= now;
      if (s.rejected.length >= MAX_REJECTIONS_KEPT) s.rejectedUncounted += 1;
      else s.rejected.push({ signal: parsed.signal.slice(0, 40), problem: parsed.problem.slice(0, MAX_PROBLEM_CHARS), actor: parsed.actor });
      return;
    }
    const command = parsed.command;
    if (command.kind !== 'reschedule' && now >= Date.parse(s.endTime)) {
      // Nothing is left to cancel or to link to once the session has ended.
      return this.receive({ ok: false, signal: command.kind, problem: `the session is over (it ended at ${s.endTime}): nothing to ${command.kind}`, actor: command.actor }, now);
    }
    if (command.kind === 'cancel' && this.cancelRequested) return; // once is enough
    if (command.kind === 'reschedule') s.inbox = s.inbox.filter((queued) => queued.kind !== 'reschedule'); // the latest wins
    if (command.kind === 'regenerate' && s.inbox.length >= MAX_QUEUED_REQUESTS) {
      return this.receive({ ok: false, signal: 'regenerate', problem: `merged: ${MAX_QUEUED_REQUESTS} requests are already waiting`, actor: command.actor }, now);
    }
    s.inbox.push(command.kind === 'regenerate' ? { ...command, duringCreation: s.creation !== null } : command);
  }

  get cancelRequested(): boolean {
    return this.state.inbox.some((command) => command.kind === 'cancel');
  }

  /** Whether a request waits to be acted on. */
  get hasRequests(): boolean {
    return this.state.inbox.length > 0;
  }

  /** Whether rejected signals wait to be audited, and whether they fill a batch. */
  get rejections(): 'none' | 'some' | 'batch' {
    const s = this.state;
    if (s.firstRejectedAt === null) return 'none';
    return s.rejected.length >= MAX_REJECTIONS_KEPT ? 'batch' : 'some';
  }

  /** The rejected signals not yet audited; empties the list. */
  takeRejections(): RejectionBatch {
    const s = this.state;
    const batch = { rejected: s.rejected, uncounted: s.rejectedUncounted };
    s.rejected = [];
    s.rejectedUncounted = 0;
    s.firstRejectedAt = null;
    return batch;
  }

  /** Accepted requests that will never be acted on (the meeting has ended); empties the queue. */
  takeUnhandled(): QueuedCommand[] {
    return this.state.inbox.splice(0);
  }

  // ── What next ───────────────────────────────────────────────────────────────────────────────

  /**
   * The next step at `now`: requests in arrival order (an attempt under way gives way to a cancel
   * at once), then reminders and attempts as they fall due, the end. Rejected signals are audited in batches: when one is full, or its
   * first has waited a few seconds.
   */
  nextStep(now: number): MeetingStep {
    const s = this.state;
    const auditRejectionsAt = s.firstRejectedAt === null ? Infinity : s.firstRejectedAt + REJECTION_BATCH_WAIT_MS;
    if (this.rejections === 'batch' || auditRejectionsAt <= now) return { kind: 'record-rejections', batch: this.takeRejections() };
    const command = s.inbox.shift();
    if (command?.kind === 'cancel') return { kind: 'cancel', command };
    if (command?.kind === 'reschedule') {
      s.changeCount += 1;
      return { kind: 'reschedule', command };
    }
    if (command?.kind === 'regenerate') {
      if (s.creation) return { kind: 'retry-now', command };
      if (command.duringCreation && s.status === 'ACTIVE') return { kind: 'regenerate-satisfied', command };
      s.changeCount += 1;
      return { kind: 'regenerate', command };
    }
    const over = Date.parse(s.endTime) + AFTER_SESSION_GRACE_MS;
    if (now >= over) return { kind: 'over' };
    const due = s.reminders[0];
    if (s.creation && s.creation.nextAttemptAt <= now && !(due && due.at <= now)) {
      const { generation, attempt } = s.creation;
      return { kind: 'attempt', generation, attempt: attempt + 1, eventId: this.eventIdOf(generation), replacing: s.link !== null };
    }
    if (due && due.at <= now) {
      s.reminders.shift();
      return { kind: 'remind', reminder: due, action: reminderAction(due.kind, s.status === 'ACTIVE') };
    }
    return { kind: 'wait', until: Math.min(over, due?.at ?? Infinity, s.creation?.nextAttemptAt ?? Infinity, auditRejectionsAt) };
  }

  // ── Outcomes ────────────────────────────────────────────────────────────────────────────────

  /** An attempt begins; a first link shows CREATING, a replacement leaves the current link ACTIVE. */
  attemptStarted(generation: number, attempt: number, eventId: string): void {
    const s = this.state;
    if (s.creation) s.creation.attempt = attempt;
    s.attempts = attempt;
    if (!s.liveEvents.some((event) => event.generation === generation)) s.liveEvents.push({ generation, eventId });
    if (!s.link) s.status = 'CREATING';
  }

  linkMade(generation: number, eventId: string, meetingUrl: string): LinkMade {
    const s = this.state;
    const hadLink = s.link !== null;
    const replaced = s.liveEvents.filter((event) => event.generation !== generation);
    s.liveEvents = s.liveEvents.filter((event) => event.generation === generation);
    s.link = { meetingUrl, eventId };
    s.lastError = null;
    s.creation = null;
    s.status = 'ACTIVE';
    return { replaced, email: hadLink ? 'regenerated' : 'confirmation' };
  }

  attemptFailed(error: string, retryable: boolean, now: number): FailedAttemptDecision {
    const s = this.state;
    const creation = s.creation;
    if (!creation) throw new Error('no link is being made');
    s.lastError = error;
    const inMs = nextRetryDelay(s.policy.retryBackoffMs, creation.attempt, retryable);
    if (inMs !== undefined) {
      creation.nextAttemptAt = now + inMs;
      return { kind: 'retry', inMs };
    }
    s.creation = null;
    if (s.link) {
      const eventId = this.eventIdOf(creation.generation);
      s.liveEvents = s.liveEvents.filter((event) => event.generation !== creation.generation);
      s.status = 'ACTIVE';
      return { kind: 'keep-current-link', attempts: creation.attempt, eventId };
    }
    s.status = 'FAILED';
    return { kind: 'failed', attempts: creation.attempt, permanent: !retryable };
  }

  /**
   * When the link being made gets its next attempt: at once for a regenerate merged into it, or its
   * wait counted from when the failure was recorded.
   */
  nextAttemptAt(at: number): void {
    if (this.state.creation) this.state.creation.nextAttemptAt = at;
  }

  /** A new generation: its link is made beside the current one, from its first attempt. */
  regenerationStarted(now: number): number {
    const s = this.state;
    s.generation += 1;
    s.creation = { generation: s.generation, attempt: 0, nextAttemptAt: now };
    return s.generation;
  }

  eventMissing(generation: number): void {
    this.state.liveEvents = this.state.liveEvents.filter((event) => event.generation !== generation);
  }

  rescheduled(startTime: string, endTime: string, now: number): void {
    const s = this.state;
    s.startTime = startTime;
    s.endTime = endTime;
    s.joinable = false;
    s.reminders = planReminders(Date.parse(startTime), now);
  }

  /** FR-6: whether the row is to be marked joinable now (the link is there and the start is near). */
  joinableDue(now: number): boolean {
    const s = this.state;
    return !s.joinable && s.status === 'ACTIVE' && isJoinable(Date.parse(s.startTime), now);
  }

  markedJoinable(): void {
    this.state.joinable = true;
  }

  cancelled(): void {
    const s = this.state;
    s.status = 'CANCELLED';
    s.link = null;
    s.creation = null;
    s.reminders = [];
  }
}

// The side effects of each step the meeting decides on: which activities run, in which order, and
// what their outcome tells the meeting. Temporal's part of the workflow, one method per step.
import { CancellationScope, condition, log, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { AdminAlert } from '../../activities';
import type { MeetingEmailKind } from '../../domain/email-content';
import type { MeetingChange } from '../../domain/meeting-changes';
import { creationAlertKind } from '../../domain/google-errors';
import { meetingStatusSearchAttribute, sessionStartTimeSearchAttribute, type MeetingStatus } from '../contract';
import { googleActivities, localGoogle, localNotify, localStore, notify, store } from './activities';
import { failureMessage, failureType, isRetryable, isTimeout, rethrowCancellation } from './failures';
import type { MeetingStep, SessionMeeting } from './session-meeting-state';

type Step<K extends MeetingStep['kind']> = Extract<MeetingStep, { kind: K }>;

/** How the session's workflow runs its steps: the shape it recorded when it started. */
export type MeetingShape = 'entity' | 'lean' | 'local-link';

/**
 * How long an attempt's quick start waits for its conference: about as long as Google usually takes
 * (1–2 s), and short, since it holds the workflow's task (a cancel comes after it).
 */
const QUICK_LINK_WAIT_MS = 2_500;

type AttemptOutcome = { ok: true; eventId: string; meetingUrl: string } | { ok: false; error: unknown };

/** `MeetingStatus`, the search attribute that shows each session's meeting status in Temporal. */
export function showStatus(status: MeetingStatus): void {
  upsertSearchAttributes([{ key: meetingStatusSearchAttribute, value: status }]);
}

/** An admin alert; one that cannot be sent is logged, and the meeting goes on. */
export async function alertAdmin(sessionId: string, alert: Omit<AdminAlert, 'sessionId'>): Promise<void> {
  try {
    await notify.alertAdmin({ sessionId, ...alert });
  } catch (error) {
    rethrowCancellation(error);
    log.error('admin alert could not be sent', { sessionId, kind: alert.kind, error: failureMessage(error) });
  }
}

export class MeetingSteps {
  private readonly google: ReturnType<typeof googleActivities>;
  private readonly store: typeof store;
  private readonly notify: typeof notify;
  /** An attempt given up for a cancel, still finishing: its insert may land after the cancel. */
  private abandonedAttempt: { finished: Promise<unknown>; event: { generation: number; eventId: string } } | null = null;
  /** The search attributes as this run last upserted them (lean runs upsert only what changed). */
  private shown: { status?: MeetingStatus; startTime?: string } = {};

  /**
   * `lean` (sessions started since `lean-start`): database writes and emails as local activities,
   * one attempt as one Google activity, search attributes upserted together, only when changed.
   * `local-link` (since `local-link`): lean, and an attempt starts as a local activity too. Runs
   * started before keep the commands they recorded.
   */
  constructor(
    private readonly meeting: SessionMeeting,
    taskQueue: string,
    private readonly shape: MeetingShape,
  ) {
    this.google = googleActivities(taskQueue, meeting.policy.conferenceWaitMs);
    this.store = this.lean ? localStore : store;
    this.notify = this.lean ? localNotify : notify;
  }

  private get lean(): boolean {
    return this.shape !== 'entity';
  }

  private get sessionId(): string {
    return this.meeting.sessionId;
  }

  /** Keeps `MeetingStatus` and `SessionStartTime` as the meeting says (a continued run sets them again). */
  showStatus(): void {
    if (this.lean) return this.showChanges();
    showStatus(this.meeting.status);
  }

  showStartTime(): void {
    if (this.lean) return this.showChanges();
    upsertSearchAttributes([{ key: sessionStartTimeSearchAttribute, value: new Date(this.meeting.startTime) }]);
  }

  /** One upsert of the search attributes that differ from what this run showed last; none if none do. */
  private showChanges(): void {
    const { status, startTime } = this.meeting;
    const changed = [
      ...(status !== this.shown.status ? [{ key: meetingStatusSearchAttribute, value: status }] : []),
      ...(startTime !== this.shown.startTime ? [{ key: sessionStartTimeSearchAttribute, value: new Date(startTime) }] : []),
    ];
    if (changed.length > 0) upsertSearchAttributes(changed);
    this.shown = { status, startTime };
  }

  /** Each write carries the meeting's next write number, so a late or lost try cannot undo a newer write. */
  private record(change: MeetingChange): Promise<void> {
    return this.store.recordMeetingChange(this.sessionId, change, this.meeting.nextWrite(workflowInfo().historyLength));
  }

  private alertAdmin(alert: Omit<AdminAlert, 'sessionId'>): Promise<void> {
    return alertAdmin(this.sessionId, alert);
  }

  private async emailBoth(kind: MeetingEmailKind, occurrence: string): Promise<void> {
    try {
      // The link the meeting has is passed, not read back from the row.
      await this.notify.sendMeetingEmails(this.sessionId, kind, occurrence, this.meeting.link?.meetingUrl ?? null);
    } catch (error) {
      rethrowCancellation(error);
      const message = failureMessage(error);
      await this.record({ kind: 'emailFailed', email: kind, error: message });
      await this.alertAdmin({ kind: `email-${kind}-failed`, occurrence, summary: `The ${kind} emails could not be sent`, error: message });
    }
  }

  private async deleteEvents(events: ReadonlyArray<{ generation: number; eventId: string }>, purpose: string): Promise<void> {
    for (const { generation, eventId } of [...events]) {
      try {
        await this.google.changes.deleteMeetingEvent(this.sessionId, eventId);
        this.meeting.eventMissing(generation);
      } catch (error) {
        rethrowCancellation(error);
        const message = failureMessage(error);
        await this.alertAdmin({ kind: 'event-delete-failed', occurrence: `g${generation}`, summary: `The Calendar event could not be deleted (${purpose})`, error: message });
      }
    }
  }

  /** FR-6: from 10 minutes before the start the join button is prominent, however late the link came. */
  private async markJoinableIfDue(): Promise<void> {
    if (!this.meeting.joinableDue(Date.now())) return;
    await this.record({ kind: 'joinable' });
    this.meeting.markedJoinable();
  }

  async recordRejections({ batch }: Step<'record-rejections'>): Promise<void> {
    log.warn('signals rejected', { sessionId: this.sessionId, kept: batch.rejected.length, uncounted: batch.uncounted, first: batch.rejected[0]?.problem });
    // On the server even in lean runs: rejections come in storms, and a local activity would hold the
    // workflow task open while more signals pile up behind it.
    await store.recordSignalRejections(this.sessionId, batch);
  }

  /**
   * One attempt at the link: insert the event (or find it), then wait for its conference. A cancel
   * that comes meanwhile does not wait for it: the attempt is cancelled and left to finish on its
   * own, and the cancel deletes its event once it has.
   */
  async attempt({ generation, attempt, eventId, replacing }: Step<'attempt'>): Promise<void> {
    this.meeting.attemptStarted(generation, attempt, eventId);
    await this.record({ kind: 'attemptStarted', generation, attempt, ...(replacing ? { replacing } : {}) });
    if (!replacing) this.showStatus();
    const scope = new CancellationScope();
    let settled = false;
    const outcome = scope.run(() => this.makeLink(generation, attempt, eventId)).finally(() => (settled = true));
    this.abandonedAttempt = { finished: outcome, event: { generation, eventId } };
    await condition(() => settled || this.meeting.cancelRequested);
    if (!settled) return scope.cancel();
    this.abandonedAttempt = null;
    const result = await outcome;
    if (result.ok) return this.linkMade(generation, attempt, result);
    rethrowCancellation(result.error); // the workflow was cancelled in Temporal
    return this.attemptFailed(generation, attempt, result.error);
  }

  private async makeLink(generation: number, attempt: number, eventId: string): Promise<AttemptOutcome> {
    try {
      if (this.shape === 'local-link') return { ok: true, ...(await this.makeLinkQuickly(generation, attempt, eventId)) };
      if (this.lean) return { ok: true, ...(await this.google.link.makeMeetingLink(this.sessionId, generation, attempt, eventId, this.meeting.policy.conferenceWaitMs)) };
      const event = await this.google.create.createMeetingEvent(this.sessionId, generation, attempt, eventId);
      const meetingUrl = event.meetingUrl ?? (await this.google.conference.awaitConference(event.eventId, this.meeting.policy.conferenceWaitMs));
      return { ok: true, eventId: event.eventId, meetingUrl };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /**
   * The attempt started in this task (`startMeetingLink`, a local activity); what it could not
   * finish goes to the Google queue: a conference still pending is waited for there, and an attempt
   * the busy budget (or a slow Google) kept from starting here is made there.
   */
  private async makeLinkQuickly(generation: number, attempt: number, eventId: string): Promise<{ eventId: string; meetingUrl: string }> {
    const waitMs = this.meeting.policy.conferenceWaitMs;
    const quickWaitMs = Math.min(QUICK_LINK_WAIT_MS, waitMs);
    const started = await localGoogle.startMeetingLink(this.sessionId, generation, attempt, eventId, quickWaitMs).catch((error: unknown) => {
      if (isTimeout(error)) return { kind: 'budget-busy' } as const;
      throw error;
    });
    switch (started.kind) {
      case 'link':
        return started;
      case 'pending':
        return { eventId: started.eventId, meetingUrl: await this.google.conference.awaitConference(started.eventId, waitMs - quickWaitMs) };
      case 'budget-busy':
        return this.google.link.makeMeetingLink(this.sessionId, generation, attempt, eventId, waitMs);
    }
  }

  private async linkMade(generation: number, attempt: number, { eventId, meetingUrl }: { eventId: string; meetingUrl: string }): Promise<void> {
    // Made before it is stored: a regenerate that comes once the row shows the link asks for a new one.
    const made = this.meeting.linkMade(generation, eventId, meetingUrl);
    await this.record({ kind: 'meetingActive', generation, attempt, eventId, meetingUrl });
    this.showStatus();
    await this.deleteEvents(made.replaced, 'replaced by a new link');
    await this.markJoinableIfDue();
    await this.emailBoth(made.email, `g${generation}`);
  }

  private async attemptFailed(generation: number, attempt: number, error: unknown): Promise<void> {
    const message = failureMessage(error);
    const retryable = isRetryable(error);
    const decision = this.meeting.attemptFailed(message, retryable, Date.now());
    switch (decision.kind) {
      case 'retry':
        log.warn('meeting attempt failed; retrying', { sessionId: this.sessionId, attempt, retryInMs: decision.inMs, error: message });
        await this.record({ kind: 'attemptFailed', generation, attempt, error: message, retryInMs: decision.inMs });
        return this.meeting.nextAttemptAt(Date.now() + decision.inMs);
      case 'keep-current-link':
        await this.record({ kind: 'regenerationFailed', generation, attempts: decision.attempts, error: message });
        await this.deleteEvents([{ generation, eventId: decision.eventId }], 'a new link could not be made');
        return this.alertAdmin({
          kind: 'regeneration-failed',
          occurrence: `g${generation}`,
          summary: `No new meeting link could be made (${decision.attempts} ${decision.attempts === 1 ? 'attempt' : 'attempts'}); the current link stays`,
          error: message,
        });
      case 'failed': {
        await this.record({ kind: 'creationFailed', generation, attempts: decision.attempts, error: message, permanent: decision.permanent });
        this.showStatus();
        const kind = creationAlertKind(failureType(error));
        return this.alertAdmin({
          kind,
          occurrence: `g${generation}`,
          summary:
            kind === 'credentials'
              ? 'Google refuses the service account: no meeting can be made until its access is restored'
              : decision.permanent
                ? 'Meeting creation failed with a permanent error'
                : `Meeting creation failed after ${decision.attempts} attempts`,
          error: message,
        });
      }
    }
  }

  /**
   * CANCELLED at once (row and search attribute), then the events go: after any attempt given up
   * for it has finished, so that an event it inserted late is deleted too. Then both are told.
   */
  async cancel({ command }: Step<'cancel'>): Promise<void> {
    await this.record({ kind: 'cancelled', actor: command.actor, reason: command.reason });
    const unknownAttempt = this.shape === 'local-link' ? this.meeting.unknownAttemptEvent : null;
    this.meeting.cancelled();
    this.showStatus();
    const abandoned = this.abandonedAttempt;
    this.abandonedAttempt = null;
    if (abandoned) await abandoned.finished;
    // The abandoned attempt's event too, even if a move since found it not (yet) there; and one a lost task may have made.
    const late = abandoned && !this.meeting.liveEvents.some((event) => event.generation === abandoned.event.generation) ? [abandoned.event] : [];
    const unknown = unknownAttempt && !late.some((event) => event.generation === unknownAttempt.generation) ? [unknownAttempt] : [];
    await this.deleteEvents([...this.meeting.liveEvents, ...late, ...unknown], 'cancellation');
    await this.emailBoth('cancelled', 'once');
  }

  async regenerate({ command }: Step<'regenerate'>): Promise<void> {
    const generation = this.meeting.regenerationStarted(Date.now());
    await this.record({ kind: 'regenerationRequested', generation, actor: command.actor, reason: command.reason });
  }

  async retryNow({ command }: Step<'retry-now'>): Promise<void> {
    this.meeting.nextAttemptAt(Date.now());
    await this.record({ kind: 'regenerationMerged', generation: this.meeting.generation, actor: command.actor, reason: command.reason });
  }

  async regenerateSatisfied({ command }: Step<'regenerate-satisfied'>): Promise<void> {
    await this.record({ kind: 'signalIgnored', signal: 'regenerate', actor: command.actor, why: 'the link being made when it was asked for is ready' });
  }

  async reschedule({ command }: Step<'reschedule'>): Promise<void> {
    await this.record({ kind: 'rescheduled', startTime: command.startTime, endTime: command.endTime, actor: command.actor });
    this.meeting.rescheduled(command.startTime, command.endTime, Date.now());
    for (const { generation, eventId } of [...this.meeting.liveEvents]) {
      try {
        const moved = await this.google.changes.moveMeetingEvent(this.sessionId, eventId, command.startTime, command.endTime);
        if (moved === 'missing') this.meeting.eventMissing(generation);
      } catch (error) {
        rethrowCancellation(error);
        const message = failureMessage(error);
        await this.alertAdmin({ kind: 'event-move-failed', occurrence: `c${this.meeting.changeCount}`, summary: 'The Calendar event could not be moved', error: message });
      }
    }
    this.showStartTime();
    await this.markJoinableIfDue();
    await this.emailBoth('rescheduled', `c${this.meeting.changeCount}`);
  }

  async remind({ reminder, action }: Step<'remind'>): Promise<void> {
    const occurrence = `s${Date.parse(this.meeting.startTime)}`;
    switch (action) {
      case 'email-both':
        return this.emailBoth('reminder-24h', occurrence);
      case 'mark-joinable-and-email':
        if (this.meeting.joinableDue(Date.now())) await this.record({ kind: 'joinable' });
        this.meeting.markedJoinable();
        return this.emailBoth('starting-soon', occurrence);
      case 'alert-admin':
        return this.alertAdmin({ kind: 'no-link-2h', occurrence, summary: 'The session starts in 2 hours and has no meeting link', error: this.meeting.lastError });
      case 'skip-no-link':
        await this.record({ kind: 'reminderSkipped', reminder: reminder.kind, why: `meeting is ${this.meeting.status}, no link to send` });
        return;
      case 'nothing':
        return;
    }
  }

  /** Requests that came too late change nothing, but are not lost without a trace. */
  async recordLate(why: string): Promise<void> {
    while (this.meeting.hasRequests || this.meeting.rejections !== 'none') {
      if (this.meeting.rejections !== 'none') await store.recordSignalRejections(this.sessionId, this.meeting.takeRejections());
      for (const late of this.meeting.takeUnhandled()) await this.record({ kind: 'signalIgnored', signal: late.kind, actor: late.actor, why });
    }
  }
}

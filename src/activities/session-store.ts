import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '@prisma/client';
import { recordForChange, type MeetingChange } from '../domain/meeting-changes';
import { z } from 'zod';
import { voidQueuedEmailsStatement } from '../email-outbox/outbox';
import { activityExecutionKey, insertAudit, workflowWriteKey } from './audit';
import { meetingChangeStatement } from './meeting-change-sql';
import { sessionStartDecision } from '../domain/session-validation';
import { findSessionRow } from './session-details';
import { noMetrics, type MeetingMetrics } from '../metrics/recorder';

/** Rejected signals, as the workflow batches them: those it kept, and how many more it only counted. */
export interface SignalRejectionBatch {
  rejected: Array<{ signal: string; problem: string; actor: string }>;
  uncounted: number;
}

export interface MeetingSchedule {
  startTime: string;
  endTime: string;
}

/** A booked session's schedule, and whether its booking was cancelled before its meeting was made. */
export type SessionStart = MeetingSchedule & { bookingCancelled?: true };

/**
 * The session a workflow starts from. A booking cancelled before its meeting was made is answered as
 * such, nothing written: the workflow ends it as cancelled. A session that cannot get a meeting for
 * any other reason is refused as `loadMeetingSession` refuses it.
 */
export async function loadSessionStart(prisma: PrismaClient, sessionId: string, at: Date): Promise<SessionStart> {
  const { schedule, decision } = await checkSession(prisma, sessionId, at);
  if (decision.kind === 'invalid') await refuseSession(prisma, sessionId, decision.problems);
  return decision.kind === 'booking-cancelled' ? { ...schedule, bookingCancelled: true } : schedule;
}

async function checkSession(prisma: PrismaClient, sessionId: string, at: Date) {
  const row = await findSessionRow(prisma, sessionId);
  const schedule: MeetingSchedule = { startTime: row.startTime.toISOString(), endTime: row.endTime.toISOString() };
  return { schedule, decision: sessionStartDecision(row, at) };
}

/** Marks the session FAILED with every reason, in one transaction with its audit row, and fails the activity for good. */
async function refuseSession(prisma: PrismaClient, sessionId: string, problems: string[]): Promise<never> {
  const error = `session ${sessionId} cannot get a meeting: ${problems.join('; ')}`;
  await prisma.$transaction([
    prisma.session.update({ where: { id: sessionId }, data: { meetingStatus: 'FAILED', meetingError: error } }),
    insertAudit(prisma, sessionId, { action: 'INVALID_SESSION', actor: 'system', outcome: 'FAILURE', error, detail: { problems: problems.join('; ') } }),
  ]);
  throw ApplicationFailure.nonRetryable(error, 'InvalidSession', { problems });
}

export interface SessionStoreDeps {
  prisma: PrismaClient;
  now?: () => Date;
  metrics?: MeetingMetrics;
}

/** What a meeting change's statement answers: when the generation's first attempt started (null: not asked, or unknown). */
const firstAttemptRow = z.object({ firstAttemptAt: z.date().nullable() });

export function createSessionStoreActivities({ prisma, now = () => new Date(), metrics = noMetrics }: SessionStoreDeps) {
  /** The creation-time metric, on a generation's end: from its first attempt (null: unknown) to `at`. */
  function countCreationEnd(change: MeetingChange, firstAttemptAt: Date | null, at: Date): void {
    if (change.kind === 'meetingActive') metrics.creationEnded('active', firstAttemptAt ? Math.max(0, (at.getTime() - firstAttemptAt.getTime()) / 1000) : undefined);
    else if (change.kind === 'creationFailed' || change.kind === 'regenerationFailed') metrics.creationEnded('failed');
  }

  return {
    /**
     * Reads the session and checks it can get a meeting. A session that cannot (its booking cancelled
     * included) is marked FAILED with every reason, and the activity fails for good. Runs started
     * before `lean-start` call it; later ones `loadMeetingStart`, which answers a cancelled booking.
     */
    async loadMeetingSession(sessionId: string): Promise<MeetingSchedule> {
      const { schedule, decision } = await checkSession(prisma, sessionId, now());
      if (decision.kind !== 'book') await refuseSession(prisma, sessionId, decision.problems);
      return schedule;
    },

    /**
     * Records one change of the meeting: the Session row and its audit entry, together or not at all.
     * `seq`, the workflow's number for this write (growing with each), guards the row against a late
     * write: a try that lands after a newer write was applied leaves the row as it is. An equal number
     * applies (another try of the same write; and in workflows that numbered by count, before
     * `writeNumber`, a retried task could give a lost try's number to another change, which must not be
     * lost). Every try of one change makes one audit row. Workflows that started before writes were
     * numbered pass none, and their writes apply as they come.
     */
    async recordMeetingChange(sessionId: string, change: MeetingChange, seq?: number): Promise<void> {
      const at = now();
      const record = recordForChange(change, at);
      const [answer] = await prisma.$queryRaw<unknown[]>(
        meetingChangeStatement({
          sessionId,
          ...record,
          dedupeKey: seq === undefined ? activityExecutionKey() : workflowWriteKey(change),
          seq,
          at,
          // A cancel voids the session's emails still queued (reminders, a confirmation not yet out).
          voidQueuedEmails: change.kind === 'cancelled' ? voidQueuedEmailsStatement(sessionId, at) : null,
          firstAttemptOf: change.kind === 'meetingActive' ? change.generation : null,
        }),
      );
      countCreationEnd(change, firstAttemptRow.parse(answer).firstAttemptAt, at);
    },

    /**
     * Audits a batch of rejected signals in one transaction, one `SIGNAL_REJECTED` row each, and one
     * more for those only counted (a storm of bad signals is audited at a bounded cost).
     */
    async recordSignalRejections(sessionId: string, batch: SignalRejectionBatch): Promise<void> {
      const entries = batch.rejected.map((rejection) => recordForChange({ kind: 'signalRejected', ...rejection }, now()).audit);
      if (batch.uncounted > 0) {
        entries.push({ action: 'SIGNALS_REJECTED_UNCOUNTED', actor: 'system', outcome: 'FAILURE', error: `${batch.uncounted} more signals were rejected`, detail: { count: batch.uncounted } });
      }
      await prisma.$transaction(entries.map((entry, index) => insertAudit(prisma, sessionId, entry, `r${index}`)));
    },
  };
}

export type SessionStoreActivities = ReturnType<typeof createSessionStoreActivities>;

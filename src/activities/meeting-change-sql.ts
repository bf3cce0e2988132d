import { Prisma } from '@prisma/client';
import type { AuditEntry, SessionMeetingUpdate } from '../domain/meeting-changes';

/**
 * A meeting change's write as one SQL statement: the Session row, its audit row and (for a cancel)
 * the voiding of queued emails, in data-modifying CTEs, which PostgreSQL applies atomically. Prisma's
 * `$transaction` of the same writes costs four or five statements (BEGIN, each write, COMMIT), and a
 * booked session writes twice in its first workflow task.
 */

/** Each column a meeting change may set, with its SQL type: a field added to the update must be added here. */
const SESSION_COLUMN_TYPES: { readonly [Column in keyof Required<SessionMeetingUpdate>]: string } = {
  startTime: 'timestamptz',
  endTime: 'timestamptz',
  bookingStatus: '"BookingStatus"',
  meetingJoinableAt: 'timestamptz',
  meetingStatus: '"MeetingStatus"',
  meetingUrl: 'text',
  meetingEventId: 'text',
  meetingCreatedAt: 'timestamptz',
  meetingError: 'text',
  meetingRetryCount: 'int',
  meetingLastAttemptAt: 'timestamptz',
};

function assignments(update: SessionMeetingUpdate): Prisma.Sql[] {
  return (Object.keys(update) as Array<keyof SessionMeetingUpdate>)
    .filter((column) => update[column] !== undefined)
    .map((column) => Prisma.sql`${Prisma.raw(`"${column}"`)} = ${update[column]}::${Prisma.raw(SESSION_COLUMN_TYPES[column])}`);
}

export interface MeetingChangeWrite {
  sessionId: string;
  session: SessionMeetingUpdate;
  audit: AuditEntry;
  /** The audit row's key: a try of a write already made adds no second row. */
  dedupeKey: string;
  /** The workflow's number for this write: the row takes it only if it has applied none greater. Absent: unnumbered (older runs). */
  seq: number | undefined;
  at: Date;
  /** Also void the session's queued emails (a cancel), with this statement. */
  voidQueuedEmails: Prisma.Sql | null;
  /** Also answer when this generation's first attempt started (the creation-time metric). */
  firstAttemptOf: number | null;
}

export function meetingChangeStatement(write: MeetingChangeWrite): Prisma.Sql {
  const { sessionId, at } = write;
  const seq = write.seq ?? null;
  const sets = assignments(write.session);
  const steps: Prisma.Sql[] = [];
  if (sets.length > 0) {
    steps.push(Prisma.sql`updated AS (
      UPDATE "Session" SET ${Prisma.join(sets)}, "meetingWriteSeq" = COALESCE(${seq}::int, "meetingWriteSeq"), "updatedAt" = ${at}::timestamptz
      WHERE "id" = ${sessionId} AND (${seq}::int IS NULL OR "meetingWriteSeq" <= ${seq}::int))`);
  }
  const { action, actor, outcome, error, detail } = write.audit;
  steps.push(Prisma.sql`audited AS (
    INSERT INTO "MeetingAuditEvent" ("sessionId", "action", "actor", "outcome", "error", "detail", "dedupeKey")
    VALUES (${sessionId}, ${action}, ${actor}, ${outcome}::"AuditOutcome", ${error}, ${JSON.stringify(detail)}::jsonb, ${write.dedupeKey})
    ON CONFLICT DO NOTHING)`);
  if (write.voidQueuedEmails) steps.push(Prisma.sql`voided AS (${write.voidQueuedEmails})`);
  const firstAttemptAt =
    write.firstAttemptOf === null
      ? Prisma.sql`NULL::timestamptz`
      : Prisma.sql`(SELECT min("createdAt") FROM "MeetingAuditEvent"
          WHERE "sessionId" = ${sessionId} AND "action" = 'ATTEMPT_STARTED'
            AND "detail" -> 'generation' = to_jsonb(${write.firstAttemptOf}::int) AND "detail" -> 'attempt' = '1'::jsonb)`;
  return Prisma.sql`WITH ${Prisma.join(steps)} SELECT ${firstAttemptAt} AS "firstAttemptAt"`;
}

import { Prisma, type PrismaClient } from '@prisma/client';
import { batchIdempotencyKey, MAX_BATCH_EMAILS, nextBatch, type BatchEmail } from '../domain/email-batches';

/**
 * The email outbox in PostgreSQL (README "Emails"): what is queued, which batch carries it, and what
 * Resend said. Every change of state is one statement or one transaction, so any number of workers
 * can share it and a crash anywhere leaves nothing half done. Emails belong to the task queue whose
 * activity queued them, and only that queue's workers drain them (one outbox per deployment; test
 * servers sharing a database keep theirs apart).
 */

/** `key` is the email's own idempotency key (emailIdempotencyKey): unique, so a repeated enqueue adds nothing. */
export interface OutboxEmail extends BatchEmail {
  /** The task queue whose drainers send it. */
  queue: string;
  sessionId: string | null;
  kind: string;
  occurrence: string;
  recipient: string;
  /** After this it is voided rather than sent (`emailUsefulUntil`); absent or null: no limit. */
  sendBefore?: Date | null;
}

export interface ClaimedEmail extends BatchEmail {
  id: bigint;
  sessionId: string | null;
  kind: string;
  occurrence: string;
  recipient: string;
}

export interface ClaimedBatch {
  id: bigint;
  queue: string;
  idempotencyKey: string;
  attempts: number;
  /** When an earlier try may first have reached Resend, and how long ago (null: none did). */
  maybeSentAt: Date | null;
  maybeSentMsAgo: number | null;
  emails: ClaimedEmail[];
}

/** The recipient of an admin alert the drainer queues about an email that failed for good. */
export const ADMIN_RECIPIENT = 'admin';

/** An admin alert the drainer queues, before it is given its queue. */
export type AdminAlertEmail = Omit<OutboxEmail, 'queue'>;

/** The emails that failed for good, and the admin alerts queued about them. */
export interface FailedEmails {
  failed: ClaimedEmail[];
  alerts: AdminAlertEmail[];
}

/** Queues emails; those already queued (same key), in any state, are left as they are. */
export function enqueueEmails(prisma: PrismaClient, emails: readonly OutboxEmail[]) {
  return prisma.emailOutbox.createMany({
    data: emails.map(({ from, to, ...email }) => ({ ...email, fromAddress: from, toAddress: to })),
    skipDuplicates: true, // INSERT ... ON CONFLICT DO NOTHING
  });
}

/**
 * Voids a session's emails still waiting for a batch: an UPDATE that the cancel's write runs in its own
 * statement. Those already in a batch may have reached Resend and go out as they are; the
 * cancellation email, queued after, is never voided.
 */
export function voidQueuedEmailsStatement(sessionId: string, at: Date): Prisma.Sql {
  return Prisma.sql`UPDATE "EmailOutbox" SET "status" = 'VOIDED', "updatedAt" = ${at}::timestamptz
    WHERE "sessionId" = ${sessionId} AND "status" = 'QUEUED' AND "kind" <> 'cancelled'`;
}

/** An email not yet past its `sendBefore` at `at` (the database's clock by default). */
const usefulAt = (at: Date | Prisma.Sql = Prisma.sql`now()`) => Prisma.sql`("sendBefore" IS NULL OR "sendBefore" > ${at})`;
const stillUseful = usefulAt();

/** When the oldest email Resend has not accepted yet, and still worth sending at `at`, was queued; null: none waits. */
export async function oldestWaitingEmail(prisma: PrismaClient, queue: string, at: Date): Promise<Date | null> {
  const [row] = await prisma.$queryRaw<Array<{ oldest: Date | null }>>`
    SELECT min("createdAt") AS oldest FROM "EmailOutbox" WHERE "queue" = ${queue} AND "status" IN ('QUEUED', 'SENDING') AND ${usefulAt(at)}`;
  return row?.oldest ?? null;
}

/** Whether there is work: emails waiting for a batch, or a batch whose sender's lease ran out. */
export async function outboxHasWork(prisma: PrismaClient, queue: string): Promise<boolean> {
  const [row] = await prisma.$queryRaw<Array<{ work: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM "EmailOutbox" WHERE "queue" = ${queue} AND "status" = 'QUEUED' AND ${stillUseful})
        OR EXISTS (SELECT 1 FROM "EmailBatch" WHERE "queue" = ${queue} AND "sentAt" IS NULL AND "failedAt" IS NULL AND "leaseUntil" < now()) AS work`;
  return row?.work === true;
}

type EmailRow = { id: bigint; sessionId: string | null; kind: string; occurrence: string; recipient: string; key: string; fromAddress: string; toAddress: string; subject: string; text: string; html: string; alone: boolean };

function claimed(row: EmailRow): ClaimedEmail {
  return { id: row.id, sessionId: row.sessionId, kind: row.kind, occurrence: row.occurrence, recipient: row.recipient, key: row.key, from: row.fromAddress, to: row.toAddress, subject: row.subject, text: row.text, html: row.html };
}

/**
 * Takes over the oldest unfinished batch whose sender's lease has run out (its worker crashed between
 * the send and the mark, or it waits for a retry), leased to this caller for `leaseMs`. It is sent
 * again as it is: same contents, same key, so Resend sends nothing twice within its 24 hours. From
 * now on this try may reach Resend: `maybeSentAt` is set unless an earlier try set it already.
 */
export async function takeUnfinishedBatch(prisma: PrismaClient, queue: string, leaseMs: number): Promise<ClaimedBatch | null> {
  const [batch] = await prisma.$queryRaw<Array<{ id: bigint; queue: string; idempotencyKey: string; attempts: number; maybeSentAt: Date | null; maybeSentMsAgo: number | null }>>`
    UPDATE "EmailBatch" AS batch
    SET "leaseUntil" = now() + ${leaseMs} * interval '1 millisecond', "attempts" = batch."attempts" + 1, "maybeSentAt" = COALESCE(before."maybeSentAt", now())
    FROM (SELECT "id", "maybeSentAt" FROM "EmailBatch" WHERE "queue" = ${queue} AND "sentAt" IS NULL AND "failedAt" IS NULL AND "leaseUntil" < now()
          ORDER BY "id" LIMIT 1 FOR UPDATE SKIP LOCKED) AS before
    WHERE batch."id" = before."id"
    RETURNING batch."id", batch."queue", batch."idempotencyKey", batch."attempts", before."maybeSentAt",
              (EXTRACT(EPOCH FROM now() - before."maybeSentAt") * 1000)::float8 AS "maybeSentMsAgo"`;
  if (!batch) return null;
  const rows = await prisma.emailOutbox.findMany({ where: { batchId: batch.id }, orderBy: { id: 'asc' } });
  return { ...batch, emails: rows.map(claimed) };
}

/**
 * Makes a new batch of the oldest queued emails (at most 100), leased to this caller for `leaseMs`,
 * in one transaction: from then on its contents and key are fixed, whatever happens to the sender,
 * and it may reach Resend (`maybeSentAt`). Emails past their `sendBefore` are left for
 * `voidOverdueEmails`. Null when another worker took them first.
 */
export async function claimNewBatch(prisma: PrismaClient, queue: string, leaseMs: number): Promise<ClaimedBatch | null> {
  return prisma.$transaction(async (tx) => {
    const oldest = await tx.$queryRaw<EmailRow[]>`
      SELECT "id", "sessionId", "kind", "occurrence", "recipient", "key", "fromAddress", "toAddress", "subject", "text", "html", "alone"
      FROM "EmailOutbox" WHERE "queue" = ${queue} AND "status" = 'QUEUED' AND ${stillUseful}
      ORDER BY "id" LIMIT ${MAX_BATCH_EMAILS} FOR UPDATE SKIP LOCKED`;
    const emails = nextBatch(oldest).map(claimed);
    if (emails.length === 0) return null;
    const idempotencyKey = batchIdempotencyKey(emails);
    const [batch] = await tx.$queryRaw<Array<{ id: bigint; attempts: number }>>`
      INSERT INTO "EmailBatch" ("queue", "idempotencyKey", "leaseUntil", "attempts", "maybeSentAt")
      VALUES (${queue}, ${idempotencyKey}, now() + ${leaseMs} * interval '1 millisecond', 1, now()) RETURNING "id", "attempts"`;
    if (!batch) throw new Error('the email batch was not inserted');
    await tx.emailOutbox.updateMany({ where: { id: { in: emails.map((email) => email.id) } }, data: { status: 'SENDING', batchId: batch.id } });
    return { id: batch.id, queue, idempotencyKey, attempts: batch.attempts, maybeSentAt: null, maybeSentMsAgo: null, emails };
  });
}

function sentAudit(email: ClaimedEmail, resendId: string): Prisma.MeetingAuditEventCreateManyInput {
  const admin = email.recipient === ADMIN_RECIPIENT;
  return {
    sessionId: email.sessionId,
    action: admin ? 'ADMIN_ALERTED' : 'EMAIL_SENT',
    actor: 'system',
    outcome: admin ? 'INFO' : 'SUCCESS',
    error: null,
    detail: admin ? { kind: email.kind, occurrence: email.occurrence, channel: 'email', emailId: resendId } : { kind: email.kind, occurrence: email.occurrence, recipient: email.recipient, emailId: resendId },
    dedupeKey: `outbox/${email.key}/sent`,
  };
}

const OVERDUE = 'not sent: the session was over before Resend could take it';

/**
 * Voids this queue's queued emails past their `sendBefore`, each audited `EMAIL_SKIPPED` (the drain
 * passes them by; this runs with the pruning). Emails already in a batch may have reached Resend and
 * go out as they are. Returns how many were voided.
 */
export async function voidOverdueEmails(prisma: PrismaClient, queue: string): Promise<number> {
  return prisma.$transaction(async (tx) => {
    const overdue = await tx.$queryRaw<Array<{ sessionId: string | null; kind: string; occurrence: string; recipient: string; key: string }>>`
      UPDATE "EmailOutbox" SET "status" = 'VOIDED', "error" = ${OVERDUE}, "updatedAt" = now()
      WHERE "id" IN (SELECT "id" FROM "EmailOutbox" WHERE "queue" = ${queue} AND "status" = 'QUEUED' AND NOT ${stillUseful} FOR UPDATE SKIP LOCKED)
      RETURNING "sessionId", "kind", "occurrence", "recipient", "key"`;
    await tx.meetingAuditEvent.createMany({
      data: overdue.map((email) => ({
        sessionId: email.sessionId,
        action: 'EMAIL_SKIPPED',
        actor: 'system',
        outcome: 'INFO' as const,
        error: OVERDUE,
        detail: { kind: email.kind, occurrence: email.occurrence, recipient: email.recipient },
        dedupeKey: `outbox/${email.key}/skipped`,
      })),
      skipDuplicates: true,
    });
    return overdue.length;
  });
}

/** How many finished emails one pruning statement deletes: short statements, short locks. */
const PRUNE_CHUNK = 1_000;

/**
 * Deletes this queue's finished emails (SENT, VOIDED, FAILED) last changed more than `retentionMs`
 * ago, a chunk a statement, then their finished batches. Queued and sending ones stay, however old;
 * the audit rows (`EMAIL_SENT` with Resend's id) stay too. Returns how many emails were deleted.
 */
export async function pruneOutbox(prisma: PrismaClient, queue: string, retentionMs: number): Promise<number> {
  const cutoff = Prisma.sql`now() - ${retentionMs} * interval '1 millisecond'`;
  let pruned = 0;
  for (;;) {
    const deleted = await prisma.$executeRaw`
      DELETE FROM "EmailOutbox" WHERE "id" IN (
        SELECT "id" FROM "EmailOutbox" WHERE "queue" = ${queue} AND "status" IN ('SENT', 'VOIDED', 'FAILED') AND "updatedAt" < ${cutoff} LIMIT ${PRUNE_CHUNK})`;
    pruned += deleted;
    if (deleted < PRUNE_CHUNK) break;
  }
  await prisma.$executeRaw`
    DELETE FROM "EmailBatch" AS batch WHERE "queue" = ${queue} AND COALESCE("sentAt", "failedAt") < ${cutoff}
      AND NOT EXISTS (SELECT 1 FROM "EmailOutbox" AS email WHERE email."batchId" = batch."id")`;
  return pruned;
}

/** Resend accepted the batch: its emails are SENT with Resend's ids (in the batch's order) and audited. */
export async function markBatchSent(prisma: PrismaClient, batch: ClaimedBatch, resendIds: readonly string[]): Promise<void> {
  if (resendIds.length !== batch.emails.length) throw new Error(`Resend answered ${resendIds.length} ids for a batch of ${batch.emails.length}`);
  const ids = batch.emails.map((email) => String(email.id));
  await prisma.$transaction([
    // One statement for the whole batch (up to 100 rows), each row with its own Resend id.
    prisma.$executeRaw`
      UPDATE "EmailOutbox" AS email SET "status" = 'SENT', "resendId" = sent."resendId", "updatedAt" = now()
      FROM (SELECT unnest(${ids}::text[])::bigint AS "id", unnest(${[...resendIds]}::text[]) AS "resendId") AS sent
      WHERE email."id" = sent."id"`,
    prisma.emailBatch.update({ where: { id: batch.id }, data: { sentAt: new Date(), lastError: null } }),
    prisma.meetingAuditEvent.createMany({ data: batch.emails.map((email, index) => sentAudit(email, resendIds[index] ?? '')), skipDuplicates: true }),
  ]);
}

/**
 * The batch is to be sent again, as it is, no sooner than `afterMs` from now (by whichever worker).
 * When Resend certainly did not take this try, `maybeSentAt` goes back to what earlier tries left.
 */
export async function postponeBatch(prisma: PrismaClient, batch: ClaimedBatch, afterMs: number, error: string, mayHaveSent: boolean): Promise<void> {
  const leaseUntil = Prisma.sql`now() + ${afterMs} * interval '1 millisecond'`;
  await (mayHaveSent
    ? prisma.$executeRaw`UPDATE "EmailBatch" SET "leaseUntil" = ${leaseUntil}, "lastError" = ${error} WHERE "id" = ${batch.id}`
    : prisma.$executeRaw`UPDATE "EmailBatch" SET "leaseUntil" = ${leaseUntil}, "lastError" = ${error}, "maybeSentAt" = ${batch.maybeSentAt} WHERE "id" = ${batch.id}`);
}

/**
 * Resend refused the batch's payload (nothing of it was sent). A batch of several emails is taken
 * apart: each is queued again to go alone, so only the bad one fails. A lone email fails for good
 * (`failBatch`), with an admin alert unless it was one itself.
 */
export async function refuseBatch(
  prisma: PrismaClient,
  batch: ClaimedBatch,
  error: string,
  adminAlert: (email: ClaimedEmail) => AdminAlertEmail,
): Promise<FailedEmails> {
  if (batch.emails.length > 1) {
    await prisma.$transaction([
      prisma.emailOutbox.updateMany({ where: { batchId: batch.id }, data: { status: 'QUEUED', alone: true, batchId: null } }),
      prisma.emailBatch.update({ where: { id: batch.id }, data: { failedAt: new Date(), lastError: error } }),
    ]);
    return { failed: [], alerts: [] };
  }
  return failBatch(prisma, batch, error, batch.emails.filter((email) => email.recipient !== ADMIN_RECIPIENT).map(adminAlert));
}

/**
 * A batch that may have reached Resend longer ago than Resend remembers its key (`keyMayBeForgotten`):
 * sent again, its emails could go twice, so they fail for good instead, with one admin alert for the
 * batch (none when it held only admin alerts).
 */
export async function expireBatch(
  prisma: PrismaClient,
  batch: ClaimedBatch,
  error: string,
  adminAlert: (emails: readonly ClaimedEmail[]) => AdminAlertEmail,
): Promise<FailedEmails> {
  const recipients = batch.emails.filter((email) => email.recipient !== ADMIN_RECIPIENT);
  return failBatch(prisma, batch, error, recipients.length > 0 ? [adminAlert(recipients)] : []);
}

/** The batch's emails fail for good, in one transaction: FAILED with `error`, audited `EMAIL_FAILED`, and `alerts` queued. */
async function failBatch(prisma: PrismaClient, batch: ClaimedBatch, error: string, alerts: AdminAlertEmail[]): Promise<FailedEmails> {
  await prisma.$transaction([
    prisma.emailOutbox.updateMany({ where: { batchId: batch.id }, data: { status: 'FAILED', error } }),
    prisma.emailBatch.update({ where: { id: batch.id }, data: { failedAt: new Date(), lastError: error } }),
    prisma.meetingAuditEvent.createMany({
      data: batch.emails.map((email) => ({
        sessionId: email.sessionId,
        action: 'EMAIL_FAILED',
        actor: 'system',
        outcome: 'FAILURE' as const,
        error,
        detail: { kind: email.kind, occurrence: email.occurrence, recipient: email.recipient },
        dedupeKey: `outbox/${email.key}/failed`,
      })),
      skipDuplicates: true,
    }),
    enqueueEmails(prisma, alerts.map((alert) => ({ ...alert, queue: batch.queue }))),
  ]);
  return { failed: batch.emails, alerts };
}

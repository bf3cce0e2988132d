import type { Prisma, PrismaClient } from '@prisma/client';
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
  emails: ClaimedEmail[];
}

/** The recipient of an admin alert the drainer queues about an email that failed for good. */
export const ADMIN_RECIPIENT = 'admin';

/** Queues emails; those already queued (same key), in any state, are left as they are. */
export function enqueueEmails(prisma: PrismaClient, emails: readonly OutboxEmail[]) {
  return prisma.emailOutbox.createMany({
    data: emails.map(({ from, to, ...email }) => ({ ...email, fromAddress: from, toAddress: to })),
    skipDuplicates: true, // INSERT ... ON CONFLICT DO NOTHING
  });
}

/**
 * Voids a session's emails still waiting for a batch (run in the cancel's own transaction). Those
 * already in a batch may have reached Resend and go out as they are; the cancellation email, queued
 * after, is never voided.
 */
export function voidQueuedEmails(prisma: PrismaClient, sessionId: string) {
  return prisma.emailOutbox.updateMany({ where: { sessionId, status: 'QUEUED', kind: { not: 'cancelled' } }, data: { status: 'VOIDED' } });
}

/** Whether there is work: emails waiting for a batch, or a batch whose sender's lease ran out. */
export async function outboxHasWork(prisma: PrismaClient, queue: string): Promise<boolean> {
  const [row] = await prisma.$queryRaw<Array<{ work: boolean }>>`
    SELECT EXISTS (SELECT 1 FROM "EmailOutbox" WHERE "queue" = ${queue} AND "status" = 'QUEUED')
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
 * again as it is: same contents, same key, so Resend sends nothing twice within its 24 hours.
 */
export async function takeUnfinishedBatch(prisma: PrismaClient, queue: string, leaseMs: number): Promise<ClaimedBatch | null> {
  const [batch] = await prisma.$queryRaw<Array<{ id: bigint; queue: string; idempotencyKey: string; attempts: number }>>`
    UPDATE "EmailBatch" SET "leaseUntil" = now() + ${leaseMs} * interval '1 millisecond', "attempts" = "attempts" + 1
    WHERE "id" = (SELECT "id" FROM "EmailBatch" WHERE "queue" = ${queue} AND "sentAt" IS NULL AND "failedAt" IS NULL AND "leaseUntil" < now()
                  ORDER BY "id" LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING "id", "queue", "idempotencyKey", "attempts"`;
  if (!batch) return null;
  const rows = await prisma.emailOutbox.findMany({ where: { batchId: batch.id }, orderBy: { id: 'asc' } });
  return { ...batch, emails: rows.map(claimed) };
}

/**
 * Makes a new batch of the oldest queued emails (at most 100), leased to this caller for `leaseMs`,
 * in one transaction: from then on its contents and key are fixed, whatever happens to the sender.
 * Null when another worker took them first.
 */
export async function claimNewBatch(prisma: PrismaClient, queue: string, leaseMs: number): Promise<ClaimedBatch | null> {
  return prisma.$transaction(async (tx) => {
    const oldest = await tx.$queryRaw<EmailRow[]>`
      SELECT "id", "sessionId", "kind", "occurrence", "recipient", "key", "fromAddress", "toAddress", "subject", "text", "html", "alone"
      FROM "EmailOutbox" WHERE "queue" = ${queue} AND "status" = 'QUEUED' ORDER BY "id" LIMIT ${MAX_BATCH_EMAILS} FOR UPDATE SKIP LOCKED`;
    const emails = nextBatch(oldest).map(claimed);
    if (emails.length === 0) return null;
    const idempotencyKey = batchIdempotencyKey(emails);
    const [batch] = await tx.$queryRaw<Array<{ id: bigint; attempts: number }>>`
      INSERT INTO "EmailBatch" ("queue", "idempotencyKey", "leaseUntil", "attempts")
      VALUES (${queue}, ${idempotencyKey}, now() + ${leaseMs} * interval '1 millisecond', 1) RETURNING "id", "attempts"`;
    if (!batch) throw new Error('the email batch was not inserted');
    await tx.emailOutbox.updateMany({ where: { id: { in: emails.map((email) => email.id) } }, data: { status: 'SENDING', batchId: batch.id } });
    return { id: batch.id, queue, idempotencyKey, attempts: batch.attempts, emails };
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

/** The batch is to be sent again, as it is, no sooner than `afterMs` from now (by whichever worker). */
export async function postponeBatch(prisma: PrismaClient, batchId: bigint, afterMs: number, error: string): Promise<void> {
  await prisma.$executeRaw`
    UPDATE "EmailBatch" SET "leaseUntil" = now() + ${afterMs} * interval '1 millisecond', "lastError" = ${error} WHERE "id" = ${batchId}`;
}

/**
 * Resend refused the batch's payload (nothing of it was sent). A batch of several emails is taken
 * apart: each is queued again to go alone, so only the bad one fails. A lone email fails for good:
 * FAILED, audited `EMAIL_FAILED`, and an admin alert queued (unless it was one itself). Returns the
 * emails that failed.
 */
export async function refuseBatch(
  prisma: PrismaClient,
  batch: ClaimedBatch,
  error: string,
  adminAlert: (email: ClaimedEmail) => Omit<OutboxEmail, 'queue'>,
): Promise<ClaimedEmail[]> {
  const closeBatch = prisma.emailBatch.update({ where: { id: batch.id }, data: { failedAt: new Date(), lastError: error } });
  if (batch.emails.length > 1) {
    await prisma.$transaction([
      prisma.emailOutbox.updateMany({ where: { batchId: batch.id }, data: { status: 'QUEUED', alone: true, batchId: null } }),
      closeBatch,
    ]);
    return [];
  }
  const alerts = batch.emails.filter((email) => email.recipient !== ADMIN_RECIPIENT).map((email) => ({ ...adminAlert(email), queue: batch.queue }));
  await prisma.$transaction([
    prisma.emailOutbox.updateMany({ where: { batchId: batch.id }, data: { status: 'FAILED', error } }),
    closeBatch,
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
    enqueueEmails(prisma, alerts),
  ]);
  return batch.emails;
}

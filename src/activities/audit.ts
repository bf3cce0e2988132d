import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Prisma, PrismaClient } from '@prisma/client';
import { changeIdentity, type AuditEntry, type MeetingChange } from '../domain/meeting-changes';

/**
 * A key for the running activity execution (and `part` of its work): the same across its retries,
 * different for every other execution. Audit rows are keyed by it, so a retry never writes the same
 * row twice.
 */
export function activityExecutionKey(part = ''): string {
  const info = Context.current().info;
  return `${info.workflowExecution?.runId ?? info.activityType}/${info.activityId}${part ? `/${part}` : ''}`;
}

/**
 * A key for one change a workflow run writes, by its content: the same for every try of that write,
 * also for a local activity's tries, which Temporal schedules anew (under a new activity id) after a
 * long backoff, and for the same change made again after a workflow task that wrote it was lost (a
 * crashed worker), when its write number may have gone to another change (see `changeIdentity`).
 */
export function workflowWriteKey(change: MeetingChange): string {
  const info = Context.current().info;
  const content = createHash('sha256').update(JSON.stringify(changeIdentity(change))).digest('hex').slice(0, 32);
  return `${info.workflowExecution?.runId ?? info.activityType}/write/${content}`;
}

/** `sessionId` null: what concerns no one session (a fleet-wide admin alert). `dedupeKey`: by default the activity execution's. */
export function insertAudit(prisma: PrismaClient, sessionId: string | null, entry: AuditEntry, part = '', dedupeKey = activityExecutionKey(part)) {
  const row: Prisma.MeetingAuditEventCreateManyInput = {
    sessionId,
    action: entry.action,
    actor: entry.actor,
    outcome: entry.outcome,
    error: entry.error,
    detail: entry.detail,
    dedupeKey,
  };
  return prisma.meetingAuditEvent.createMany({ data: [row], skipDuplicates: true });
}

/** Whether an earlier try of the running activity execution already wrote the row of `part`. */
export async function auditedByEarlierTry(prisma: PrismaClient, part: string): Promise<boolean> {
  return (await prisma.meetingAuditEvent.count({ where: { dedupeKey: activityExecutionKey(part) } })) > 0;
}

/**
 * Takes the admin-alert claim (kind, key) for the running activity execution: false when another
 * execution holds it, true when this one does (also on a retry after its answer was lost).
 */
export async function claimAlert(prisma: PrismaClient, kind: string, key: string, detail: Prisma.InputJsonObject = {}): Promise<boolean> {
  const claimedBy = activityExecutionKey();
  await prisma.adminAlertClaim.createMany({ data: [{ kind, key, claimedBy, detail }], skipDuplicates: true }); // INSERT ... ON CONFLICT DO NOTHING
  const holder = await prisma.adminAlertClaim.findUnique({ where: { kind_key: { kind, key } }, select: { claimedBy: true } });
  return holder?.claimedBy === claimedBy;
}

import { Context } from '@temporalio/activity';
import type { Prisma, PrismaClient } from '@prisma/client';
import type { AuditEntry } from '../domain/meeting-changes';

/**
 * An audit row keyed by the activity execution (and `part`, when one activity writes several), so a
 * retried activity never writes the same row twice.
 */
export function auditRow(sessionId: string, entry: AuditEntry, part = ''): Prisma.MeetingAuditEventCreateManyInput {
  const info = Context.current().info;
  return {
    sessionId,
    action: entry.action,
    actor: entry.actor,
    outcome: entry.outcome,
    error: entry.error,
    detail: entry.detail,
    dedupeKey: `${info.workflowExecution?.runId ?? info.activityType}/${info.activityId}${part ? `/${part}` : ''}`,
  };
}

export function insertAudit(prisma: PrismaClient, sessionId: string, entry: AuditEntry, part = '') {
  return prisma.meetingAuditEvent.createMany({ data: [auditRow(sessionId, entry, part)], skipDuplicates: true });
}

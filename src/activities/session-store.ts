import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '@prisma/client';
import { recordForChange, type MeetingChange } from '../domain/meeting-changes';
import { insertAudit } from './audit';
import { sessionMeetingProblems } from '../domain/session-validation';
import { findSessionRow } from './session-details';

export interface MeetingSchedule {
  startTime: string;
  endTime: string;
}

export interface SessionStoreDeps {
  prisma: PrismaClient;
  now?: () => Date;
}

export function createSessionStoreActivities({ prisma, now = () => new Date() }: SessionStoreDeps) {
  return {
    /**
     * Reads the session and checks it can get a meeting. A session that cannot is marked FAILED with
     * every reason, in one transaction with its audit row, and the activity fails for good.
     */
    async loadMeetingSession(sessionId: string): Promise<MeetingSchedule> {
      const row = await findSessionRow(prisma, sessionId);
      const problems = sessionMeetingProblems(row, now());
      if (problems.length > 0) {
        const error = `session ${sessionId} cannot get a meeting: ${problems.join('; ')}`;
        await prisma.$transaction([
          prisma.session.update({ where: { id: sessionId }, data: { meetingStatus: 'FAILED', meetingError: error } }),
          insertAudit(prisma, sessionId, { action: 'INVALID_SESSION', actor: 'system', outcome: 'FAILURE', error, detail: { problems: problems.join('; ') } }),
        ]);
        throw ApplicationFailure.nonRetryable(error, 'InvalidSession', { problems });
      }
      return { startTime: row.startTime.toISOString(), endTime: row.endTime.toISOString() };
    },

    /** Records one change of the meeting: the Session row and its audit entry, together or not at all. */
    async recordMeetingChange(sessionId: string, change: MeetingChange): Promise<void> {
      const record = recordForChange(change, now());
      const hasUpdate = Object.keys(record.session).length > 0;
      await prisma.$transaction([
        ...(hasUpdate ? [prisma.session.update({ where: { id: sessionId }, data: record.session })] : []),
        insertAudit(prisma, sessionId, record.audit),
      ]);
    },
  };
}

export type SessionStoreActivities = ReturnType<typeof createSessionStoreActivities>;

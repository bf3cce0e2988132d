import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '@prisma/client';

export interface Participant {
  name: string;
  email: string;
  timeZone: string;
}

/** A session with the people in it, read fresh by each activity so that no PII enters workflow history. */
export interface SessionDetails {
  id: string;
  title: string;
  description: string | null;
  startTime: Date;
  endTime: Date;
  meetingUrl: string | null;
  teacher: Participant;
  student: Participant;
}

/** The stored session with its teacher and student; fails for good when there is none. */
export async function findSessionRow(prisma: PrismaClient, sessionId: string) {
  const row = await prisma.session.findUnique({ where: { id: sessionId }, include: { teacher: true, student: true } });
  if (!row) throw ApplicationFailure.nonRetryable(`session ${sessionId} does not exist`, 'SessionNotFound');
  return row;
}

export async function loadSessionDetails(prisma: PrismaClient, sessionId: string): Promise<SessionDetails> {
  const row = await findSessionRow(prisma, sessionId);
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    startTime: row.startTime,
    endTime: row.endTime,
    meetingUrl: row.meetingUrl,
    teacher: participant(sessionId, 'teacher', row.teacher),
    student: participant(sessionId, 'student', row.student),
  };
}

function participant(sessionId: string, role: string, user: { name: string; email: string | null; timeZone: string }): Participant {
  if (!user.email) throw ApplicationFailure.nonRetryable(`session ${sessionId}: the ${role} has no email address`, 'InvalidSession');
  return { name: user.name, email: user.email, timeZone: user.timeZone };
}

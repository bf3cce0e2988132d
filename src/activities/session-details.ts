import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '@prisma/client';
import { z } from 'zod';

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

const participantRow = { name: z.string(), email: z.string().nullable(), timeZone: z.string() };

/** A session row with its teacher's and student's columns, as `findSessionRow`'s one query answers it. */
const sessionRow = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  startTime: z.date(),
  endTime: z.date(),
  bookingStatus: z.string(),
  meetingUrl: z.string().nullable(),
  teacher: z.object(participantRow),
  student: z.object(participantRow),
});

export type SessionRow = z.infer<typeof sessionRow>;

/**
 * The stored session with its teacher and student; fails for good when there is none. One statement
 * (Prisma's `include` costs three, and each activity of a booking reads the session afresh).
 */
export async function findSessionRow(prisma: PrismaClient, sessionId: string): Promise<SessionRow> {
  const [row] = await prisma.$queryRaw<unknown[]>`
    SELECT s."id", s."title", s."description", s."startTime", s."endTime", s."bookingStatus"::text AS "bookingStatus", s."meetingUrl",
           json_build_object('name', t."name", 'email', t."email", 'timeZone', t."timeZone") AS "teacher",
           json_build_object('name', st."name", 'email', st."email", 'timeZone', st."timeZone") AS "student"
    FROM "Session" AS s JOIN "User" AS t ON t."id" = s."teacherId" JOIN "User" AS st ON st."id" = s."studentId"
    WHERE s."id" = ${sessionId}`;
  if (row === undefined) throw ApplicationFailure.nonRetryable(`session ${sessionId} does not exist`, 'SessionNotFound');
  return sessionRow.parse(row);
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

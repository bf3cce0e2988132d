import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/adapters/database';

export interface SessionSeed {
  title?: string;
  startTime?: Date;
  endTime?: Date;
  teacherEmail?: string | null;
  studentEmail?: string | null;
  teacherTimeZone?: string;
  studentTimeZone?: string;
}

/** Writes a confirmed session with two new users (three days ahead unless told); returns its id. */
export async function seedSession(prisma: PrismaClient, seed: SessionSeed = {}): Promise<string> {
  const unique = randomUUID().slice(0, 8);
  const startTime = seed.startTime ?? new Date(Date.now() + 3 * 24 * 3600_000);
  const user = (role: 'TEACHER' | 'STUDENT', email: string | null | undefined, timeZone: string) =>
    prisma.user.create({
      data: { email: email === undefined ? `${role.toLowerCase()}-${unique}@example.com` : email, name: `${role} ${unique}`, timeZone, role },
    });
  const teacher = await user('TEACHER', seed.teacherEmail, seed.teacherTimeZone ?? 'Europe/Berlin');
  const student = await user('STUDENT', seed.studentEmail, seed.studentTimeZone ?? 'America/New_York');
  const session = await prisma.session.create({
    data: {
      title: seed.title ?? `Algebra ${unique}`,
      teacherId: teacher.id,
      studentId: student.id,
      startTime,
      endTime: seed.endTime ?? new Date(startTime.getTime() + 3600_000),
    },
  });
  return session.id;
}

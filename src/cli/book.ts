import type { PrismaClient } from '@prisma/client';
import type { BookingRequest } from '../domain/booking-request';
import { MeetingStartUnknownError, type SessionMeetings, type StartedMeeting } from '../client/session-meetings';

export interface BookedSession extends StartedMeeting {
  sessionId: string;
}

/**
 * What the booking service does when payment is confirmed: write the session (and its two users, if
 * new) and start its meeting workflow. Should the start be refused, the rows written here are removed
 * again, so a failed booking leaves nothing behind. Should it get no clear answer, they stay: a lost
 * answer may hide a started workflow, and if none started, the health monitor's reconciler starts it.
 */
export async function bookSession(prisma: PrismaClient, meetings: SessionMeetings, booking: BookingRequest): Promise<BookedSession> {
  const { session, createdUserIds } = await prisma.$transaction(async (tx) => {
    const createdUserIds: string[] = [];
    const user = async (person: BookingRequest['teacher'], role: 'TEACHER' | 'STUDENT') => {
      const existing = await tx.user.findUnique({ where: { email: person.email } });
      if (existing) return existing;
      const created = await tx.user.create({ data: { email: person.email, name: person.name, timeZone: person.timeZone, role } });
      createdUserIds.push(created.id);
      return created;
    };
    const teacher = await user(booking.teacher, 'TEACHER');
    const student = await user(booking.student, 'STUDENT');
    const session = await tx.session.create({
      data: {
        title: booking.title,
        description: booking.description,
        teacherId: teacher.id,
        studentId: student.id,
        startTime: booking.startTime,
        endTime: booking.endTime,
        bookingStatus: 'CONFIRMED',
      },
    });
    return { session, createdUserIds };
  });
  try {
    return { sessionId: session.id, ...(await meetings.startSessionMeeting(session.id)) };
  } catch (error) {
    if (!(error instanceof MeetingStartUnknownError)) {
      await prisma.$transaction([prisma.session.delete({ where: { id: session.id } }), prisma.user.deleteMany({ where: { id: { in: createdUserIds } } })]);
    }
    throw error;
  }
}

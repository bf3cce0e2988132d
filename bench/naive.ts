// The ceiling phase's yardstick: what one session's meeting costs without Temporal. Step for step the
// calls the workflow's start path makes (load the session, row to CREATING with its audit row, the
// Calendar insert, polls until the conference is ready, row to ACTIVE with its audit row, two emails
// each with its audit row), at a fixed concurrency, with nothing durable around them.
import type { PrismaClient } from '@prisma/client';
import type { CalendarApi } from '../src/adapters/google-calendar';
import type { Resend } from '../src/adapters/resend';
import { loadSessionDetails } from '../src/activities/session-details';
import { meetingEventBody, readCalendarEvent, sessionEventFacts } from '../src/domain/calendar-event';
import { emailIdempotencyKey, renderMeetingEmail } from '../src/domain/email-content';
import { conferenceRequestId, meetingEventId } from '../src/domain/meeting-ids';

export interface NaiveDeps {
  prisma: PrismaClient;
  calendar: CalendarApi;
  resend: Resend;
  from: string;
  /** The activity's waits between polls of a pending conference (the last one repeats). */
  pollIntervalsMs: readonly number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function audit(prisma: PrismaClient, sessionId: string, action: string, detail: Record<string, string>): Promise<void> {
  await prisma.meetingAuditEvent.create({ data: { sessionId, action, actor: 'system', outcome: action === 'ATTEMPT_STARTED' ? 'INFO' : 'SUCCESS', detail } });
}

async function makeMeeting(deps: NaiveDeps, sessionId: string): Promise<void> {
  const { prisma, calendar } = deps;
  const session = await loadSessionDetails(prisma, sessionId);
  await prisma.session.update({ where: { id: sessionId }, data: { meetingStatus: 'CREATING', meetingLastAttemptAt: new Date() } });
  await audit(prisma, sessionId, 'ATTEMPT_STARTED', {});
  const eventId = meetingEventId(sessionId, 1);
  const inserted = await calendar.events.insert({
    calendarId: 'primary',
    conferenceDataVersion: 1,
    sendUpdates: 'all',
    requestBody: meetingEventBody(sessionEventFacts(session, eventId, conferenceRequestId(sessionId, 1))),
  });
  let event = readCalendarEvent(inserted.data);
  for (let poll = 0; event.conference.status === 'pending'; poll++) {
    await sleep(deps.pollIntervalsMs[Math.min(poll, deps.pollIntervalsMs.length - 1)] ?? 1_000);
    event = readCalendarEvent((await calendar.events.get({ calendarId: 'primary', eventId })).data);
  }
  if (event.conference.status !== 'success') throw new Error(`naive loop: the conference of ${sessionId} ended ${event.conference.status}`);
  const meetingUrl = event.conference.meetingUrl;
  await prisma.session.update({ where: { id: sessionId }, data: { meetingStatus: 'ACTIVE', meetingUrl, meetingEventId: eventId, meetingCreatedAt: new Date() } });
  await audit(prisma, sessionId, 'MEETING_ACTIVE', { eventId });
  const parties = [
    { role: 'teacher' as const, person: session.teacher, other: session.student },
    { role: 'student' as const, person: session.student, other: session.teacher },
  ];
  for (const { role, person, other } of parties) {
    const content = renderMeetingEmail('confirmation', { title: session.title, startTime: session.startTime, endTime: session.endTime, meetingUrl, otherPartyName: other.name }, { role, ...person });
    const { error } = await deps.resend.emails.send({ from: deps.from, to: person.email, ...content }, { idempotencyKey: emailIdempotencyKey(sessionId, 'confirmation', 'g1', role) });
    if (error) throw new Error(`naive loop: Resend refused an email: ${error.message}`);
    await audit(prisma, sessionId, 'EMAIL_SENT', { kind: 'confirmation', recipient: role });
  }
}

/** Makes every session's meeting, `concurrency` at a time; answers when each one finished (epoch ms). */
export async function runNaiveLoop(deps: NaiveDeps, sessionIds: readonly string[], concurrency: number, onDone: (done: number) => void): Promise<number[]> {
  const finishedAt: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < sessionIds.length) {
      const sessionId = sessionIds[next++] ?? '';
      await makeMeeting(deps, sessionId);
      finishedAt.push(Date.now());
      onDone(finishedAt.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sessionIds.length) }, lane));
  return finishedAt;
}

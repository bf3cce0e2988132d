// The booking service of a chaos run, as its own process: writes each session as payment confirms
// it, starts its meeting workflow (retrying while Temporal is down, as a booking service must), and
// sends a share of them admin commands mid-run. Everything it got done goes into the journal.
import { createPrismaClient } from '../src/adapters/database';
import { connectSessionMeetings } from '../src/client/connect';
import type { SessionMeetings } from '../src/client/session-meetings';
import { loadTemporalConfig } from '../src/config/temporal-config';
import { appendJournal } from './journal';
import { commandsFor } from './plan';

const env = process.env;
const sessions = Number(env.CHAOS_SESSIONS);
const bookingMs = Number(env.CHAOS_BOOKING_MS);
const journal = env.CHAOS_JOURNAL ?? '';
const runId = env.CHAOS_RUN_ID ?? 'run';
const HOUR = 3600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => new Date().toISOString();

/** Tries until it works: the booking service's own durability, the way an outbox relay would. */
async function persistently<T>(what: () => Promise<T>): Promise<{ value: T; tries: number }> {
  for (let tries = 1; ; tries++) {
    try {
      return { value: await what(), tries };
    } catch (error) {
      if (tries % 20 === 0) console.error(`still retrying after ${tries} tries: ${String(error)}`);
      await sleep(500);
    }
  }
}

async function main(): Promise<void> {
  const prisma = createPrismaClient(env.DATABASE_URL ?? '');
  const { api, close } = await persistently(() => connectSessionMeetings(loadTemporalConfig())).then((r) => r.value);
  const base = Date.now() + 3 * 24 * HOUR;

  async function book(index: number): Promise<void> {
    const startTime = new Date(base + index * 60_000);
    const person = (role: 'teacher' | 'student', timeZone: string) => ({
      email: `${role}-${runId}-${index}@chaos.example.com`,
      name: `${role === 'teacher' ? 'Teacher' : 'Student'} ${index}`,
      timeZone,
      role: role === 'teacher' ? ('TEACHER' as const) : ('STUDENT' as const),
    });
    const { value: session } = await persistently(() =>
      prisma.session.create({
        data: {
          title: `Chaos session ${index}`,
          teacher: { create: person('teacher', 'Europe/Berlin') },
          student: { create: person('student', 'America/New_York') },
          startTime,
          endTime: new Date(startTime.getTime() + HOUR),
        },
      }),
    );
    appendJournal(journal, { kind: 'booked', at: now(), index, sessionId: session.id });
    const started = await persistently(() => api.startSessionMeeting(session.id));
    appendJournal(journal, { kind: 'started', at: now(), sessionId: session.id, tries: started.tries });
    for (const command of commandsFor(index)) {
      await sleep(command.afterMs);
      const signalled = await persistently(() => send(api, session.id, command.signal, startTime));
      appendJournal(journal, { kind: 'signalled', at: now(), sessionId: session.id, signal: command.signal, tries: signalled.tries });
    }
  }

  const bookings: Array<Promise<void>> = [];
  const t0 = Date.now();
  for (let index = 0; index < sessions; index++) {
    const due = t0 + (index * bookingMs) / sessions;
    if (due > Date.now()) await sleep(due - Date.now());
    bookings.push(book(index));
  }
  await Promise.all(bookings);
  appendJournal(journal, { kind: 'done', at: now() });
  await close();
  await prisma.$disconnect();
}

function send(api: SessionMeetings, sessionId: string, signal: 'cancel' | 'regenerate' | 'reschedule', startTime: Date): Promise<void> {
  const actor = 'chaos-admin';
  if (signal === 'cancel') return api.cancelSessionMeeting(sessionId, { reason: 'chaos: student cancelled', actor });
  if (signal === 'regenerate') return api.regenerateMeetingLink(sessionId, { reason: 'chaos: teacher cannot join', actor });
  const moved = new Date(startTime.getTime() + 24 * HOUR);
  return api.rescheduleSession(sessionId, { startTime: moved.toISOString(), endTime: new Date(moved.getTime() + HOUR).toISOString(), actor });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// The booking service of a bench phase, as its own process (so its CPU is not the worker's nor the
// bench's): writes the phase's sessions, then starts their meeting workflows at the planned rate, and
// journals when each start call returned.
import { createPrismaClient } from '../src/adapters/database';
import { connectSessionMeetings } from '../src/client/connect';
import { loadTemporalConfig } from '../src/config/temporal-config';
import { appendBookingEntry, bookingPlanSchema } from './journal';

const DAY = 24 * 3600_000;
const HOUR = 3600_000;
const CHUNK = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const plan = bookingPlanSchema.parse(JSON.parse(process.env.BENCH_BOOKING ?? '{}'));
  const prisma = createPrismaClient(process.env.DATABASE_URL ?? '');
  const { api, close } = await connectSessionMeetings(loadTemporalConfig());

  const base = Date.now() + 3 * DAY;
  const sessionIds: string[] = [];
  for (let first = 0; first < plan.sessions; first += CHUNK) {
    const indexes = Array.from({ length: Math.min(CHUNK, plan.sessions - first) }, (_, i) => first + i);
    const person = (role: 'teacher' | 'student', index: number) => ({
      email: `${role}-${plan.tag}-${index}@bench.example.com`,
      name: `${role === 'teacher' ? 'Teacher' : 'Student'} ${index}`,
      timeZone: role === 'teacher' ? 'Europe/Berlin' : 'America/New_York',
      role: role === 'teacher' ? ('TEACHER' as const) : ('STUDENT' as const),
    });
    const teachers = await prisma.user.createManyAndReturn({ data: indexes.map((index) => person('teacher', index)), select: { id: true } });
    const students = await prisma.user.createManyAndReturn({ data: indexes.map((index) => person('student', index)), select: { id: true } });
    const sessions = await prisma.session.createManyAndReturn({
      data: indexes.map((index, i) => {
        const startTime = new Date(plan.sessionStartMs ?? base + index * 60_000);
        return { title: `Bench ${plan.tag} ${index}`, teacherId: teachers[i]?.id ?? '', studentId: students[i]?.id ?? '', startTime, endTime: new Date(startTime.getTime() + HOUR) };
      }),
      select: { id: true },
    });
    sessionIds.push(...sessions.map((session) => session.id));
  }
  appendBookingEntry(plan.journal, { kind: 'seeded', at: Date.now(), sessions: sessionIds.length });

  const start = async (sessionId: string) => {
    for (let tries = 1; ; tries++) {
      try {
        await api.startSessionMeeting(sessionId);
        appendBookingEntry(plan.journal, { kind: 'started', at: Date.now(), sessionId, tries });
        return;
      } catch (error) {
        if (tries % 10 === 0) console.error(`start of ${sessionId} still failing after ${tries} tries: ${String(error)}`);
        await sleep(500);
      }
    }
  };
  const starts: Array<Promise<void>> = [];
  const inFlight = new Set<Promise<void>>();
  const t0 = Date.now();
  for (const [index, sessionId] of (plan.startWorkflows ? sessionIds : []).entries()) {
    if (plan.perMinute !== null) {
      const due = t0 + (index * 60_000) / plan.perMinute;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    while (plan.maxInFlight !== null && inFlight.size >= plan.maxInFlight) await Promise.race(inFlight);
    const started = start(sessionId).finally(() => inFlight.delete(started));
    inFlight.add(started);
    starts.push(started);
  }
  await Promise.all(starts);
  appendBookingEntry(plan.journal, { kind: 'done', at: Date.now() });
  await close();
  await prisma.$disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// The bench's phases. Each books fresh sessions (through the booking process), waits until their
// meetings are made and their emails sent, and measures what its part of the issue asks for.
import path from 'node:path';
import { createCalendarApi } from '../src/adapters/google-calendar';
import { createResendClient } from '../src/adapters/resend';
import { SessionMeetings } from '../src/client/session-meetings';
import { loadTemporalConfig } from '../src/config/temporal-config';
import { DEFAULT_WORKER_LIMITS } from '../src/config/worker-config';
import type { RecordedRequest } from '../src/standins/faults';
import type { SentEmail } from '../src/standins/resend';
import { SESSION_MEETING_WORKFLOW_TYPE } from '../src/workflows/contract';
import { sessionMeetingWorkflowId } from '../src/domain/meeting-ids';
import { tsEntryProcess } from '../chaos/processes';
import type { BenchPlan } from './args';
import { countHistory, meanCounts } from './actions';
import { readBookingJournal, type BookingPlan } from './journal';
import { runNaiveLoop } from './naive';
import { cpuDelta, cpuSeconds, groupPids, ownCpuSeconds, rssMb } from './proc';
import { progress } from './progress';
import { STANDIN_LATENCY_MS, type Rig } from './rig';
import { distribution, peakInWindow, round, sustainedRate } from './stats';

export interface PhaseContext {
  rig: Rig;
  plan: BenchPlan;
  workDir: string;
  log: (message: string) => void;
  /** Budget breaks found so far: each makes the run fail. */
  breaks: string[];
}

export type PhaseResult = Record<string, unknown>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => round(ms / 1000, 2);
/** Sessions whose histories are read per phase. */
const HISTORY_SAMPLE = 50;
/** The resting phase's booking service: start calls awaiting their answer at most. */
const RESTING_STARTS_IN_FLIGHT = 200;

interface Marks {
  atMs: number;
  googleRequests: number;
  resendRequests: number;
}

function mark(rig: Rig): Marks {
  return { atMs: Date.now(), googleRequests: rig.google.requests.length, resendRequests: rig.resend.requests.length };
}

/** Starts the booking process for a phase; the journal it writes says when each start call returned. */
function startBooker(ctx: PhaseContext, booking: Omit<BookingPlan, 'journal'>) {
  const journal = path.join(ctx.workDir, `booking-${booking.tag}.jsonl`);
  const booker = tsEntryProcess(
    `booker-${booking.tag}`,
    'bench/booker.ts',
    [],
    { DATABASE_URL: ctx.rig.databaseUrl, TEMPORAL_ADDRESS: ctx.rig.temporalAddress, BENCH_BOOKING: JSON.stringify({ ...booking, journal }) },
    path.join(ctx.workDir, `booker-${booking.tag}.log`),
  );
  booker.start();
  return { journal, booker };
}

/** Polls `count` until it reaches `total` or the time is up, drawing progress as it goes. */
async function waitUntil(label: string, total: number, count: () => Promise<number>, timeoutMs: number, note: () => string = () => ''): Promise<{ done: number; timedOut: boolean }> {
  const bar = progress(label, total);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await count();
    bar.update(done, note());
    if (done >= total) {
      bar.finish(done, note());
      return { done, timedOut: false };
    }
    if (Date.now() > deadline) {
      bar.finish(done, `timed out ${note()}`);
      return { done, timedOut: true };
    }
    await sleep(1_000);
  }
}

const titlePrefix = (tag: string) => `Bench ${tag} `;

function sessionsOf(ctx: PhaseContext, tag: string) {
  return ctx.rig.prisma.session.findMany({
    where: { title: { startsWith: titlePrefix(tag) } },
    select: { id: true, meetingStatus: true, meetingCreatedAt: true, startTime: true, teacher: { select: { email: true } } },
  });
}

const countActive = (ctx: PhaseContext, tag: string) => ctx.rig.prisma.session.count({ where: { title: { startsWith: titlePrefix(tag) }, meetingStatus: 'ACTIVE' } });

/** Recipients are `teacher-<tag>-<index>@…` / `student-<tag>-<index>@…`: one pair per session. */
const ofTag = (tag: string) => (email: SentEmail) => email.to.some((to) => to.includes(`-${tag}-`));
/** The session a recipient belongs to, within one tag: its index. */
const sessionOfRecipient = (recipient: string) => /-(\d+)@/.exec(recipient)?.[1] ?? '';

function emailKind(email: SentEmail): 'confirmation' | 'starting-soon' | 'other' {
  if (/is confirmed/.test(email.subject)) return 'confirmation';
  if (/^Starting soon/.test(email.subject)) return 'starting-soon';
  return 'other';
}

/** Emails of one kind for a tag: how many arrived, how many were expected, lost and doubled. */
function emailFigures(emails: SentEmail[], kind: 'confirmation' | 'starting-soon', expected: number) {
  const ofKind = emails.filter((email) => emailKind(email) === kind);
  const unique = new Set(ofKind.map((email) => email.to.join(','))).size;
  return { expected, delivered: ofKind.length, lost: Math.max(0, expected - unique), duplicates: ofKind.length - unique };
}

const isRateLimited = (request: RecordedRequest) => request.status === 429 || request.status === 403;

/** What Google and Resend saw during a phase. */
function apiFigures(ctx: PhaseContext, marks: Marks, sessions: number) {
  const google = ctx.rig.google.requests.slice(marks.googleRequests);
  const resend = ctx.rig.resend.requests.slice(marks.resendRequests);
  const atMs = (requests: RecordedRequest[]) => requests.map((request) => Date.parse(request.at));
  return {
    googleCalls: google.length,
    googleCallsPerSession: round(google.length / sessions),
    googlePeakCallsPerSecond: peakInWindow(atMs(google), 1_000),
    googleRateLimitAnswers: google.filter(isRateLimited).length,
    resendRequests: resend.length,
    resendPeakRequestsPerSecond: peakInWindow(atMs(resend), 1_000),
    resendRateLimitAnswers: resend.filter(isRateLimited).length,
  };
}

/** Calendar events beyond one per session (the stand-in refuses a repeated id, so these are new ids). */
function duplicateEvents(ctx: PhaseContext, tag: string): number {
  const perSession = new Map<string, number>();
  for (const event of ctx.rig.google.events()) {
    const attendees = (event.resource.attendees as Array<{ email?: string }> | undefined) ?? [];
    const teacher = attendees.find((attendee) => attendee.email?.startsWith(`teacher-${tag}-`))?.email;
    if (teacher && !event.deleted) perSession.set(teacher, (perSession.get(teacher) ?? 0) + 1);
  }
  return [...perSession.values()].reduce((sum, count) => sum + count - 1, 0);
}

/**
 * Temporal's work per session: the mean over a sample of the phase's session histories, plus the
 * work of every other workflow (an outbox drainer, say) during the phase, shared out per session.
 */
async function temporalActions(ctx: PhaseContext, sessionIds: string[], window: { fromMs: number; toMs: number }) {
  const step = Math.max(1, Math.floor(sessionIds.length / HISTORY_SAMPLE));
  const sample = sessionIds.filter((_, i) => i % step === 0).slice(0, HISTORY_SAMPLE);
  const histories = await Promise.all(sample.map(async (id) => (await ctx.rig.client.workflow.getHandle(sessionMeetingWorkflowId(id)).fetchHistory()).events ?? []));
  const perSession = meanCounts(histories.map((events) => countHistory(events)));
  let othersBillable: number | null = 0;
  let otherWorkflows = 0;
  try {
    for await (const info of ctx.rig.client.workflow.list({ query: `WorkflowType != '${SESSION_MEETING_WORKFLOW_TYPE}'` })) {
      otherWorkflows += 1;
      const events = (await ctx.rig.client.workflow.getHandle(info.workflowId, info.runId).fetchHistory()).events ?? [];
      othersBillable += countHistory(events, window).billableActions;
    }
  } catch (error) {
    ctx.log(`other workflows could not be listed: ${String(error)}`);
    othersBillable = null;
  }
  const shared = othersBillable === null ? null : round(othersBillable / sessionIds.length);
  return {
    sampled: sample.length,
    perSession,
    otherWorkflows,
    otherWorkflowsBillablePerSession: shared,
    billableActionsPerSession: perSession.billableActions === null || shared === null ? null : round(perSession.billableActions + shared),
  };
}

/** Books `sessions` and waits until each is ACTIVE and its two confirmation emails arrived. */
async function bookAndDrain(
  ctx: PhaseContext,
  tag: string,
  booking: { sessions: number; perMinute: number | null; sessionStartMs: number | null; maxInFlight?: number },
  timeoutMs: number,
) {
  const marks = mark(ctx.rig);
  const { journal, booker } = startBooker(ctx, { tag, maxInFlight: null, ...booking, startWorkflows: true });
  const links = await waitUntil(tag, booking.sessions, () => countActive(ctx, tag), timeoutMs, () => `${readBookingJournal(journal).filter((e) => e.kind === 'started').length} started`);
  const emails = await waitUntil(`${tag} emails`, booking.sessions * 2, async () => ctx.rig.resend.emails().filter(ofTag(tag)).filter((e) => emailKind(e) === 'confirmation').length, links.timedOut ? 1_000 : 120_000);
  await booker.close();
  const rows = await sessionsOf(ctx, tag);
  const started = new Map<string, number>();
  for (const entry of readBookingJournal(journal)) if (entry.kind === 'started') started.set(entry.sessionId, entry.at);
  const timeToLinkMs = rows.flatMap((row) => {
    const at = started.get(row.id);
    return at !== undefined && row.meetingCreatedAt ? [row.meetingCreatedAt.getTime() - at] : [];
  });
  const phaseEmails = ctx.rig.resend.emails().filter(ofTag(tag));
  const confirmations = emailFigures(phaseEmails, 'confirmation', booking.sessions * 2);
  const notActive = booking.sessions - rows.filter((row) => row.meetingStatus === 'ACTIVE').length;
  const firstStart = Math.min(...started.values());
  const lastLink = Math.max(...rows.map((row) => row.meetingCreatedAt?.getTime() ?? 0));
  return { marks, rows, started, timeToLinkMs, phaseEmails, confirmations, notActive, firstStart, lastLink, emailsTimedOut: emails.timedOut };
}

function checkCommon(ctx: PhaseContext, phase: string, figures: { notActive: number; confirmations: { lost: number; duplicates: number }; duplicateEvents: number; api: ReturnType<typeof apiFigures> }): void {
  const { breaks } = ctx;
  if (figures.notActive > 0) breaks.push(`${phase}: ${figures.notActive} sessions without an ACTIVE link at the phase's end`);
  if (figures.confirmations.lost > 0) breaks.push(`${phase}: ${figures.confirmations.lost} confirmation emails lost`);
  if (figures.confirmations.duplicates > 0) breaks.push(`${phase}: ${figures.confirmations.duplicates} duplicate confirmation emails`);
  if (figures.duplicateEvents > 0) breaks.push(`${phase}: ${figures.duplicateEvents} duplicate Calendar events`);
  if (figures.api.googleRateLimitAnswers > 0) breaks.push(`${phase}: ${figures.api.googleRateLimitAnswers} Google rate-limit answers`);
  if (figures.api.resendRateLimitAnswers > 0) breaks.push(`${phase}: ${figures.api.resendRateLimitAnswers} Resend 429 answers`);
}

const enforcedNote = (enforced: boolean | null) => (enforced ? 'enforced by the stand-in' : 'limits off');

/** NFR-4: 100 bookings a minute, conferences pending 1–2 s; time from the start call's return to the link. */
export async function steady(ctx: PhaseContext): Promise<PhaseResult> {
  const { steady: config } = ctx.plan;
  await ctx.rig.useProfile('limited');
  const sessions = Math.round((config.perMinute * config.durationMs) / 60_000);
  ctx.rig.google.configure({ pendingPolls: 0, pendingMs: config.pendingMs });
  try {
    const run = await bookAndDrain(ctx, 'steady', { sessions, perMinute: config.perMinute, sessionStartMs: null }, config.durationMs + 120_000);
    const api = apiFigures(ctx, run.marks, sessions);
    const figures = { notActive: run.notActive, confirmations: run.confirmations, duplicateEvents: duplicateEvents(ctx, 'steady'), api };
    checkCommon(ctx, 'steady', figures);
    const ttl = distribution(run.timeToLinkMs.map((ms) => ms / 1000));
    return {
      sessions,
      perMinute: config.perMinute,
      conferencePendingMs: config.pendingMs,
      timeToLinkSeconds: ttl,
      ...figures,
      googleLimit: enforcedNote(ctx.rig.enforcement.google),
      temporal: await temporalActions(ctx, run.rows.map((row) => row.id), { fromMs: run.marks.atMs, toMs: Date.now() }),
    };
  } finally {
    ctx.rig.google.configure({ pendingPolls: 1, pendingMs: { min: 0, max: 0 } });
  }
}

/** N bookings at once under the Google budget, the stand-in enforcing Google's own limit. */
export async function burst(ctx: PhaseContext): Promise<PhaseResult> {
  await ctx.rig.useProfile('limited');
  const sessions = ctx.plan.sessions;
  const run = await bookAndDrain(ctx, 'burst', { sessions, perMinute: null, sessionStartMs: null }, 60 * 60_000);
  const api = apiFigures(ctx, run.marks, sessions);
  const figures = { notActive: run.notActive, confirmations: run.confirmations, duplicateEvents: duplicateEvents(ctx, 'burst'), api };
  checkCommon(ctx, 'burst', figures);
  const drainMs = run.lastLink - run.firstStart;
  const budget = ctx.plan.burst.googleCallsPerSecond;
  return {
    sessions,
    workers: ctx.plan.workers,
    standinLatencyMs: STANDIN_LATENCY_MS,
    googleBudgetPerSecond: budget,
    googleLimit: `${ctx.plan.burst.enforceCallsPerSecond}/s ${enforcedNote(ctx.rig.enforcement.google)}`,
    drainSeconds: seconds(drainMs),
    sessionsPerSecond: round(sessions / (drainMs / 1000)),
    timeToLinkSeconds: distribution(run.timeToLinkMs.map((ms) => ms / 1000)),
    /** Google calls per second over the drain, as a share of the budget. */
    budgetUsed: round(api.googleCalls / (drainMs / 1000) / budget),
    ...figures,
    temporal: await temporalActions(ctx, run.rows.map((row) => row.id), { fromMs: run.marks.atMs, toMs: Date.now() }),
  };
}

/**
 * N sessions that start at the same instant, booked so that their "starting soon" moment (10 min
 * before) comes shortly after: how late each of those emails arrives, Resend limited to 2 requests/s.
 */
export async function topOfHour(ctx: PhaseContext): Promise<PhaseResult> {
  await ctx.rig.useProfile('limited');
  const { sessions } = ctx.plan.topOfHour;
  // Time for every booking's link before the moment (a session linked after it gets no "starting
  // soon": its moment is skipped, never sent late, and its confirmation carries the link).
  const marginMs = (ctx.plan.quick ? 30_000 : 60_000) + sessions * 250;
  const startMs = Math.ceil((Date.now() + 10 * 60_000 + marginMs) / 1000) * 1000;
  const dueMs = startMs - 10 * 60_000;
  const tag = 'top';
  const marks = mark(ctx.rig);
  const { booker } = startBooker(ctx, { tag, sessions, perMinute: null, sessionStartMs: startMs, startWorkflows: true, maxInFlight: null });
  await waitUntil('top links', sessions, () => countActive(ctx, tag), marginMs);
  const waitMs = dueMs - Date.now();
  if (waitMs > 0) ctx.log(`waiting ${Math.round(waitMs / 1000)} s until the "starting soon" moment`);
  await sleep(Math.max(0, waitMs));
  // Judged per session, so that an email lost by one session is not made up by another linked late.
  const linkedLate = new Set(
    (await sessionsOf(ctx, tag)).filter((row) => row.meetingCreatedAt === null || row.meetingCreatedAt.getTime() > dueMs).map((row) => sessionOfRecipient(row.teacher.email ?? '')),
  );
  const ofLinkedLate = (email: SentEmail) => linkedLate.has(sessionOfRecipient(email.to[0] ?? ''));
  const startingSoon = () => ctx.rig.resend.emails().filter(ofTag(tag)).filter((e) => emailKind(e) === 'starting-soon');
  const expectedReminders = (sessions - linkedLate.size) * 2;
  await waitUntil('top emails', expectedReminders, async () => startingSoon().filter((e) => !ofLinkedLate(e)).length, ctx.plan.quick ? 90_000 : 600_000);
  await booker.close();
  const latenessMs = startingSoon().map((email) => Date.parse(email.sentAt) - dueMs);
  const early = latenessMs.filter((ms) => ms < 0).length;
  const phaseEmails = ctx.rig.resend.emails().filter(ofTag(tag));
  const reminders = emailFigures(phaseEmails.filter((e) => !ofLinkedLate(e)), 'starting-soon', expectedReminders);
  const confirmations = emailFigures(phaseEmails, 'confirmation', sessions * 2);
  const rows = await sessionsOf(ctx, tag);
  const api = apiFigures(ctx, marks, sessions);
  const figures = { notActive: sessions - rows.filter((row) => row.meetingStatus === 'ACTIVE').length, confirmations, duplicateEvents: duplicateEvents(ctx, tag), api };
  checkCommon(ctx, 'top-of-hour', figures);
  if (early > 0) ctx.breaks.push(`top-of-hour: ${early} "starting soon" emails arrived early`);
  if (reminders.lost > 0) ctx.breaks.push(`top-of-hour: ${reminders.lost} "starting soon" emails lost`);
  if (reminders.duplicates > 0) ctx.breaks.push(`top-of-hour: ${reminders.duplicates} duplicate "starting soon" emails`);
  const sentLate = startingSoon().filter(ofLinkedLate).length;
  if (sentLate > 0) ctx.breaks.push(`top-of-hour: ${sentLate} "starting soon" emails for sessions linked after their moment (skipped by design)`);
  return {
    sessions,
    sessionStart: new Date(startMs).toISOString(),
    resendLimit: `${ctx.plan.topOfHour.resendRequestsPerSecond}/s ${enforcedNote(ctx.rig.enforcement.resend)}`,
    latenessSeconds: distribution(latenessMs.map((ms) => ms / 1000)),
    early,
    /** Sessions whose link came after the moment: their "starting soon" is skipped, not expected. */
    linkedAfterTheMoment: linkedLate.size,
    startingSoon: reminders,
    ...figures,
  };
}

/** CPU seconds per process of the run, and when they were read: two readings give cores busy between them. */
async function cpuReading(ctx: PhaseContext) {
  const pg = await ctx.rig.prisma.$queryRaw<Array<{ pid: number }>>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
  return {
    atMs: Date.now(),
    temporal: cpuSeconds(groupPids(ctx.rig.temporal?.pid)),
    workers: cpuSeconds(ctx.rig.workers.flatMap((worker) => groupPids(worker.pid))),
    postgres: cpuSeconds(pg.map((row) => Number(row.pid))),
    bench: ownCpuSeconds(),
  };
}

function cpuBreakdown(before: Awaited<ReturnType<typeof cpuReading>>, after: Awaited<ReturnType<typeof cpuReading>>, sessions: number) {
  const perSecond = (cpu: number) => round(cpu / ((after.atMs - before.atMs) / 1000));
  const bench = after.bench.own - before.bench.own;
  const booker = after.bench.reapedChildren - before.bench.reapedChildren;
  const parts = { temporal: cpuDelta(before.temporal, after.temporal), workers: cpuDelta(before.workers, after.workers), postgres: cpuDelta(before.postgres, after.postgres), benchAndStandins: round(bench), booker: round(booker) };
  const total = Object.values(parts).reduce<number>((sum, cpu) => sum + (cpu ?? 0), 0);
  return {
    cpuSeconds: parts,
    /** CPU per session made, all processes together: what the machine's load does not change much. */
    cpuMsPerSession: round((total * 1000) / sessions, 0),
    coresBusy: Object.fromEntries(Object.entries(parts).map(([name, cpu]) => [name, perSecond(cpu ?? 0)])),
  };
}

/** When each session's second confirmation email arrived: a session's whole start path done. */
function completionTimes(emails: SentEmail[]): number[] {
  const bySession = new Map<string, number[]>();
  for (const email of emails.filter((e) => emailKind(e) === 'confirmation')) {
    const session = sessionOfRecipient(email.to[0] ?? '');
    bySession.set(session, [...(bySession.get(session) ?? []), Date.parse(email.sentAt)]);
  }
  return [...bySession.values()].filter((times) => times.length >= 2).map((times) => Math.max(...times));
}

/** Limits off: the sustained rate of the workflow, and of the naive loop doing the same calls without Temporal. */
export async function ceiling(ctx: PhaseContext): Promise<PhaseResult> {
  await ctx.rig.useProfile('unlimited');
  const sessions = ctx.plan.sessions;
  const before = await cpuReading(ctx);
  const run = await bookAndDrain(ctx, 'ceiling', { sessions, perMinute: null, sessionStartMs: null }, 60 * 60_000);
  const after = await cpuReading(ctx);
  const api = apiFigures(ctx, run.marks, sessions);
  const figures = { notActive: run.notActive, confirmations: run.confirmations, duplicateEvents: duplicateEvents(ctx, 'ceiling'), api };
  checkCommon(ctx, 'ceiling', figures);
  const done = completionTimes(run.phaseEmails);
  const workflowRate = sustainedRate(done);

  // The naive loop: the same sessions' worth of calls, at the worker's activity concurrency.
  const concurrency = Number(process.env.WORKER_MAX_CONCURRENT_ACTIVITIES ?? DEFAULT_WORKER_LIMITS.maxConcurrentActivities);
  const seeded = startBooker(ctx, { tag: 'naive', sessions, perMinute: null, sessionStartMs: null, startWorkflows: false, maxInFlight: null });
  await waitUntil('naive seed', 1, async () => readBookingJournal(seeded.journal).filter((e) => e.kind === 'done').length, 120_000);
  await seeded.booker.close();
  const ids = (await sessionsOf(ctx, 'naive')).map((row) => row.id);
  const naiveBefore = await cpuReading(ctx);
  const naiveStart = Date.now();
  const bar = progress('naive', ids.length);
  const deps = {
    prisma: ctx.rig.prisma,
    calendar: createCalendarApi({ baseUrl: ctx.rig.google.url, serviceAccountKey: undefined, impersonateSubject: undefined, tokenUrl: undefined }),
    resend: createResendClient({ apiKey: 're_bench', baseUrl: ctx.rig.resend.url }),
    from: 'Sessions <sessions@bench.example.com>',
    pollIntervalsMs: [250, 500, 1_000, 2_000, 4_000],
  };
  await runNaiveLoop(deps, ids, concurrency, (n) => bar.update(n));
  bar.finish(ids.length);
  const naiveAfter = await cpuReading(ctx);
  const naiveRate = sustainedRate(completionTimes(ctx.rig.resend.emails().filter(ofTag('naive'))));
  return {
    sessions,
    workers: ctx.plan.workers,
    standinLatencyMs: STANDIN_LATENCY_MS,
    sessionsPerSecond: round(workflowRate),
    drainSeconds: seconds(run.lastLink - run.firstStart),
    cpu: cpuBreakdown(before, after, sessions),
    naive: {
      concurrency,
      sessionsPerSecond: round(naiveRate),
      seconds: seconds(Date.now() - naiveStart),
      cpu: cpuBreakdown(naiveBefore, naiveAfter, ids.length),
    },
    ratioToNaive: workflowRate === null || naiveRate === null ? null : round(workflowRate / naiveRate),
    ...figures,
    temporal: await temporalActions(ctx, run.rows.map((row) => row.id), { fromMs: run.marks.atMs, toMs: Date.now() }),
  };
}

/** Many sessions asleep until their reminders: what they cost at rest, and how fast a restarted worker serves a new booking. */
export async function resting(ctx: PhaseContext): Promise<PhaseResult> {
  await ctx.rig.useProfile('unlimited');
  const { sessions } = ctx.plan.resting;
  // Seeded as a booking service with a bounded pool would: 10,000 start calls at once kept a dev
  // server on this machine answering starts for minutes, and this phase is about sleeping, not booking.
  const run = await bookAndDrain(ctx, 'resting', { sessions, perMinute: null, sessionStartMs: null, maxInFlight: RESTING_STARTS_IN_FLIGHT }, 180 * 60_000);
  const api = apiFigures(ctx, run.marks, sessions);
  const figures = { notActive: run.notActive, confirmations: run.confirmations, duplicateEvents: duplicateEvents(ctx, 'resting'), api };
  checkCommon(ctx, 'resting', figures);
  await sleep(5_000);
  const workerRss = () => rssMb(ctx.rig.workers.flatMap((worker) => groupPids(worker.pid)));
  const asleep = {
    workerRssMb: workerRss(),
    temporalRssMb: ctx.rig.temporal ? rssMb(groupPids(ctx.rig.temporal.pid)) : null,
    databaseMb: round(Number((await ctx.rig.prisma.$queryRaw<Array<{ size: bigint }>>`SELECT pg_database_size(current_database()) AS size`)[0]?.size ?? 0) / 1024 / 1024, 1),
  };
  const temporal = await temporalActions(ctx, run.rows.map((row) => row.id), { fromMs: run.marks.atMs, toMs: Date.now() });

  // A deploy: the workers stop (SIGTERM) and start again; a booking made as they start.
  const [teacher, student] = await ctx.rig.prisma.user.createManyAndReturn({
    data: [
      { email: 'teacher-restart-0@bench.example.com', name: 'Teacher 0', role: 'TEACHER' },
      { email: 'student-restart-0@bench.example.com', name: 'Student 0', role: 'STUDENT' },
    ],
    select: { id: true },
  });
  const startTime = new Date(Date.now() + 3 * 24 * 3600_000);
  const session = await ctx.rig.prisma.session.create({
    data: { title: `${titlePrefix('restart')}0`, teacherId: teacher?.id ?? '', studentId: student?.id ?? '', startTime, endTime: new Date(startTime.getTime() + 3600_000) },
  });
  const meetings = new SessionMeetings(ctx.rig.client, loadTemporalConfig().taskQueue);
  let spawnedAt = 0;
  let booked: Promise<unknown> = Promise.resolve();
  const restartStart = Date.now();
  await ctx.rig.restartWorkers(() => {
    spawnedAt = Date.now();
    booked = meetings.startSessionMeeting(session.id);
  });
  const readyAt = Date.now();
  await booked;
  const active = await waitUntil('restart', 1, () => countActive(ctx, 'restart'), 120_000);
  const activeAt = (await ctx.rig.prisma.session.findUniqueOrThrow({ where: { id: session.id } })).meetingCreatedAt?.getTime();
  if (active.timedOut || activeAt === undefined) ctx.breaks.push('resting: the booking made at the worker restart got no ACTIVE link');
  return {
    sessions,
    ...asleep,
    historyEventsPerWorkflow: temporal.perSession.events,
    afterRestart: {
      stopSeconds: seconds(spawnedAt - restartStart),
      workerReadySeconds: seconds(readyAt - spawnedAt),
      /** From the workers' start (the booking made at once) to the booking's ACTIVE link. */
      secondsToActive: activeAt === undefined ? null : seconds(activeAt - spawnedAt),
      workerRssMb: workerRss(),
    },
    ...figures,
    temporal,
  };
}

export const PHASE_RUNNERS = { steady, burst, 'top-of-hour': topOfHour, ceiling, resting } as const;

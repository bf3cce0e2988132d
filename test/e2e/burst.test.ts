import { randomUUID } from 'node:crypto';
import { SessionMeetings } from '../../src/client/session-meetings';
import { TEST_DATABASE_URL } from '../support/env';
import { useHarness } from '../support/harness';
import { spawnEntry, type Spawned } from '../support/processes';
import { waitFor } from '../support/wait';
import { googleBudgetName } from '../../src/worker/workers';

// A burst of bookings on the real dev server, worked by two worker processes (`npm run worker`)
// sharing one Google budget in PostgreSQL, against a Calendar stand-in (a process of its own, as
// Google is) that enforces Google's rate limit a little above that budget: no call is refused, and
// while callers wait for slots the budget is used.

const BUDGET_PER_SECOND = 20;
// Half as much again as the budget: this test runs beside another test file on two cores, where a
// stalled process (worker or stand-in) bunches calls that left on time (27 in one second seen in
// CI). The bench, run alone, holds the 50/s budget against 60/s.
const STANDIN_LIMIT_PER_SECOND = 30;
const BOOKINGS = 200;
const RESEND_PER_SECOND = 2; // Resend's default team limit, the workers' budget
// The same margin for the Resend stand-in, which runs in this busy test process: a stall of it, or of
// a worker after its request left, bunches requests (one 429, in 49 and in 46 requests, in two CI
// runs in a row). The bench's top of the hour, run alone, holds Resend's own 2/s: 0 answered 429.
const RESEND_STANDIN_PER_SECOND = 3;

const h = useHarness({ server: 'dev-server', googleCallsPerSecond: BUDGET_PER_SECOND });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

describe('two worker processes, one Google budget', () => {
  let google: Spawned;
  let googleUrl: string;
  const workers: Spawned[] = [];
  const read = async <T>(path: string): Promise<T> => (await fetch(`${googleUrl}/__standin/${path}`)).json() as Promise<T>;
  const taskQueue = `burst-${randomUUID()}`;

  beforeAll(async () => {
    // Each new conference is still pending in the insert's answer and at the first poll: three calls a booking.
    google = spawnEntry('src/standins/serve-google-calendar.ts', [JSON.stringify({ enforceCallsPerSecond: STANDIN_LIMIT_PER_SECOND, pendingPolls: 2 })], {});
    const listening = await waitFor(async () => /listening (\S+)/.exec(google.output()), (match) => match !== null, 60_000, 100);
    googleUrl = listening![1]!;
    const env = {
      DATABASE_URL: TEST_DATABASE_URL,
      TEMPORAL_ADDRESS: h.env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      GOOGLE_CALENDAR_BASE_URL: googleUrl,
      GOOGLE_CALLS_PER_SECOND: String(BUDGET_PER_SECOND),
      RESEND_API_KEY: 're_burst_test',
      RESEND_BASE_URL: h.resend.url,
      EMAIL_FROM: 'sessions@example.com',
      ADMIN_ALERT_EMAIL: 'ops@example.com',
      RESEND_REQUESTS_PER_SECOND: String(RESEND_PER_SECOND),
      MEETING_HEALTH_INTERVAL: 'off',
      LOG_LEVEL: 'info',
    };
    workers.push(spawnEntry('src/worker/main.ts', [], env), spawnEntry('src/worker/main.ts', [], env));
    for (const worker of workers) {
      await waitFor(async () => worker.output(), (out) => out.includes('worker started') || worker.child.exitCode !== null, 120_000, 200);
      if (worker.child.exitCode !== null) throw new Error(`a worker exited at start:\n${worker.output()}`);
    }
  }, 150_000);

  afterAll(async () => {
    for (const spawned of [...workers, google]) if (spawned && spawned.child.exitCode === null) spawned.child.kill('SIGTERM');
    await Promise.all([...workers, google].map((spawned) => spawned?.finished));
  }, 60_000);

  test(`${BOOKINGS} bookings at once, budget ${BUDGET_PER_SECOND}/s, Google refusing beyond ${STANDIN_LIMIT_PER_SECOND}/s: no rate-limit answer, at least 90 % of the budget used; every confirmation in a few batches, budget ${RESEND_PER_SECOND}/s, Resend refusing beyond ${RESEND_STANDIN_PER_SECOND}/s`, async () => {
    h.resend.setRequestsPerSecond(RESEND_STANDIN_PER_SECOND);
    const meetings = new SessionMeetings(h.env.client, taskQueue);
    const sessionIds = await Promise.all(Array.from({ length: BOOKINGS }, () => h.createSession()));
    const startedAt = Date.now();
    // Meanwhile, how far ahead of now the budget's slots are reserved: callers are waiting for slots.
    const backlog: Array<{ at: number; aheadMs: number }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await h.prisma.$queryRaw<Array<{ aheadMs: number }>>`
          SELECT ("nextSlotMs" - EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS "aheadMs" FROM "RateBudget" WHERE "name" = ${googleBudgetName(taskQueue)}`;
        backlog.push({ at: Date.now(), aheadMs: row?.aheadMs ?? 0 });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await Promise.all(sessionIds.map((id) => meetings.startSessionMeeting(id)));
    // Until every start has returned, the dev server and both workers are busy starting workflows
    // (on two cores, that alone lags the calls behind their slots); the budget's use counts after.
    const startsReturnedAt = Date.now();
    const rows = await waitFor(
      () => h.prisma.session.findMany({ where: { id: { in: sessionIds } } }),
      (list) => list.every((row) => row.meetingStatus === 'ACTIVE' || row.meetingStatus === 'FAILED'),
      240_000,
      500,
    ).finally(() => (sampling = false));
    await sampler;
    const elapsedMs = Date.now() - startedAt;

    const requests = await read<Array<{ at: string; operation: string; status: number | string }>>('requests');
    const { rateLimited } = await read<{ rateLimited: { rateLimitExceeded: number; quotaExceeded: number } }>('rate-limits');
    const events = await read<unknown[]>('events');
    const calls = requests.map((r) => ({ at: Date.parse(r.at), operation: r.operation })).sort((a, b) => a.at - b.at);
    const times = calls.map((call) => call.at);
    // Work was waiting between two samples that both saw at least two callers waiting for slots.
    const intervalMs = 1000 / BUDGET_PER_SECOND;
    let busyMs = 0;
    let busyCalls = 0;
    for (let i = 1; i < backlog.length; i++) {
      const [before, after] = [backlog[i - 1]!, backlog[i]!];
      if (before.at < startsReturnedAt || before.aheadMs < 2 * intervalMs || after.aheadMs < 2 * intervalMs) continue;
      busyMs += after.at - before.at;
      busyCalls += times.filter((at) => at >= before.at && at < after.at).length;
    }
    const busyRate = (busyCalls * 1000) / busyMs;
    const overallRate = ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!);
    const perSecond = new Map<number, number>();
    for (const at of times) perSecond.set(Math.floor((at - times[0]!) / 1000), (perSecond.get(Math.floor((at - times[0]!) / 1000)) ?? 0) + 1);
    const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    const toLink = rows.map((row) => (row.meetingCreatedAt?.getTime() ?? 0) - startedAt);
    console.log(
      `burst of ${BOOKINGS} over 2 worker processes: all done after ${elapsedMs} ms; Google calls ${times.length} ` +
        `(${calls.filter((c) => c.operation === 'insert').length} inserts, ${calls.filter((c) => c.operation === 'get').length} polls); starts returned after ${startsReturnedAt - startedAt} ms; ` +
        `refused ${JSON.stringify(rateLimited)}; while callers waited for slots (${busyMs} ms of ${elapsedMs}): ${busyCalls} calls = ` +
        `${busyRate.toFixed(2)}/s (${((100 * busyRate) / BUDGET_PER_SECOND).toFixed(1)} % of ${BUDGET_PER_SECOND}/s); first to last call ${overallRate.toFixed(2)}/s; ` +
        `busiest second ${busiestSecond}; time to link median ${median(toLink)} ms, max ${Math.max(...toLink)} ms; ` +
        `calls in each second: ${[...perSecond.values()].join(' ')}; most slots reserved ahead ${Math.round(Math.max(...backlog.map((b) => b.aheadMs)))} ms`,
    );

    expect(rateLimited).toEqual({ rateLimitExceeded: 0, quotaExceeded: 0 });
    expect(requests.filter((r) => r.status === 403)).toEqual([]);
    expect(rows.filter((row) => row.meetingStatus !== 'ACTIVE')).toEqual([]);
    expect(new Set(rows.map((row) => row.meetingEventId)).size).toBe(BOOKINGS);
    expect(events).toHaveLength(BOOKINGS);
    // One insert a booking, and a few more: a task whose quick start the full sticky cache evicted
    // runs again, and its insert finds the event (409); never a second event (above).
    const inserts = requests.filter((r) => r.operation === 'insert');
    expect(inserts.filter((r) => r.status !== 409)).toHaveLength(BOOKINGS);
    expect(inserts.length).toBeLessThanOrEqual(BOOKINGS * 1.1);
    expect(busyMs).toBeGreaterThan(5_000); // the burst did make callers wait
    expect(busyRate).toBeGreaterThanOrEqual(0.9 * BUDGET_PER_SECOND);

    // The confirmations: each once, in batch requests, none refused.
    const confirmations = () => h.resend.emails().filter((email) => sessionIds.some((id) => email.idempotencyKey?.includes(`/${id}/confirmation/`)));
    await waitFor(async () => confirmations(), (list) => list.length === 2 * BOOKINGS, 60_000, 200);
    const batches = h.resend.requests.filter((request) => request.operation === 'batch');
    console.log(`${confirmations().length} confirmations in ${batches.length} batch requests, ${h.resend.rateLimited()} answered 429`);
    expect(new Set(confirmations().map((email) => email.idempotencyKey)).size).toBe(2 * BOOKINGS);
    // Links come at the Google budget's pace, and their emails go out a few at a time, not one request each.
    expect(batches.length).toBeLessThan(confirmations().length / 4);
    expect(h.resend.rateLimited()).toBe(0);
  }, 300_000);
});

test('time to link, one booking at a time through the shared budget: median under the spec\'s 5 s', async () => {
  const timesMs: number[] = [];
  for (let i = 0; i < 15; i++) {
    const sessionId = await h.createSession();
    const startedAt = Date.now();
    await h.meetings.startSessionMeeting(sessionId);
    await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }), (row) => row.meetingStatus === 'ACTIVE', 20_000, 10);
    timesMs.push(Date.now() - startedAt);
  }
  const sorted = [...timesMs].sort((a, b) => a - b);
  console.log(`time to link over ${timesMs.length} bookings: median ${median(timesMs)} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms`);
  expect(median(timesMs)).toBeLessThan(5_000); // NFR-1
}, 90_000);

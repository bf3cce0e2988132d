// `npm run chaos [-- --sessions N] [--quick]`: bookings under crashes and faults, then proof that
// nothing was lost, doubled or stuck (README: "What survives what").
import { Client, Connection } from '@temporalio/client';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { createPrismaClient } from '../src/adapters/database';
import { parseDurationList } from '../src/domain/durations';
import { prepareDatabase } from '../src/local/database';
import { findTemporalExecutable } from '../src/local/temporal-binaries';
import { startGoogleCalendarStandin } from '../src/standins/google-calendar';
import { startResendStandin } from '../src/standins/resend';
import type { StandinServer } from '../src/standins/http';
import { startTcpProxy } from '../test/support/tcp-proxy';
import { checkRun, VIOLATION_KINDS } from './check';
import { collectEvidence } from './collect';
import { readJournal } from './journal';
import { freePort, temporalDevServer, tsEntryProcess, waitForTemporal, workerProcess, type ManagedProcess } from './processes';
import { printTable, type FaultCount } from './report';

const ROOT = path.resolve(__dirname, '..');
const WORKER_DB_APP = 'session-meetings-chaos-worker';
const ADMIN_EMAIL = 'ops@chaos.example.com';
/** Short, so that sessions whose attempts run out do so within the run. */
const RETRY_BACKOFF = '2s,4s,8s,16s';
/** Longer than every timeout on the way: the Calendar client's 20 s, the activities' 60 s. */
const SPIKE_MS = 65_000;
const FAULT_RATE = 0.2;

interface Timeline {
  sessions: number;
  bookingMs: number;
  killFirstWorkerAt: number;
  cutDatabaseAt: number;
  killSecondWorkerAt: number;
  stopTemporalAt: number;
  temporalDownMs: number;
  blackholeAt: number;
  blackholeMs: number;
  /** How long the random faults may go on after the last crash, while the backlog drains. */
  faultsAfterCrashesMaxMs: number;
  settleMs: number;
}

function timeline(args: string[]): Timeline {
  const quick = args.includes('--quick');
  const sessionsFlag = args.indexOf('--sessions');
  const sessions = sessionsFlag >= 0 ? Number(args[sessionsFlag + 1]) : quick ? 100 : 1000;
  if (!Number.isInteger(sessions) || sessions < 10) throw new Error('--sessions must be a whole number of at least 10');
  return quick
    ? { sessions, bookingMs: 10_000, killFirstWorkerAt: 4_000, cutDatabaseAt: 7_000, killSecondWorkerAt: 10_000, stopTemporalAt: 14_000, temporalDownMs: 5_000, blackholeAt: 24_000, blackholeMs: 10_000, faultsAfterCrashesMaxMs: 60_000, settleMs: 120_000 }
    : { sessions, bookingMs: 60_000, killFirstWorkerAt: 10_000, cutDatabaseAt: 20_000, killSecondWorkerAt: 30_000, stopTemporalAt: 40_000, temporalDownMs: 10_000, blackholeAt: 60_000, blackholeMs: 30_000, faultsAfterCrashesMaxMs: 240_000, settleMs: 120_000 };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function faultedShare(requests: StandinServer['requests']): { calls: number; faulted: number; share: number } {
  const faulted = requests.filter((request) => request.status === 'dropped' || Boolean(request.delayedMs) || (typeof request.status === 'number' && [403, 429, 500, 503].includes(request.status))).length;
  return { calls: requests.length, faulted, share: requests.length === 0 ? 0 : Math.round((faulted / requests.length) * 1000) / 1000 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 20 % of calls fail, evenly over the kinds of failure each API really has. */
function injectFaults(standin: StandinServer, kinds: Array<{ status?: number; reason?: string; dropResponseAfterWrite?: boolean; delayMs?: number }>): void {
  const perKind = 1 - Math.pow(1 - FAULT_RATE, 1 / kinds.length);
  for (const kind of kinds) standin.faults.add({ operation: '*', rate: perKind, ...kind });
}

function countRequests(standin: StandinServer, test: (request: StandinServer['requests'][number]) => boolean): number {
  return standin.requests.filter(test).length;
}

async function main(): Promise<void> {
  const plan = timeline(process.argv.slice(2));
  const runId = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  const workDir = path.join(ROOT, '.local', 'chaos', runId);
  mkdirSync(workDir, { recursive: true });
  const journalFile = path.join(workDir, 'journal.jsonl');
  const databaseUrl = process.env.CHAOS_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/session_meetings_chaos';
  const started = Date.now();
  const log = (message: string) => console.log(`[chaos +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  log(`${plan.sessions} sessions over ${plan.bookingMs / 1000} s, ${FAULT_RATE * 100} % of Google and Resend calls failing, retry schedule ${RETRY_BACKOFF}; logs in .local/chaos/${runId}/`);

  // A fresh database of its own, so that the checks see this run alone.
  const admin = new PgClient({ connectionString: new URL('/postgres', databaseUrl).toString() });
  await admin.connect();
  const dbName = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await prepareDatabase(databaseUrl);

  // Real APIs take their time; calls in flight are what a crash cuts.
  const google = await startGoogleCalendarStandin({ latencyMs: 100 });
  // Resend's default team limit, which the workers' shared budget (RESEND_REQUESTS_PER_SECOND) keeps to.
  const resend = await startResendStandin({ latencyMs: 50, requestsPerSecond: 2 });
  const dbUrl = new URL(databaseUrl);
  const proxy = await startTcpProxy(dbUrl.hostname, Number(dbUrl.port || 5432));
  const workerDbUrl = new URL(databaseUrl);
  workerDbUrl.host = proxy.address;
  workerDbUrl.searchParams.set('application_name', WORKER_DB_APP);

  const executable = findTemporalExecutable('cli');
  if (executable.type !== 'existing-path') throw new Error('the Temporal CLI is not installed (pip install -r requirements-temporal.txt)');
  const temporalPort = await freePort();
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const temporal = temporalDevServer(executable.path, { port: temporalPort, dbFile: path.join(workDir, 'temporal.sqlite') }, path.join(workDir, 'temporal.log'));
  const processes: ManagedProcess[] = [temporal];
  const cleanup = async () => {
    for (const child of processes) await child.close();
    await proxy.close();
    await google.close();
    await resend.close();
  };
  // Ctrl-C or a kill of the run must not leave workers and servers behind (they run in groups of their own).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything the run started`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    temporal.start();
    await waitForTemporal(temporalAddress, 30_000);
    const workerEnv = {
      DATABASE_URL: workerDbUrl.toString(),
      TEMPORAL_ADDRESS: temporalAddress,
      GOOGLE_CALENDAR_BASE_URL: google.url,
      GOOGLE_CALLS_PER_SECOND: '500',
      RESEND_API_KEY: 're_chaos',
      RESEND_BASE_URL: resend.url,
      EMAIL_FROM: 'Sessions <sessions@chaos.example.com>',
      ADMIN_ALERT_EMAIL: ADMIN_EMAIL,
      MEETING_RETRY_BACKOFF: RETRY_BACKOFF,
      MEETING_HEALTH_INTERVAL: 'off',
      LOG_LEVEL: 'info',
    };
    const workers = ['worker-a', 'worker-b'].map((name) => workerProcess(name, workerEnv, path.join(workDir, `${name}.log`)));
    processes.push(...workers);
    for (const worker of workers) {
      worker.supervised = true;
      worker.start();
    }
    await Promise.all(workers.map((worker) => worker.waitForOutput('worker started', 90_000)));
    log('Temporal dev server, PostgreSQL proxy, stand-ins and two workers are up');

    injectFaults(google, [{ status: 500 }, { status: 503 }, { status: 429 }, { status: 403, reason: 'rateLimitExceeded' }, { dropResponseAfterWrite: true }, { delayMs: SPIKE_MS }]);
    const resendFaults = [{ status: 500 }, { status: 503 }, { status: 429 }, { dropResponseAfterWrite: true }, { delayMs: SPIKE_MS }];
    // Emails go in batches, so Resend gets a few dozen requests a run, too few for each fault to come
    // up at random: the first requests meet each once for certain, the rest at random.
    for (const fault of resendFaults) resend.faults.add({ operation: '*', times: 1, ...fault });
    injectFaults(resend, resendFaults);

    const booker = tsEntryProcess(
      'booker',
      'chaos/booker.ts',
      [],
      { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, CHAOS_SESSIONS: String(plan.sessions), CHAOS_BOOKING_MS: String(plan.bookingMs), CHAOS_JOURNAL: journalFile, CHAOS_RUN_ID: runId },
      path.join(workDir, 'booker.log'),
    );
    processes.push(booker);
    booker.start();
    const t0 = Date.now();
    const at = async (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
    const processFaults: FaultCount[] = [];

    /** Kills a worker while calls of its own to Google or Resend are under way, and counts them. */
    const killWorker = async (worker: ManagedProcess) => {
      let ownCalls = 0;
      for (const until = Date.now() + 20_000; ownCalls === 0 && Date.now() < until; await sleep(25)) {
        const ports = worker.openPorts();
        ownCalls = [...google.inFlight(), ...resend.inFlight()].filter((port) => ports.has(port)).length;
      }
      const abortsBefore = google.clientAborts.length + resend.clientAborts.length;
      await worker.stop('SIGKILL');
      await sleep(500);
      const cut = google.clientAborts.length + resend.clientAborts.length - abortsBefore;
      log(`${worker.name} killed with SIGKILL with ${ownCalls} of its calls in flight (${cut} cut)`);
      processFaults.push({ fault: `${worker.name} SIGKILL`, fired: ownCalls > 0 ? 1 : 0, effect: `${ownCalls} of its Google/Resend calls in flight, ${cut} cut` });
      worker.start();
    };

    await at(plan.killFirstWorkerAt);
    await killWorker(workers[0] as ManagedProcess);

    await at(plan.cutDatabaseAt);
    const cut = await admin.query<{ n: string }>('SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1', [WORKER_DB_APP]);
    log(`workers' PostgreSQL connections cut: ${cut.rows[0]?.n ?? 0}`);
    processFaults.push({ fault: 'pg_terminate_backend', fired: 1, effect: `${cut.rows[0]?.n ?? 0} worker connections terminated` });

    await at(plan.killSecondWorkerAt);
    await killWorker(workers[1] as ManagedProcess);

    await at(plan.stopTemporalAt);
    await temporal.stop('SIGTERM');
    log(`Temporal dev server stopped for ${plan.temporalDownMs / 1000} s`);
    await sleep(plan.temporalDownMs);
    temporal.start();
    await waitForTemporal(temporalAddress, 60_000);
    log('Temporal dev server restarted on its database file');
    processFaults.push({ fault: 'Temporal server stop + restart', fired: 1, effect: `down ${plan.temporalDownMs / 1000} s` });

    await at(plan.blackholeAt);
    proxy.hold();
    log(`PostgreSQL black-holed for ${plan.blackholeMs / 1000} s`);
    await sleep(plan.blackholeMs);
    proxy.release();
    processFaults.push({ fault: 'PostgreSQL black hole', fired: 1, effect: `${proxy.heldConnections} connections hung ${plan.blackholeMs / 1000} s` });

    // The random faults go on while the backlog the crashes left drains: until every session has
    // started its creation and all but a few stragglers (each held by a 65 s spike or a backoff, which
    // would otherwise keep the faults on forever) have finished it, or the cap.
    const prisma = createPrismaClient(databaseUrl);
    const stragglers = Math.max(2, Math.ceil(plan.sessions / 100));
    for (const until = Date.now() + plan.faultsAfterCrashesMaxMs; Date.now() < until; await sleep(1_000)) {
      const done = readJournal(journalFile).some((entry) => entry.kind === 'done');
      const pending = await prisma.session.count({ where: { meetingStatus: 'PENDING' } });
      const creating = await prisma.session.count({ where: { meetingStatus: 'CREATING' } });
      if (done && pending === 0 && creating <= stragglers) break;
    }
    google.faults.clear();
    resend.faults.clear();
    const lastFault = Date.now();
    const faultWindow = { google: google.requests.length, resend: resend.requests.length };
    log('last fault over; random faults off; waiting for everything to settle');

    const connection = await Connection.connect({ address: temporalAddress });
    const client = new Client({ connection });
    let settledAt: number | undefined;
    let summary: ReturnType<typeof checkRun> | undefined;
    const deadline = lastFault + plan.settleMs;
    for (;;) {
      const journal = readJournal(journalFile);
      const booked = journal.filter((entry) => entry.kind === 'booked').map((entry) => (entry.kind === 'booked' ? entry.sessionId : ''));
      const unsettled = await prisma.session.count({ where: { meetingStatus: { in: ['PENDING', 'CREATING'] } } });
      const quietFor = Date.now() - Math.max(...[...google.requests, ...resend.requests].map((request) => Date.parse(request.at)), 0);
      const done = journal.some((entry) => entry.kind === 'done');
      if ((done && unsettled === 0 && quietFor > 10_000) || Date.now() > deadline) {
        const evidence = await collectEvidence({ client, prisma, google, resend, bookedSessionIds: booked, attemptsPerGeneration: parseDurationList(RETRY_BACKOFF).length + 1, adminEmail: ADMIN_EMAIL });
        summary = checkRun(evidence);
        writeFileSync(path.join(workDir, 'evidence.json'), JSON.stringify(evidence));
        const stillMoving = summary.counts.stuck + summary.counts['lost-email'] + summary.counts['wrong-state'];
        if (stillMoving === 0 || Date.now() > deadline) {
          settledAt = stillMoving === 0 ? Date.now() - quietFor : undefined;
          break;
        }
        log(`not settled yet (${stillMoving} sessions short of their final state); looking again`);
      }
      await sleep(3_000);
    }
    const journal = readJournal(journalFile);
    const startRetries = journal.filter((entry) => entry.kind === 'started' && entry.tries > 1).length;
    const signalRetries = journal.filter((entry) => entry.kind === 'signalled' && entry.tries > 1).length;
    const faultCounts: FaultCount[] = [
      ...['500', '503', '429'].map((status) => ({ fault: `Google ${status}`, fired: countRequests(google, (r) => r.status === Number(status)), effect: '' })),
      { fault: 'Google 403 rateLimitExceeded', fired: countRequests(google, (r) => r.status === 403), effect: '' },
      { fault: 'Google answer lost after the write', fired: countRequests(google, (r) => r.status === 'dropped'), effect: '' },
      { fault: `Google latency spike ${SPIKE_MS / 1000} s`, fired: countRequests(google, (r) => Boolean(r.delayedMs)), effect: '' },
      ...['500', '503', '429'].map((status) => ({ fault: `Resend ${status}`, fired: countRequests(resend, (r) => r.status === Number(status)), effect: '' })),
      { fault: 'Resend answer lost after the write', fired: countRequests(resend, (r) => r.status === 'dropped'), effect: '' },
      { fault: `Resend latency spike ${SPIKE_MS / 1000} s`, fired: countRequests(resend, (r) => Boolean(r.delayedMs)), effect: '' },
      ...processFaults,
    ];
    const selfRestarts = workers.reduce((sum, worker) => sum + worker.restarts, 0);
    const result = {
      runId,
      config: { ...plan, retryBackoff: RETRY_BACKOFF, faultRate: FAULT_RATE, spikeMs: SPIKE_MS, workers: 2 },
      sessions: summary.sessions,
      byStatus: summary.byStatus,
      violations: summary.counts,
      faults: faultCounts,
      /** The share of calls that failed while the random faults were on (the rest came after). */
      faultedShare: {
        google: faultedShare(google.requests.slice(0, faultWindow.google)),
        resend: faultedShare(resend.requests.slice(0, faultWindow.resend)),
      },
      answers: {
        google: countBy(google.requests.map((request) => String(request.status))),
        resend: countBy(resend.requests.map((request) => String(request.status))),
      },
      booking: { workerSelfRestarts: selfRestarts, startsRetried: startRetries, signalsRetried: signalRetries, googleCalls: google.requests.length, resendCalls: resend.requests.length },
      /** Requests the Resend stand-in refused for exceeding its 2/s (beyond the injected 429s). */
      resendRateLimited: resend.rateLimited(),
      secondsToSettleAfterLastFault: settledAt === undefined ? null : Math.max(0, (settledAt - lastFault) / 1000),
      totalSeconds: (Date.now() - started) / 1000,
      firstViolations: summary.violations.slice(0, 20),
    };
    mkdirSync(path.join(ROOT, 'chaos', 'results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'chaos', 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    printTable(result);
    await connection.close();
    await prisma.$disconnect();
    const zeroFaults = faultCounts.filter((fault) => fault.fired === 0);
    const failed = VIOLATION_KINDS.some((kind) => summary.counts[kind] > 0) || zeroFaults.length > 0 || settledAt === undefined;
    if (zeroFaults.length > 0) console.log(`faults that never fired: ${zeroFaults.map((fault) => fault.fault).join(', ')}`);
    console.log(failed ? 'chaos: FAILED' : 'chaos: passed: nothing lost, doubled or stuck');
    process.exitCode = failed ? 1 : 0;
  } finally {
    await admin.end();
    await cleanup();
    if (process.exitCode === 0) rmSync(path.join(workDir, 'temporal.sqlite'), { force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

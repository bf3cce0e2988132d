// What a bench run runs on: a fresh database, Temporal (a dev server of its own, or the cluster that
// TEMPORAL_ADDRESS names), the Google and Resend stand-ins, and the worker processes, configured per
// profile: `limited` (the production budgets, the stand-ins enforcing Google's and Resend's limits) or
// `unlimited` (no budgets, for the ceiling and for seeding the resting sessions).
import { Client, Connection } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import type { PrismaClient } from '@prisma/client';
import { createPrismaClient } from '../src/adapters/database';
import { loadTemporalConfig } from '../src/config/temporal-config';
import { prepareDatabase } from '../src/local/database';
import { createLogger } from '../src/logging';
import { bundleWorkflows } from '../src/worker/workflow-bundle';
import { findTemporalExecutable } from '../src/local/temporal-binaries';
import { startGoogleCalendarStandin, type GoogleCalendarStandin } from '../src/standins/google-calendar';
import { startResendStandin, type ResendStandin } from '../src/standins/resend';
import { freePort, temporalDevServer, waitForTemporal, workerProcess, type ManagedProcess } from '../chaos/processes';
import type { BenchPlan } from './args';

export type Profile = 'limited' | 'unlimited';

export const STANDIN_LATENCY_MS = { google: 100, resend: 50 };
const UNLIMITED = '100000';

/** Whether a stand-in answered a burst above its limit with rate-limit errors; null: not asked for. */
export interface Enforcement {
  google: boolean | null;
  resend: boolean | null;
}

export interface Rig {
  databaseUrl: string;
  prisma: PrismaClient;
  client: Client;
  temporalAddress: string;
  /** The dev server the run started; undefined on an external cluster. */
  temporal: ManagedProcess | undefined;
  workers: ManagedProcess[];
  google: GoogleCalendarStandin;
  resend: ResendStandin;
  profile: Profile;
  /** Whether the stand-ins of the current profile enforce their limits. */
  enforcement: Enforcement;
  /** The same, for every profile used so far in the run. */
  enforcementByProfile: Partial<Record<Profile, Enforcement>>;
  workerEnv: Record<string, string>;
  useProfile(profile: Profile): Promise<void>;
  /** Stops the workers (SIGTERM, as a deploy does) and starts them again; answers when they poll. */
  restartWorkers(onSpawned?: () => void): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fires `calls` requests at once at a stand-in and tells whether any was refused with `status`: the
 * stand-in enforces its limit. The probe's own requests are taken out of its log again.
 */
async function refusesBurst(standin: GoogleCalendarStandin | ResendStandin, calls: number, call: (i: number) => Promise<Response>, status: number[]): Promise<boolean> {
  const mark = standin.requests.length;
  const answers = await Promise.all(Array.from({ length: calls }, (_, i) => call(i).then((response) => response.status)));
  standin.requests.splice(mark);
  // Let the limit's window pass before the phase begins.
  await sleep(1_500);
  return answers.some((answer) => status.includes(answer));
}

async function startStandins(profile: Profile, plan: BenchPlan): Promise<{ google: GoogleCalendarStandin; resend: ResendStandin; enforcement: Enforcement }> {
  // The limits are options of the stand-ins that may not exist in the code checked out: passed
  // through as they are, and whether they hold is found out by asking (refusesBurst).
  const googleOptions: Parameters<typeof startGoogleCalendarStandin>[0] & { enforceCallsPerSecond?: number } = {
    latencyMs: STANDIN_LATENCY_MS.google,
    ...(profile === 'limited' ? { enforceCallsPerSecond: plan.burst.enforceCallsPerSecond } : {}),
  };
  const resendOptions: Parameters<typeof startResendStandin>[0] & { enforceRequestsPerSecond?: number } = {
    latencyMs: STANDIN_LATENCY_MS.resend,
    ...(profile === 'limited' ? { enforceRequestsPerSecond: plan.topOfHour.resendRequestsPerSecond } : {}),
  };
  const google = await startGoogleCalendarStandin(googleOptions);
  const resend = await startResendStandin(resendOptions);
  if (profile === 'unlimited') return { google, resend, enforcement: { google: null, resend: null } };
  const probeEmail = (i: number) =>
    fetch(`${resend.url}/emails`, {
      method: 'POST',
      headers: { authorization: 'Bearer re_bench', 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'bench@bench.example.com', to: `probe-${i}@probe.bench.example.com`, subject: 'probe', text: 'probe' }),
    });
  const enforcement = {
    google: await refusesBurst(google, plan.burst.enforceCallsPerSecond * 3, () => fetch(`${google.url}/calendar/v3/calendars/primary/events/probe0`), [403, 429]),
    resend: await refusesBurst(resend, plan.topOfHour.resendRequestsPerSecond * 5, probeEmail, [429]),
  };
  return { google, resend, enforcement };
}

export async function startRig(plan: BenchPlan, workDir: string, log: (message: string) => void): Promise<Rig> {
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/session_meetings_bench';
  const admin = new PgClient({ connectionString: new URL('/postgres', databaseUrl).toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${decodeURIComponent(new URL(databaseUrl).pathname.slice(1)).replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await prepareDatabase(databaseUrl);
  const prisma = createPrismaClient(databaseUrl);

  let temporal: ManagedProcess | undefined;
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const executable = findTemporalExecutable('cli');
    if (executable.type !== 'existing-path') throw new Error('the Temporal CLI is not installed (pip install -r requirements-temporal.txt)');
    const port = await freePort();
    temporalAddress = `127.0.0.1:${port}`;
    temporal = temporalDevServer(executable.path, { port, dbFile: path.join(workDir, 'temporal.sqlite') }, path.join(workDir, 'temporal.log'));
    temporal.start();
  }
  // One bundle of the workflow code for every worker the run starts, as a production build has:
  // workers then start in seconds, and the restart the resting phase times is a deploy's.
  const workflowBundle = path.join(workDir, 'workflow-bundle.js');
  // Its warnings and errors only: the table on stdout stays readable.
  writeFileSync(workflowBundle, await bundleWorkflows(createLogger('bench').child({}, { level: 'warn' })));
  await waitForTemporal(temporalAddress, 60_000);
  const temporalConfig = loadTemporalConfig({ ...process.env, TEMPORAL_ADDRESS: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, namespace: temporalConfig.namespace });

  const rig: Rig = {
    databaseUrl,
    prisma,
    client,
    temporalAddress,
    temporal,
    workers: [],
    google: undefined as unknown as GoogleCalendarStandin,
    resend: undefined as unknown as ResendStandin,
    profile: 'limited',
    enforcement: { google: null, resend: null },
    enforcementByProfile: {},
    workerEnv: {},
    async useProfile(profile) {
      if (rig.workers.length > 0 && rig.profile === profile) return;
      await Promise.all(rig.workers.map((worker) => worker.close()));
      await rig.google?.close();
      await rig.resend?.close();
      const standins = await startStandins(profile, plan);
      Object.assign(rig, standins, { profile });
      rig.enforcementByProfile[profile] = standins.enforcement;
      rig.workerEnv = {
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporalAddress,
        GOOGLE_CALENDAR_BASE_URL: standins.google.url,
        GOOGLE_CALLS_PER_SECOND: profile === 'limited' ? String(plan.burst.googleCallsPerSecond) : UNLIMITED,
        RESEND_API_KEY: 're_bench',
        RESEND_BASE_URL: standins.resend.url,
        RESEND_REQUESTS_PER_SECOND: profile === 'limited' ? String(plan.topOfHour.resendRequestsPerSecond) : UNLIMITED,
        EMAIL_FROM: 'Sessions <sessions@bench.example.com>',
        ADMIN_ALERT_EMAIL: 'ops@bench.example.com',
        MEETING_HEALTH_INTERVAL: 'off',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
        WORKFLOW_BUNDLE_PATH: workflowBundle,
      };
      rig.workers = Array.from({ length: plan.workers }, (_, i) => workerProcess(`worker-${i + 1}`, rig.workerEnv, path.join(workDir, `worker-${i + 1}.log`)));
      log(`workers starting (${profile}: Google ${rig.workerEnv.GOOGLE_CALLS_PER_SECOND}/s, Resend ${rig.workerEnv.RESEND_REQUESTS_PER_SECOND}/s)`);
      await rig.restartWorkers();
    },
    async restartWorkers(onSpawned) {
      await Promise.all(rig.workers.map((worker) => worker.stop('SIGTERM')));
      for (const worker of rig.workers) worker.start();
      onSpawned?.();
      await Promise.all(rig.workers.map((worker) => worker.waitForOutput('worker started', 180_000)));
    },
    async close() {
      for (const worker of rig.workers) await worker.close();
      await rig.google?.close();
      await rig.resend?.close();
      await connection.close();
      await prisma.$disconnect();
      await temporal?.close();
    },
  };
  return rig;
}

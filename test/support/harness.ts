import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createPrismaClient, type PrismaClient } from '../../src/adapters/database';
import { createCalendarApi } from '../../src/adapters/google-calendar';
import { sharedRateBudget } from '../../src/adapters/rate-budget';
import { createResendClient } from '../../src/adapters/resend';
import { SessionMeetings } from '../../src/client/session-meetings';
import { DEFAULT_RETRY_BACKOFF, type MeetingPolicy } from '../../src/config/worker-config';
import { parseDurationList } from '../../src/domain/durations';
import { startEmailDrainer } from '../../src/email-outbox/drainer';
import { createLogger } from '../../src/logging';
import { findTemporalExecutable } from '../../src/local/temporal-binaries';
import { startGoogleCalendarStandin, type GoogleCalendarStandin } from '../../src/standins/google-calendar';
import { startResendStandin, type ResendStandin } from '../../src/standins/resend';
import { createSessionMeetingWorkers, googleBudgetName, runWorkers } from '../../src/worker/workers';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/contract';
import { ensureSearchAttributes } from '../../src/worker/search-attributes';
import { TEST_DATABASE_URL } from './env';
import { seedSession, type SessionSeed } from './sessions';

export const ADMIN_EMAIL = 'ops@example.com';

export interface Harness {
  env: TestWorkflowEnvironment;
  prisma: PrismaClient;
  google: GoogleCalendarStandin;
  resend: ResendStandin;
  meetings: SessionMeetings;
  taskQueue: string;
  /** Writes a confirmed session with two new users; returns its id. */
  createSession(seed?: SessionSeed): Promise<string>;
  /** Forgets this worker's once-per-outage alert claims, so the next credentials failure is a new outage. */
  forgetAlertClaims(): Promise<void>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

const quietLogger = createLogger('email-outbox');
quietLogger.level = 'silent';

/**
 * Real parts for a test file: a Temporal server (time-skipping or the CLI dev server), the worker with
 * its real activities, the Calendar and Resend stand-ins over HTTP, and the test database.
 */
export interface HarnessOptions {
  server: 'time-skipping' | 'dev-server';
  policy?: Partial<MeetingPolicy>;
  /** The Google calls per second of the worker's shared budget (default: unlimited). */
  googleCallsPerSecond?: number;
  /** A database of the test file's own (prepared by it), instead of the shared test database. */
  databaseUrl?: string;
  /**
   * Sign in to the Calendar stand-in as a service account (a key made for the test, the token from
   * the stand-in's `/token`), so the real JWT path of google-auth-library runs.
   */
  serviceAccount?: boolean;
  /** Resend requests per second for this harness's outbox and alerts (default: unlimited). */
  resendRequestsPerSecond?: number;
}

function testServiceAccountKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { client_email: 'session-meetings@test-project.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const env =
    options.server === 'time-skipping'
      ? await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: findTemporalExecutable('test-server') } })
      : await TestWorkflowEnvironment.createLocal({
          server: { executable: findTemporalExecutable('cli'), ip: '127.0.0.1', searchAttributes: SEARCH_ATTRIBUTES },
        });
  // The dev server takes them as start options; the time-skipping server needs them registered.
  if (options.server === 'time-skipping') await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  const google = await startGoogleCalendarStandin();
  const resend = await startResendStandin();
  const prisma = createPrismaClient(options.databaseUrl ?? TEST_DATABASE_URL);
  const taskQueue = `test-${randomUUID()}`;
  const resendClient = createResendClient({ apiKey: 're_test_key', baseUrl: resend.url });
  // Test files share one database and its `resend` budget; unlimited unless a test asks.
  const resendBudget = sharedRateBudget(prisma, `resend-${taskQueue}`, options.resendRequestsPerSecond ?? Infinity);
  const from = 'Sessions <sessions@example.com>';
  const drainer = startEmailDrainer({ prisma, queue: taskQueue, resend: resendClient, budget: resendBudget, from, adminAlertEmail: ADMIN_EMAIL, logger: quietLogger, idlePollMs: 100, retentionMs: 30 * 86_400_000 });
  const bundle = process.env.SESSION_MEETINGS_WORKFLOW_BUNDLE;
  const workers = await createSessionMeetingWorkers({
    connection: env.nativeConnection,
    client: env.client,
    namespace: env.namespace ?? 'default',
    taskQueue,
    ...(bundle ? { workflowBundle: { codePath: bundle } } : {}),
    deps: {
      prisma,
      calendar: createCalendarApi(
        options.serviceAccount
          ? { baseUrl: google.url, serviceAccountKey: testServiceAccountKey(), impersonateSubject: 'calendar-owner@example.com', tokenUrl: `${google.url}/token` }
          : { baseUrl: google.url, serviceAccountKey: undefined, impersonateSubject: undefined, tokenUrl: undefined },
      ),
      calendarId: 'primary',
      googleBudget: sharedRateBudget(prisma, googleBudgetName(taskQueue), options.googleCallsPerSecond ?? Infinity),
      conferencePollIntervalsMs: [50, 100, 200],
      resend: resendClient,
      resendBudget,
      wakeEmailDrainer: drainer.wake,
      from,
      adminAlertEmail: ADMIN_EMAIL,
      slackWebhookUrl: undefined,
      meetingPolicy: { retryBackoffMs: parseDurationList(DEFAULT_RETRY_BACKOFF), conferenceWaitMs: 10_000, ...options.policy },
    },
  });
  const running = runWorkers(workers);

  return {
    env,
    prisma,
    google,
    resend,
    taskQueue,
    meetings: new SessionMeetings(env.client, taskQueue),
    createSession: (seed?: SessionSeed) => seedSession(prisma, seed),
    async forgetAlertClaims() {
      await prisma.adminAlertClaim.deleteMany({ where: { key: { contains: `/${taskQueue}/` } } });
    },
    async close() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await drainer.stop();
      await env.teardown();
      await prisma.$disconnect();
      await google.close();
      await resend.close();
    },
  };
}

/**
 * A harness for the test file: started before its tests, closed after them, with the stand-ins'
 * state (faults, requests, emails) reset before each test.
 */
export function useHarness(options: HarnessOptions): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    Object.assign(harness, await startHarness(options));
  }, 60_000);
  afterAll(async () => {
    await harness.close?.();
  });
  beforeEach(() => {
    harness.google.reset();
    harness.resend.reset();
  });
  return harness;
}

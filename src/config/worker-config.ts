import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatDuration } from '../domain/durations';
import { DEFAULT_FAILURE_RATE_POLICY, type FailureRatePolicy } from '../domain/failure-rate';
import {
  duration,
  durationList,
  durationOrOff,
  type Env,
  httpUrl,
  mailbox,
  numberWhere,
  optionalMailbox,
  optionalText,
  readEnv,
  section,
  text,
} from './env';
import { loadLogSettings, type LogSettings } from './log-settings';
import { loadTemporalConfig, type TemporalConfig } from './temporal-config';

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
}

export interface GoogleConfig {
  calendarId: string;
  /** Root URL of the Calendar API; set for a local stand-in. */
  baseUrl: string | undefined;
  serviceAccountKey: ServiceAccountKey | undefined;
  impersonateSubject: string | undefined;
  /** The OAuth token endpoint, when not Google's (a stand-in). */
  tokenUrl: string | undefined;
  /** Calls per second across all workers (the Google task queue's rate limit). */
  callsPerSecond: number;
}

export interface MeetingPolicy {
  /** Waits between creation attempts; the first attempt runs at once. */
  retryBackoffMs: number[];
  /** How long one attempt waits for a pending conference before it counts as failed. */
  conferenceWaitMs: number;
}

export interface HealthMonitorConfig {
  /** How often the schedule runs the health monitor; null (`off`): no schedule. */
  intervalMs: number | null;
  failureRate: FailureRatePolicy;
}

export interface WorkerConfig {
  databaseUrl: string;
  temporal: TemporalConfig;
  google: GoogleConfig;
  resend: { apiKey: string; baseUrl: string | undefined; requestsPerSecond: number };
  email: { from: string; adminAlertEmail: string; slackWebhookUrl: string | undefined; outboxRetentionMs: number };
  meeting: MeetingPolicy;
  health: HealthMonitorConfig;
  limits: WorkerLimits;
  logging: LogSettings;
}

/**
 * What one worker holds in memory and runs at once. The sticky cache keeps a workflow's state in
 * memory between its tasks; a sleeping session needs none of it, and one that wakes outside the
 * cache replays its short history. Bounded, the worker's memory stays flat however many sessions sleep.
 */
export interface WorkerLimits {
  /** Workflows kept in the sticky cache (0: none). */
  maxCachedWorkflows: number;
  /** Workflow tasks run at once (at most the cache size, unless the cache is off). */
  maxConcurrentWorkflowTasks: number;
  /** Activities run at once, per task queue (the main one and Google's). */
  maxConcurrentActivities: number;
  maxConcurrentLocalActivities: number;
  /**
   * How far (in %) V8 lets a heap grow past what was live at its last full collection (0: V8's own
   * factor, up to 4 times). A worker lives for months and keeps its busiest burst's high-water mark.
   */
  heapGrowingPercent: number;
}

export const DEFAULT_WORKER_LIMITS: WorkerLimits = {
  // A cached workflow costs about 0.3 MB; at 50, 1,000 bookings at once drained as fast as at 200
  // (bench ceiling, two malloc arenas, 2026-11-26): a session evicted between its two tasks replays
  // about 19 events.
  maxCachedWorkflows: 50,
  maxConcurrentWorkflowTasks: 40,
  maxConcurrentActivities: 50,
  maxConcurrentLocalActivities: 50,
  heapGrowingPercent: 30,
};

export const DEFAULT_RETRY_BACKOFF = '30s,2m,8m';

/** Temporal runs schedules at most once a second. */
const MIN_HEALTH_INTERVAL_MS = 1_000;

// The worker's sections, each variable on one line: its name, then its rule (and default).

const database = section({
  url: ['DATABASE_URL', text().refine((url) => /^postgres(ql)?:\/\//.test(url), { error: 'must be a postgresql:// URL' })],
});

const serviceAccountKeySchema = z.object({ client_email: z.string().min(1), private_key: z.string().min(1) });

// Never echo the key's content: the problem says only what is wrong with it.
function parseServiceAccountKey(json: string, context: z.RefinementCtx): ServiceAccountKey {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    context.addIssue({ code: 'custom', message: 'is not valid JSON (expected a service-account key file)' });
    return z.NEVER;
  }
  const key = serviceAccountKeySchema.safeParse(value);
  if (key.success) return key.data;
  context.addIssue({ code: 'custom', message: 'is not a service-account key: client_email and private_key are required' });
  return z.NEVER;
}

function readServiceAccountKeyFile(path: string, context: z.RefinementCtx): ServiceAccountKey {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch (error) {
    context.addIssue({ code: 'custom', message: `cannot read the key file (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    return z.NEVER;
  }
  return parseServiceAccountKey(json, context);
}

const serviceAccountKey = () => optionalText().pipe(z.string().transform(parseServiceAccountKey).optional());
const serviceAccountKeyFile = () => optionalText().pipe(z.string().transform(readServiceAccountKeyFile).optional());

const google = section({
  calendarId: ['GOOGLE_CALENDAR_ID', text('primary')],
  baseUrl: ['GOOGLE_CALENDAR_BASE_URL', httpUrl()],
  keyFile: ['GOOGLE_SERVICE_ACCOUNT_KEY_PATH', serviceAccountKeyFile()],
  inlineKey: ['GOOGLE_SERVICE_ACCOUNT_KEY', serviceAccountKey()],
  impersonateSubject: ['GOOGLE_IMPERSONATE_SUBJECT', optionalMailbox()],
  tokenUrl: ['GOOGLE_TOKEN_URL', httpUrl()],
  callsPerSecond: ['GOOGLE_CALLS_PER_SECOND', numberWhere(5, (n) => n > 0, 'must be a positive number')],
})
  .transform(({ keyFile, inlineKey, ...rest }): GoogleConfig => ({ ...rest, serviceAccountKey: keyFile ?? inlineKey }))
  .refine((config) => config.serviceAccountKey !== undefined || config.baseUrl !== undefined, {
    path: ['GOOGLE_SERVICE_ACCOUNT_KEY_PATH'],
    error: 'set it (or GOOGLE_SERVICE_ACCOUNT_KEY) to a service-account key, or set GOOGLE_CALENDAR_BASE_URL to a local stand-in',
  });

const resend = section({
  apiKey: ['RESEND_API_KEY', text()],
  baseUrl: ['RESEND_BASE_URL', httpUrl()],
  // Across all workers, the email outbox's batches and admin alerts together (Resend's default team limit).
  requestsPerSecond: ['RESEND_REQUESTS_PER_SECOND', numberWhere(2, (n) => n > 0 && Number.isFinite(n), 'must be a positive number')],
});

const DAY_MS = 24 * 60 * 60 * 1_000;

const email = section({
  from: ['EMAIL_FROM', mailbox()],
  adminAlertEmail: ['ADMIN_ALERT_EMAIL', mailbox()],
  slackWebhookUrl: ['SLACK_WEBHOOK_URL', httpUrl()],
  // A finished email's row is what keeps it from being queued twice; Resend's own keys last a day.
  outboxRetentionMs: ['EMAIL_OUTBOX_RETENTION', duration('30d').refine((ms) => ms >= DAY_MS, { error: 'must be at least 1d' })],
});

const meeting = section({
  retryBackoffMs: ['MEETING_RETRY_BACKOFF', durationList(DEFAULT_RETRY_BACKOFF)],
  conferenceWaitMs: ['MEETING_CONFERENCE_WAIT', duration('60s')],
});

const health = section({
  intervalMs: ['MEETING_HEALTH_INTERVAL', durationOrOff('5m').refine((ms) => ms === null || ms >= MIN_HEALTH_INTERVAL_MS, { error: 'must be at least 1s (or off)' })],
  windowMs: ['MEETING_FAILURE_RATE_WINDOW', duration(formatDuration(DEFAULT_FAILURE_RATE_POLICY.windowMs)).refine((ms) => ms > 0, { error: 'must be longer than 0' })],
  alertRate: ['MEETING_FAILURE_RATE_ALERT', numberWhere(DEFAULT_FAILURE_RATE_POLICY.alertRate, (n) => n >= 0 && n <= 1, 'must be a fraction between 0 and 1 (0.05 = 5 %)')],
  minAttempts: ['MEETING_FAILURE_RATE_MIN_ATTEMPTS', numberWhere(DEFAULT_FAILURE_RATE_POLICY.minAttempts, (n) => Number.isInteger(n) && n >= 1, 'must be a whole number of at least 1')],
}).transform(({ intervalMs, ...failureRate }): HealthMonitorConfig => ({ intervalMs, failureRate }));

const wholeNumberRule = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: (issue) => `"${String(issue.input)}" must be a whole number` })
    .transform(Number)
    .refine((n) => n >= min && n <= 1_000_000, { error: (issue) => `"${String(issue.input)}" must be at least ${min}` });
const wholeNumber = (fallback: number, min: number) => text(String(fallback)).pipe(wholeNumberRule(min));

// The cache cannot be off: with none, Temporal drops or repeats the local activities of a task in
// progress (measured: 1,000 bookings stalled at 66 done); it needs room for two; tasks need two slots.
const limits = section({
  maxCachedWorkflows: ['WORKER_MAX_CACHED_WORKFLOWS', wholeNumber(DEFAULT_WORKER_LIMITS.maxCachedWorkflows, 0).refine((n) => n >= 2, {
      error: 'must be at least 2: the workflows run local activities, which Temporal drops or repeats without a cache',
    })],
  maxConcurrentWorkflowTasks: ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', optionalText().pipe(wholeNumberRule(2).optional())],
  maxConcurrentActivities: ['WORKER_MAX_CONCURRENT_ACTIVITIES', wholeNumber(DEFAULT_WORKER_LIMITS.maxConcurrentActivities, 1)],
  maxConcurrentLocalActivities: ['WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES', wholeNumber(DEFAULT_WORKER_LIMITS.maxConcurrentLocalActivities, 1)],
  heapGrowingPercent: ['WORKER_HEAP_GROWING_PERCENT', wholeNumber(DEFAULT_WORKER_LIMITS.heapGrowingPercent, 0).refine((n) => n <= 1_000, { error: 'must be at most 1000' })],
})
  .refine((l) => l.maxConcurrentWorkflowTasks === undefined || l.maxConcurrentWorkflowTasks <= l.maxCachedWorkflows, {
    path: ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'],
    error: (issue) => `must not exceed WORKER_MAX_CACHED_WORKFLOWS (${(issue.input as { maxCachedWorkflows: number }).maxCachedWorkflows})`,
  })
  // A small cache given alone brings the workflow-task slots down with it.
  .transform(({ maxConcurrentWorkflowTasks, ...rest }): WorkerLimits => {
    const tasks = maxConcurrentWorkflowTasks ?? DEFAULT_WORKER_LIMITS.maxConcurrentWorkflowTasks;
    return { ...rest, maxConcurrentWorkflowTasks: Math.min(tasks, rest.maxCachedWorkflows) };
  });

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  return {
    databaseUrl: readEnv(database, env).url,
    temporal: loadTemporalConfig(env),
    google: readEnv(google, env),
    resend: readEnv(resend, env),
    email: readEnv(email, env),
    meeting: readEnv(meeting, env),
    health: readEnv(health, env),
    limits: readEnv(limits, env),
    logging: loadLogSettings(env),
  };
}

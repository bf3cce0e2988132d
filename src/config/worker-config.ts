import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDuration, parseDurationList } from '../domain/durations';
import { isMailbox } from '../domain/email-address';
import { DEFAULT_FAILURE_RATE_POLICY, type FailureRatePolicy } from '../domain/failure-rate';
import { DEFAULT_TASK_QUEUE } from '../workflows/contract';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey: string | undefined;
  tls: boolean | { certPath: string; keyPath: string };
  /** Register the search attributes at start (self-hosted clusters such as docker-compose's). */
  registerSearchAttributes: boolean;
}

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
  email: { from: string; adminAlertEmail: string; slackWebhookUrl: string | undefined };
  meeting: MeetingPolicy;
  health: HealthMonitorConfig;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_RETRY_BACKOFF = '30s,2m,8m';

export function loadTemporalConfig(env: Env = process.env): TemporalConfig {
  const certPath = optional(env, 'TEMPORAL_TLS_CERT_PATH');
  const keyPath = optional(env, 'TEMPORAL_TLS_KEY_PATH');
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new ConfigError(certPath ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH', 'mTLS needs both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH');
  }
  const apiKey = optional(env, 'TEMPORAL_API_KEY');
  return {
    address: optional(env, 'TEMPORAL_ADDRESS') ?? 'localhost:7233',
    namespace: optional(env, 'TEMPORAL_NAMESPACE') ?? 'default',
    taskQueue: optional(env, 'TEMPORAL_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE,
    apiKey,
    tls: certPath && keyPath ? { certPath, keyPath } : booleanVar(env, 'TEMPORAL_TLS', apiKey !== undefined),
    registerSearchAttributes: booleanVar(env, 'TEMPORAL_REGISTER_SEARCH_ATTRIBUTES', false),
  };
}

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const databaseUrl = required(env, 'DATABASE_URL');
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL', 'must be a postgresql:// URL');
  return {
    databaseUrl,
    temporal: loadTemporalConfig(env),
    google: loadGoogleConfig(env),
    resend: { apiKey: required(env, 'RESEND_API_KEY'), baseUrl: optionalUrl(env, 'RESEND_BASE_URL'), requestsPerSecond: resendRequestsPerSecond(env) },
    email: {
      from: requiredEmail(env, 'EMAIL_FROM'),
      adminAlertEmail: requiredEmail(env, 'ADMIN_ALERT_EMAIL'),
      slackWebhookUrl: optionalUrl(env, 'SLACK_WEBHOOK_URL'),
    },
    meeting: {
      retryBackoffMs: durations(env, 'MEETING_RETRY_BACKOFF', DEFAULT_RETRY_BACKOFF),
      conferenceWaitMs: durations(env, 'MEETING_CONFERENCE_WAIT', '60s')[0] ?? 60_000,
    },
    health: loadHealthMonitorConfig(env),
  };
}

/**
 * RESEND_REQUESTS_PER_SECOND: Resend requests per second across all workers (the outbox's batches and
 * admin alerts together); default 2, Resend's default team limit.
 */
const resendRequestsPerSecondSchema = z.coerce.number().positive().finite().default(2);

function resendRequestsPerSecond(env: Env): number {
  const parsed = resendRequestsPerSecondSchema.safeParse(optional(env, 'RESEND_REQUESTS_PER_SECOND'));
  if (!parsed.success) throw new ConfigError('RESEND_REQUESTS_PER_SECOND', 'must be a positive number');
  return parsed.data;
}

/** Temporal runs schedules at most once a second. */
const MIN_HEALTH_INTERVAL_MS = 1_000;

function loadHealthMonitorConfig(env: Env): HealthMonitorConfig {
  const interval = optional(env, 'MEETING_HEALTH_INTERVAL') ?? '5m';
  const intervalMs = /^off$/i.test(interval) ? null : duration('MEETING_HEALTH_INTERVAL', interval);
  if (intervalMs !== null && intervalMs < MIN_HEALTH_INTERVAL_MS) throw new ConfigError('MEETING_HEALTH_INTERVAL', 'must be at least 1s (or off)');
  const window = optional(env, 'MEETING_FAILURE_RATE_WINDOW');
  const windowMs = window === undefined ? DEFAULT_FAILURE_RATE_POLICY.windowMs : duration('MEETING_FAILURE_RATE_WINDOW', window);
  if (windowMs <= 0) throw new ConfigError('MEETING_FAILURE_RATE_WINDOW', 'must be longer than 0');
  const alertRate = Number(optional(env, 'MEETING_FAILURE_RATE_ALERT') ?? DEFAULT_FAILURE_RATE_POLICY.alertRate);
  if (!(alertRate >= 0 && alertRate <= 1)) throw new ConfigError('MEETING_FAILURE_RATE_ALERT', 'must be a fraction between 0 and 1 (0.05 = 5 %)');
  const minAttempts = Number(optional(env, 'MEETING_FAILURE_RATE_MIN_ATTEMPTS') ?? DEFAULT_FAILURE_RATE_POLICY.minAttempts);
  if (!(Number.isInteger(minAttempts) && minAttempts >= 1)) throw new ConfigError('MEETING_FAILURE_RATE_MIN_ATTEMPTS', 'must be a whole number of at least 1');
  return { intervalMs, failureRate: { windowMs, alertRate, minAttempts } };
}

const serviceAccountKeySchema = z.object({ client_email: z.string().min(1), private_key: z.string().min(1) });

function loadGoogleConfig(env: Env): GoogleConfig {
  const baseUrl = optionalUrl(env, 'GOOGLE_CALENDAR_BASE_URL');
  const keyPath = optional(env, 'GOOGLE_SERVICE_ACCOUNT_KEY_PATH');
  const inlineKey = optional(env, 'GOOGLE_SERVICE_ACCOUNT_KEY');
  let serviceAccountKey: ServiceAccountKey | undefined;
  if (keyPath) {
    let text: string;
    try {
      text = readFileSync(keyPath, 'utf8');
    } catch (error) {
      throw new ConfigError('GOOGLE_SERVICE_ACCOUNT_KEY_PATH', `cannot read the key file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    serviceAccountKey = parseServiceAccountKey('GOOGLE_SERVICE_ACCOUNT_KEY_PATH', text);
  } else if (inlineKey) {
    serviceAccountKey = parseServiceAccountKey('GOOGLE_SERVICE_ACCOUNT_KEY', inlineKey);
  } else if (!baseUrl) {
    throw new ConfigError(
      'GOOGLE_SERVICE_ACCOUNT_KEY_PATH',
      'set it (or GOOGLE_SERVICE_ACCOUNT_KEY) to a service-account key, or set GOOGLE_CALENDAR_BASE_URL to a local stand-in',
    );
  }
  const impersonateSubject = optional(env, 'GOOGLE_IMPERSONATE_SUBJECT');
  if (impersonateSubject !== undefined) requiredEmail(env, 'GOOGLE_IMPERSONATE_SUBJECT');
  const callsPerSecond = Number(optional(env, 'GOOGLE_CALLS_PER_SECOND') ?? '5');
  if (!(callsPerSecond > 0)) throw new ConfigError('GOOGLE_CALLS_PER_SECOND', 'must be a positive number');
  return {
    calendarId: optional(env, 'GOOGLE_CALENDAR_ID') ?? 'primary',
    baseUrl,
    serviceAccountKey,
    impersonateSubject,
    tokenUrl: optionalUrl(env, 'GOOGLE_TOKEN_URL'),
    callsPerSecond,
  };
}

// Never echo the key's content: the message says only what is wrong with it.
function parseServiceAccountKey(variable: string, text: string): ServiceAccountKey {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(variable, 'is not valid JSON (expected a service-account key file)');
  }
  const parsed = serviceAccountKeySchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(variable, 'is not a service-account key: client_email and private_key are required');
  return parsed.data;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  return value;
}

function requiredEmail(env: Env, name: string): string {
  const value = required(env, name);
  // Accept both "a@b.c" and "Name <a@b.c>".
  if (!isMailbox(value)) throw new ConfigError(name, `${JSON.stringify(value)} is not an email address`);
  return value;
}

function optionalUrl(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new ConfigError(name, `"${value}" is not an http(s) URL`);
  }
  return value;
}

function booleanVar(env: Env, name: string, fallback: boolean): boolean {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new ConfigError(name, `"${value}" is not true or false`);
}

function duration(name: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new ConfigError(name, (error as Error).message);
  }
}

function durations(env: Env, name: string, fallback: string): number[] {
  try {
    return parseDurationList(optional(env, name) ?? fallback);
  } catch (error) {
    throw new ConfigError(name, (error as Error).message);
  }
}

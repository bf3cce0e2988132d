import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/env';
import { loadWorkerConfig } from '../../src/config/worker-config';

const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/app',
  GOOGLE_CALENDAR_BASE_URL: 'http://127.0.0.1:4010',
  RESEND_API_KEY: 're_123',
  EMAIL_FROM: 'Sessions <sessions@example.com>',
  ADMIN_ALERT_EMAIL: 'ops@example.com',
};

function problemWith(env: Record<string, string | undefined>): ConfigError {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('configuration was accepted');
}

test('defaults: local Temporal, the spec’s retry schedule, the primary calendar', () => {
  const config = loadWorkerConfig(base);
  expect(config.meeting.conferenceWaitMs).toBe(60_000);
  expect(config.google.callsPerSecond).toBe(5);
  expect(config.temporal).toEqual({ connection: { address: 'localhost:7233' }, namespace: 'default', taskQueue: 'session-meetings', registerSearchAttributes: false });
  expect(config.meeting.retryBackoffMs).toEqual([30_000, 120_000, 480_000]);
  expect(config.google).toMatchObject({ calendarId: 'primary', baseUrl: 'http://127.0.0.1:4010', serviceAccountKey: undefined });
  expect(config.resend.requestsPerSecond).toBe(2);
  expect(loadWorkerConfig({ ...base, RESEND_REQUESTS_PER_SECOND: '10' }).resend.requestsPerSecond).toBe(10);
  expect(config.logging).toEqual({ level: 'info', format: 'json', temporalLevel: 'info' });
});

test('every variable set, with spaces around: each read into its place', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-'));
  const keyFile = join(dir, 'key.json');
  writeFileSync(keyFile, JSON.stringify({ client_email: 'svc@p.iam.gserviceaccount.com', private_key: 'k', project_id: 'p' }));
  const env = {
    DATABASE_URL: ' postgres://db/app ',
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'tutoring',
    TEMPORAL_TASK_QUEUE: 'meetings-2',
    TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'yes',
    GOOGLE_SERVICE_ACCOUNT_KEY_PATH: keyFile,
    GOOGLE_IMPERSONATE_SUBJECT: 'calendar@school.example',
    GOOGLE_CALENDAR_ID: 'sessions@group.calendar.google.com',
    GOOGLE_TOKEN_URL: 'http://127.0.0.1:4010/token',
    GOOGLE_CALLS_PER_SECOND: '2.5',
    RESEND_API_KEY: ' re_live ',
    RESEND_BASE_URL: 'http://127.0.0.1:4020',
    RESEND_REQUESTS_PER_SECOND: ' 4 ',
    EMAIL_FROM: 'Sessions <sessions@school.example>',
    ADMIN_ALERT_EMAIL: 'ops@school.example',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/x',
    EMAIL_OUTBOX_RETENTION: '7d',
    MEETING_RETRY_BACKOFF: '2s, 4s,8s,16s',
    MEETING_CONFERENCE_WAIT: '90s',
    MEETING_HEALTH_INTERVAL: 'OFF',
    MEETING_FAILURE_RATE_WINDOW: '30m',
    MEETING_FAILURE_RATE_ALERT: '0.1',
    MEETING_FAILURE_RATE_MIN_ATTEMPTS: '10',
    WORKER_MAX_CACHED_WORKFLOWS: '100',
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: ' 8',
    WORKER_MAX_CONCURRENT_ACTIVITIES: '40',
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '60',
    LOG_LEVEL: 'DEBUG',
    LOG_FORMAT: ' pretty',
    TEMPORAL_LOG_LEVEL: 'warn',
  };
  const config = loadWorkerConfig(env);
  rmSync(dir, { recursive: true, force: true });
  expect(config).toEqual({
    databaseUrl: 'postgres://db/app',
    temporal: { connection: { address: 'temporal:7233' }, namespace: 'tutoring', taskQueue: 'meetings-2', registerSearchAttributes: true },
    google: {
      calendarId: 'sessions@group.calendar.google.com',
      baseUrl: undefined,
      serviceAccountKey: { client_email: 'svc@p.iam.gserviceaccount.com', private_key: 'k' },
      impersonateSubject: 'calendar@school.example',
      tokenUrl: 'http://127.0.0.1:4010/token',
      callsPerSecond: 2.5,
    },
    resend: { apiKey: 're_live', baseUrl: 'http://127.0.0.1:4020', requestsPerSecond: 4 },
    email: { from: 'Sessions <sessions@school.example>', adminAlertEmail: 'ops@school.example', slackWebhookUrl: 'https://hooks.slack.com/services/x', outboxRetentionMs: 7 * 86_400_000 },
    meeting: { retryBackoffMs: [2_000, 4_000, 8_000, 16_000], conferenceWaitMs: 90_000 },
    health: { intervalMs: null, failureRate: { windowMs: 1_800_000, alertRate: 0.1, minAttempts: 10 } },
    limits: { maxCachedWorkflows: 100, maxConcurrentWorkflowTasks: 8, maxConcurrentActivities: 40, maxConcurrentLocalActivities: 60, heapGrowingPercent: 30 },
    logging: { level: 'debug', format: 'pretty', temporalLevel: 'warn' },
  });
});

test.each([
  ['DATABASE_URL', { DATABASE_URL: undefined }, /DATABASE_URL: is required/],
  ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgresql/],
  ['RESEND_API_KEY', { RESEND_API_KEY: '' }, /RESEND_API_KEY: is required/],
  ['EMAIL_FROM', { EMAIL_FROM: 'not-an-email' }, /EMAIL_FROM: "not-an-email" is not an email address/],
  ['ADMIN_ALERT_EMAIL', { ADMIN_ALERT_EMAIL: undefined }, /ADMIN_ALERT_EMAIL: is required/],
  ['MEETING_RETRY_BACKOFF', { MEETING_RETRY_BACKOFF: '30s,soon' }, /MEETING_RETRY_BACKOFF: "soon" is not a duration/],
  ['MEETING_RETRY_BACKOFF', { MEETING_RETRY_BACKOFF: '2,4,8' }, /MEETING_RETRY_BACKOFF: "2" is not a duration: give it a unit/],
  ['MEETING_RETRY_BACKOFF', { MEETING_RETRY_BACKOFF: '2s,,4s' }, /MEETING_RETRY_BACKOFF: "2s,,4s" has an empty entry/],
  ['MEETING_CONFERENCE_WAIT', { MEETING_CONFERENCE_WAIT: '60s,10s' }, /MEETING_CONFERENCE_WAIT: "60s,10s" is not a duration/],
  ['GOOGLE_CALLS_PER_SECOND', { GOOGLE_CALLS_PER_SECOND: 'fast' }, /GOOGLE_CALLS_PER_SECOND: must be a positive number/],
  ['GOOGLE_CALENDAR_BASE_URL', { GOOGLE_CALENDAR_BASE_URL: 'ftp://x' }, /GOOGLE_CALENDAR_BASE_URL: .* is not an http\(s\) URL/],
  ['GOOGLE_SERVICE_ACCOUNT_KEY_PATH', { GOOGLE_CALENDAR_BASE_URL: undefined }, /GOOGLE_SERVICE_ACCOUNT_KEY_PATH: set it/],
  ['GOOGLE_SERVICE_ACCOUNT_KEY_PATH', { GOOGLE_SERVICE_ACCOUNT_KEY_PATH: '/nonexistent/key.json' }, /cannot read the key file \(ENOENT\)/],
  ['TEMPORAL_TLS_KEY_PATH', { TEMPORAL_TLS_CERT_PATH: '/x.pem' }, /mTLS needs both/],
  ['TEMPORAL_TLS', { TEMPORAL_TLS: 'maybe' }, /TEMPORAL_TLS: "maybe" is not true or false/],
  ['GOOGLE_CALLS_PER_SECOND', { GOOGLE_CALLS_PER_SECOND: '0' }, /must be a positive number/],
  ['RESEND_REQUESTS_PER_SECOND', { RESEND_REQUESTS_PER_SECOND: '0' }, /must be a positive number/],
  ['RESEND_REQUESTS_PER_SECOND', { RESEND_REQUESTS_PER_SECOND: 'fast' }, /must be a positive number/],
  ['MEETING_HEALTH_INTERVAL', { MEETING_HEALTH_INTERVAL: 'never' }, /MEETING_HEALTH_INTERVAL: "never" is not a duration/],
  ['MEETING_HEALTH_INTERVAL', { MEETING_HEALTH_INTERVAL: '500ms' }, /at least 1s \(or off\)/],
  ['MEETING_FAILURE_RATE_WINDOW', { MEETING_FAILURE_RATE_WINDOW: '0s' }, /longer than 0/],
  ['MEETING_FAILURE_RATE_ALERT', { MEETING_FAILURE_RATE_ALERT: '5%' }, /a fraction between 0 and 1/],
  ['MEETING_FAILURE_RATE_ALERT', { MEETING_FAILURE_RATE_ALERT: '1.5' }, /a fraction between 0 and 1/],
  ['MEETING_FAILURE_RATE_MIN_ATTEMPTS', { MEETING_FAILURE_RATE_MIN_ATTEMPTS: '2.5' }, /whole number of at least 1/],
  ['EMAIL_FROM', { EMAIL_FROM: undefined }, /EMAIL_FROM: is required/],
  ['EMAIL_FROM', { EMAIL_FROM: 'Sessions\r\nBcc: x <sessions@example.com>' }, /EMAIL_FROM: .* is not an email address/],
  ['ADMIN_ALERT_EMAIL', { ADMIN_ALERT_EMAIL: 'ops@localhost' }, /ADMIN_ALERT_EMAIL: "ops@localhost" is not an email address/],
  ['GOOGLE_IMPERSONATE_SUBJECT', { GOOGLE_IMPERSONATE_SUBJECT: 'teacher' }, /GOOGLE_IMPERSONATE_SUBJECT: "teacher" is not an email address/],
  ['GOOGLE_TOKEN_URL', { GOOGLE_TOKEN_URL: 'oauth2.googleapis.com/token' }, /GOOGLE_TOKEN_URL: .* is not an http\(s\) URL/],
  ['GOOGLE_SERVICE_ACCOUNT_KEY', { GOOGLE_CALENDAR_BASE_URL: undefined, GOOGLE_SERVICE_ACCOUNT_KEY: 'not json' }, /is not valid JSON/],
  ['RESEND_BASE_URL', { RESEND_BASE_URL: 'localhost:4020' }, /RESEND_BASE_URL: .* is not an http\(s\) URL/],
  ['SLACK_WEBHOOK_URL', { SLACK_WEBHOOK_URL: 'hooks.slack.com/services/x' }, /SLACK_WEBHOOK_URL: .* is not an http\(s\) URL/],
  ['EMAIL_OUTBOX_RETENTION', { EMAIL_OUTBOX_RETENTION: '12h' }, /EMAIL_OUTBOX_RETENTION: must be at least 1d/],
  ['EMAIL_OUTBOX_RETENTION', { EMAIL_OUTBOX_RETENTION: '30' }, /EMAIL_OUTBOX_RETENTION: "30" is not a duration/],
  ['MEETING_CONFERENCE_WAIT', { MEETING_CONFERENCE_WAIT: 'a minute' }, /MEETING_CONFERENCE_WAIT: /],
  ['TEMPORAL_REGISTER_SEARCH_ATTRIBUTES', { TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'sometimes' }, /is not true or false/],
  ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, /LOG_LEVEL: "verbose" is not one of trace, debug, info, warn, error, fatal, silent/],
  ['LOG_FORMAT', { LOG_FORMAT: 'xml' }, /LOG_FORMAT: "xml" is not one of json, pretty/],
  ['TEMPORAL_LOG_LEVEL', { TEMPORAL_LOG_LEVEL: 'fatal' }, /TEMPORAL_LOG_LEVEL: "fatal" is not one of trace, debug, info, warn, error/],
])('bad %s is named in the one error', (variable, override, message) => {
  const error = problemWith({ ...base, ...override });
  expect(error.variable).toBe(variable);
  expect(error.message).toMatch(message);
});

test('a malformed service-account key is refused without echoing any of it', () => {
  const secret = '-----BEGIN PRIVATE KEY-----abc';
  const error = problemWith({ ...base, GOOGLE_SERVICE_ACCOUNT_KEY: JSON.stringify({ private_key: secret }) });
  expect(error.variable).toBe('GOOGLE_SERVICE_ACCOUNT_KEY');
  expect(error.message).not.toContain(secret);
  expect(problemWith({ ...base, GOOGLE_SERVICE_ACCOUNT_KEY: `{${secret}` }).message).not.toContain(secret);
});

test('an inline service-account key is accepted; an API key turns TLS on', () => {
  const key = { client_email: 'svc@project.iam.gserviceaccount.com', private_key: 'k' };
  const config = loadWorkerConfig({ ...base, GOOGLE_SERVICE_ACCOUNT_KEY: JSON.stringify(key), TEMPORAL_API_KEY: 't' });
  expect(config.google.serviceAccountKey).toEqual(key);
  expect(config.temporal.connection).toEqual({ address: 'localhost:7233', apiKey: 't', tls: true });
});

test('the health monitor: every 5 minutes, 5 % over an hour with at least 20 creations, unless told otherwise', () => {
  expect(loadWorkerConfig(base).health).toEqual({ intervalMs: 300_000, failureRate: { windowMs: 3_600_000, alertRate: 0.05, minAttempts: 20 } });
  const custom = { MEETING_HEALTH_INTERVAL: '30s', MEETING_FAILURE_RATE_WINDOW: '15m', MEETING_FAILURE_RATE_ALERT: '0.2', MEETING_FAILURE_RATE_MIN_ATTEMPTS: '5' };
  expect(loadWorkerConfig({ ...base, ...custom }).health).toEqual({ intervalMs: 30_000, failureRate: { windowMs: 900_000, alertRate: 0.2, minAttempts: 5 } });
  expect(loadWorkerConfig({ ...base, MEETING_HEALTH_INTERVAL: 'off' }).health.intervalMs).toBeNull();
});

test('worker limits: a bounded sticky cache, task slots and heap growth by default, each from its variable', () => {
  expect(loadWorkerConfig(base).limits).toEqual({ maxCachedWorkflows: 50, maxConcurrentWorkflowTasks: 40, maxConcurrentActivities: 50, maxConcurrentLocalActivities: 50, heapGrowingPercent: 30 });
  const custom = {
    WORKER_MAX_CACHED_WORKFLOWS: '200',
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4',
    WORKER_MAX_CONCURRENT_ACTIVITIES: ' 20 ',
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '30',
    WORKER_HEAP_GROWING_PERCENT: '0',
  };
  expect(loadWorkerConfig({ ...base, ...custom }).limits).toEqual({ maxCachedWorkflows: 200, maxConcurrentWorkflowTasks: 4, maxConcurrentActivities: 20, maxConcurrentLocalActivities: 30, heapGrowingPercent: 0 });
  // A small cache given alone brings the workflow-task slots down with it.
  expect(loadWorkerConfig({ ...base, WORKER_MAX_CACHED_WORKFLOWS: '5' }).limits).toMatchObject({ maxCachedWorkflows: 5, maxConcurrentWorkflowTasks: 5 });
});

test.each([
  [{ WORKER_MAX_CACHED_WORKFLOWS: 'lots' }, 'WORKER_MAX_CACHED_WORKFLOWS: "lots" must be a whole number'],
  [{ WORKER_MAX_CACHED_WORKFLOWS: '1' }, 'WORKER_MAX_CACHED_WORKFLOWS: must be at least 2: the workflows run local activities, which Temporal drops or repeats without a cache'],
  [{ WORKER_MAX_CACHED_WORKFLOWS: '0' }, 'WORKER_MAX_CACHED_WORKFLOWS: must be at least 2: the workflows run local activities, which Temporal drops or repeats without a cache'],
  [{ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }, 'WORKER_MAX_CONCURRENT_ACTIVITIES: "0" must be at least 1'],
  [{ WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '-3' }, 'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: "-3" must be a whole number'],
  [{ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' }, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: "1" must be at least 2'],
  [{ WORKER_HEAP_GROWING_PERCENT: '25%' }, 'WORKER_HEAP_GROWING_PERCENT: "25%" must be a whole number'],
  [{ WORKER_HEAP_GROWING_PERCENT: '5000' }, 'WORKER_HEAP_GROWING_PERCENT: must be at most 1000'],
  [{ WORKER_MAX_CACHED_WORKFLOWS: '8', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '9' }, 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not exceed WORKER_MAX_CACHED_WORKFLOWS (8)'],
])('worker limits: %j is refused, naming the variable', (env, message) => {
  expect(problemWith({ ...base, ...env }).message).toBe(message);
});

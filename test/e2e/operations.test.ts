import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { SessionMeetings } from '../../src/client/session-meetings';
import { TEST_DATABASE_URL } from '../support/env';
import { useHarness } from '../support/harness';
import { spawnEntry } from '../support/processes';
import { families, metricNamesIn, parseSamples, sumOf, type Sample } from '../support/prometheus-text';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

// The worker as production runs it (`npm run worker`, a process of its own) with METRICS_ADDRESS and
// HEALTH_ADDRESS on ports the system chooses, its database reached through a proxy the test can cut.

const ROOT = path.resolve(__dirname, '../..');
const h = useHarness({ server: 'dev-server' });
let proxy: TcpProxy;
let worker: ReturnType<typeof spawnEntry>;
let metricsUrl: string;
let healthUrl: string;
let meetings: SessionMeetings;
let taskQueue: string;

beforeAll(async () => {
  const database = new URL(TEST_DATABASE_URL);
  proxy = await startTcpProxy(database.hostname, Number(database.port || 5432));
  database.host = `127.0.0.1:${proxy.port}`;
  taskQueue = `operations-${randomUUID()}`;
  worker = spawnEntry('src/worker/main.ts', [], {
    DATABASE_URL: database.toString(),
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    GOOGLE_CALENDAR_BASE_URL: h.google.url,
    RESEND_API_KEY: 're_operations_test',
    RESEND_BASE_URL: h.resend.url,
    EMAIL_FROM: 'sessions@example.com',
    ADMIN_ALERT_EMAIL: 'ops@example.com',
    METRICS_ADDRESS: '127.0.0.1:0',
    HEALTH_ADDRESS: '127.0.0.1:0',
  });
  const started = await waitFor(async () => worker.output(), (out) => out.includes('worker started'), 45_000);
  metricsUrl = /"metricsUrl":"([^"]+)"/.exec(started)?.[1] ?? '';
  healthUrl = /"healthUrl":"([^"]+)"/.exec(started)?.[1] ?? '';
  meetings = new SessionMeetings(h.env.client, taskQueue);
}, 60_000);

afterAll(async () => {
  worker?.child.kill('SIGTERM');
  await worker?.finished;
  await proxy?.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return { text, samples: parseSamples(text) };
}

/** Every PromQL expression of the alert rules and of the dashboard's panels. */
function opsExpressions(): string[] {
  const rules = yaml.load(readFileSync(path.join(ROOT, 'ops/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
  const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'ops/grafana/session-meetings.json'), 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  return [
    ...rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
  ];
}

test('after a booking, /metrics has every metric the alert rules and the dashboard use, and the counters moved by the booking', async () => {
  const before = (await scrape()).samples;
  const sessionId = await h.createSession();
  const requestsBefore = h.google.requests.length;
  // A conference Google is slow to make: the attempt's quick start gives it up, and the rest of the
  // wait runs as an activity on the Google queue, whose metrics the dashboard shows.
  h.google.configure({ pendingMs: { min: 3_500, max: 3_500 } });
  await meetings.startSessionMeeting(sessionId);
  await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }), (row) => row.meetingStatus === 'ACTIVE');
  h.google.configure({ pendingMs: { min: 0, max: 0 } });
  const emails = () => h.resend.emails().filter((email) => email.idempotencyKey?.includes(`/${sessionId}/`));
  await waitFor(async () => emails(), (sent) => sent.length === 2);
  // A workflow type this worker does not know fails its workflow tasks, as a bad deploy would: the
  // SDK's failure counter (which the alert rules watch) appears only once something fails.
  const unknown = await h.env.client.workflow.start('NoSuchWorkflow', { taskQueue, workflowId: `unknown-${randomUUID()}`, args: [] });
  // The confirmation emails are counted after Resend answers; wait for the counters, not a clock.
  const { text, samples } = await waitFor(
    scrape,
    ({ samples: now }) =>
      sumOf(now, 'session_meetings_emails_total') - sumOf(before, 'session_meetings_emails_total') >= 2 &&
      sumOf(now, 'temporal_workflow_task_execution_failed', { workflow_type: 'NoSuchWorkflow' }) >= 1,
  );
  await unknown.terminate('test done');

  const delta = (name: string, labels: Record<string, string> = {}) => sumOf(samples, name, labels) - sumOf(before, name, labels);
  expect(delta('session_meetings_creations_total', { outcome: 'active' })).toBe(1);
  expect(delta('session_meetings_creations_total', { outcome: 'failed' })).toBe(0);
  expect(delta('session_meetings_time_to_link_seconds_count')).toBe(1);
  expect(delta('session_meetings_time_to_link_seconds_bucket', { le: '+Inf' })).toBe(1);
  expect(delta('session_meetings_time_to_link_seconds_bucket', { le: '900' })).toBe(1); // buckets reach 15 min
  const googleCalls = h.google.requests.slice(requestsBefore);
  expect(googleCalls.length).toBeGreaterThanOrEqual(2); // the insert, then polls until the conference is ready
  expect(delta('session_meetings_google_requests_total')).toBe(googleCalls.length);
  expect(delta('session_meetings_google_requests_total', { method: 'insert', code: '200', reason: '' })).toBe(1);
  expect(delta('session_meetings_google_requests_total', { method: 'get', code: '200', reason: '' })).toBe(googleCalls.length - 1);
  expect(delta('session_meetings_emails_total', { kind: 'confirmation', outcome: 'sent' })).toBe(2);
  expect(delta('session_meetings_emails_total', { outcome: 'failed' })).toBe(0);
  expect(delta('session_meetings_admin_alerts_total')).toBe(0);

  // The gauges are read from the database (other test files write to it too: no exact count).
  expect(sumOf(samples, 'session_meetings_sessions', { meeting_status: 'ACTIVE' })).toBeGreaterThanOrEqual(1);
  expect(samples.filter((sample) => sample.name === 'session_meetings_sessions').map((sample) => sample.labels.meeting_status).sort()).toEqual(
    ['ACTIVE', 'CANCELLED', 'CREATING', 'FAILED', 'PENDING'],
  );
  expect(samples.some((sample) => sample.name === 'session_meetings_sessions_without_link_soon')).toBe(true);
  expect(sumOf(samples, 'session_meetings_email_outbox_oldest_waiting_seconds')).toBe(0); // this worker's queue: both went

  // The SDK's own metrics come through the same endpoint, and no family is declared twice.
  const declared = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
  expect(new Set(declared).size).toBe(declared.length);
  expect(declared.some((name) => name?.startsWith('temporal_'))).toBe(true);

  const present = families(text);
  const used = metricNamesIn(opsExpressions(), ['session_meetings_', 'temporal_']);
  expect(used.size).toBeGreaterThan(8);
  const missing = [...used].filter((name) => !present.has(name) && !present.has(name.replace(/_(bucket|count|sum)$/, '')));
  expect(missing).toEqual([]);
});

test('/healthz answers while the workers run; /readyz fails while PostgreSQL is unreachable and recovers after', async () => {
  const get = async (route: string) => {
    const response = await fetch(`${healthUrl}${route}`);
    return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
  };
  expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok', checks: { workers: 'ok' } } });
  expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ok', checks: { temporal: 'ok', database: 'ok' } } });

  await proxy.cut();
  const down = await get('/readyz');
  expect(down.status).toBe(503);
  expect(down.body.checks.temporal).toBe('ok');
  expect(down.body.checks.database).not.toBe('ok');
  expect((await get('/healthz')).status).toBe(200); // the process is fine: no restart for a database outage

  await proxy.restore();
  await waitFor(() => get('/readyz'), (ready) => ready.status === 200);
  expect((await fetch(`${healthUrl}/nothing`)).status).toBe(404);
});

import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Registry } from 'prom-client';
import { createPrismaClient } from '../../src/adapters/database';
import { createCalendarApi } from '../../src/adapters/google-calendar';
import { sharedRateBudget } from '../../src/adapters/rate-budget';
import { createResendClient } from '../../src/adapters/resend';
import { createCalendarActivities } from '../../src/activities/calendar';
import { createNotificationActivities, type AdminAlert } from '../../src/activities/notifications';
import { createSessionStoreActivities } from '../../src/activities/session-store';
import type { MeetingChange } from '../../src/domain/meeting-changes';
import { createProjectMetrics } from '../../src/metrics/registry';
import { startGoogleCalendarStandin, type GoogleCalendarStandin } from '../../src/standins/google-calendar';
import { startResendStandin, type ResendStandin } from '../../src/standins/resend';
import { TEST_DATABASE_URL } from '../support/env';
import { seedSession } from '../support/sessions';

// Where the counters move, with failures the end-to-end booking does not show: Google errors by code
// and reason, failed emails, alerts counted once across retries, failed creations; and the gauges
// read from PostgreSQL at a moment no other test writes sessions for.

const prisma = createPrismaClient(TEST_DATABASE_URL);
const NOW = new Date(Date.UTC(2090, 0, 1) + Math.floor(Math.random() * 365) * 86400_000);
const OUTBOX_QUEUE = `metrics-test-${randomUUID()}`;
let google: GoogleCalendarStandin;
let resend: ResendStandin;
let registry: Registry;
let activities: ReturnType<typeof createCalendarActivities> & ReturnType<typeof createNotificationActivities> & ReturnType<typeof createSessionStoreActivities>;

beforeAll(async () => {
  google = await startGoogleCalendarStandin();
  resend = await startResendStandin();
  const metrics = createProjectMetrics(prisma, OUTBOX_QUEUE, () => NOW);
  registry = metrics.registry;
  const deps = { prisma, metrics: metrics.recorder };
  activities = {
    ...createCalendarActivities({
      ...deps,
      calendar: createCalendarApi({ baseUrl: google.url, serviceAccountKey: undefined, impersonateSubject: undefined, tokenUrl: undefined }),
      calendarId: 'primary',
      googleBudget: sharedRateBudget(prisma, 'google-calendar/metrics-test', Infinity),
      conferencePollIntervalsMs: [20],
    }),
    ...createNotificationActivities({
      ...deps,
      resend: createResendClient({ apiKey: 're_test_key', baseUrl: resend.url }),
      resendBudget: sharedRateBudget(prisma, 'resend', Infinity),
      from: 'Sessions <sessions@example.com>',
      adminAlertEmail: 'ops@example.com',
      slackWebhookUrl: undefined,
    }),
    ...createSessionStoreActivities(deps),
  };
});
afterAll(async () => {
  await Promise.all([google.close(), resend.close(), prisma.$disconnect()]);
});

/** The sum of a series' samples whose labels include `labels` (`_bucket`/`_count` read from their histogram). */
async function value(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await (registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(bucket|count|sum)$/, '')))?.get();
  return (metric?.values ?? [])
    .filter((sample) => ((sample as { metricName?: string }).metricName ?? metric?.name) === name)
    .filter((sample) => Object.entries(labels).every(([key, wanted]) => String(sample.labels[key]) === wanted))
    .reduce((total, sample) => total + sample.value, 0);
}

function inActivity(sessionId: string, attempt = 1, activityId = '7') {
  return new MockActivityEnvironment(
    { activityId, attempt, workflowExecution: { workflowId: `session-meeting-${sessionId}`, runId: `run-${sessionId}` } },
    { logger: new DefaultLogger('ERROR') },
  );
}

test('every Google call is counted by method, status (or network) and reason', async () => {
  const sessionId = await seedSession(prisma);
  google.faults.add({ operation: 'insert', status: 403, reason: 'rateLimitExceeded', times: 1 });
  await expect(inActivity(sessionId).run(activities.createMeetingEvent, sessionId, 1, 1)).rejects.toThrow('403');
  expect(await value('session_meetings_google_requests_total', { method: 'insert', code: '403', reason: 'rateLimitExceeded' })).toBe(1);

  google.faults.add({ operation: 'insert', dropResponseAfterWrite: true, times: 1 });
  await expect(inActivity(sessionId).run(activities.createMeetingEvent, sessionId, 1, 2)).rejects.toThrow('no response');
  expect(await value('session_meetings_google_requests_total', { method: 'insert', code: 'network', reason: '' })).toBe(1);

  // The event exists now: the next insert gets 409 duplicate and reads it.
  await inActivity(sessionId).run(activities.createMeetingEvent, sessionId, 1, 3);
  expect(await value('session_meetings_google_requests_total', { method: 'insert', code: '409', reason: 'duplicate' })).toBe(1);
  expect(await value('session_meetings_google_requests_total', { method: 'get', code: '200', reason: '' })).toBeGreaterThanOrEqual(1);
});

test('an admin alert counts once over its retries; each email is counted sent or failed by kind', async () => {
  const sessionId = await seedSession(prisma);
  const alert: AdminAlert = { sessionId, kind: 'creation-failed', occurrence: 'x', summary: 'Google refuses the service account', error: null };
  resend.faults.add({ operation: 'send', status: 503, times: 1 });
  await expect(inActivity(sessionId, 1).run(activities.alertAdmin, alert)).rejects.toThrow('503');
  await inActivity(sessionId, 2).run(activities.alertAdmin, alert);
  expect(await value('session_meetings_admin_alerts_total', { kind: 'creation-failed' })).toBe(1);
  expect(await value('session_meetings_emails_total', { kind: 'admin-alert', outcome: 'failed' })).toBe(1);
  expect(await value('session_meetings_emails_total', { kind: 'admin-alert', outcome: 'sent' })).toBe(1);
});

test('creations are counted when they end; time to link runs from the generation\'s first attempt', async () => {
  const sessionId = await seedSession(prisma);
  let activityId = 0;
  const record = (change: MeetingChange) => inActivity(sessionId, 1, String(++activityId)).run(activities.recordMeetingChange, sessionId, change);
  await record({ kind: 'attemptStarted', generation: 1, attempt: 1 });
  await record({ kind: 'attemptFailed', generation: 1, attempt: 1, error: 'boom', retryInMs: 30_000 });
  expect(await value('session_meetings_creations_total')).toBe(0);
  await record({ kind: 'creationFailed', generation: 1, attempts: 4, error: 'boom', permanent: false });
  expect(await value('session_meetings_creations_total', { outcome: 'failed' })).toBe(1);
  expect(await value('session_meetings_time_to_link_seconds_count')).toBe(0);

  await record({ kind: 'attemptStarted', generation: 2, attempt: 1 });
  await record({ kind: 'attemptStarted', generation: 2, attempt: 2 });
  await record({ kind: 'meetingActive', generation: 2, attempt: 2, eventId: 'e', meetingUrl: 'https://meet.google.com/abc-defg-hij' });
  expect(await value('session_meetings_creations_total', { outcome: 'active' })).toBe(1);
  expect(await value('session_meetings_time_to_link_seconds_count')).toBe(1);
  expect(await value('session_meetings_time_to_link_seconds_bucket', { le: '60' })).toBe(1);
  await record({ kind: 'regenerationFailed', generation: 3, attempts: 4, error: 'boom' });
  expect(await value('session_meetings_creations_total', { outcome: 'failed' })).toBe(2);
});

test('the gauges read the database when collected: sessions by status, and confirmed ones starting within 2 h without a link', async () => {
  const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
  // Earlier runs left sessions after other random moments of 2090: count what this test adds.
  const byStatus = async () =>
    Object.fromEntries(await Promise.all(['ACTIVE', 'CANCELLED', 'PENDING'].map(async (status) => [status, await value('session_meetings_sessions', { meeting_status: status })])));
  const before = await byStatus();
  await seedSession(prisma, { startTime: at(60) }); // the one without a link
  const active = await seedSession(prisma, { startTime: at(30) });
  await prisma.session.update({ where: { id: active }, data: { meetingStatus: 'ACTIVE' } });
  const cancelled = await seedSession(prisma, { startTime: at(90) });
  await prisma.session.update({ where: { id: cancelled }, data: { bookingStatus: 'CANCELLED', meetingStatus: 'CANCELLED' } });
  await seedSession(prisma, { startTime: at(180) }); // beyond 2 h

  expect(await value('session_meetings_sessions_without_link_soon')).toBe(1);
  const after = await byStatus();
  expect({ ACTIVE: after.ACTIVE - before.ACTIVE, CANCELLED: after.CANCELLED - before.CANCELLED, PENDING: after.PENDING - before.PENDING }).toEqual({
    ACTIVE: 1,
    CANCELLED: 1,
    PENDING: 2,
  });
});

test('the outbox gauge reads the age of the oldest email still waiting for Resend; sent ones and those past their use do not count', async () => {
  const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
  expect(await value('session_meetings_email_outbox_oldest_waiting_seconds')).toBe(0);
  const email = (name: string, createdAt: Date, data: { status?: 'SENT' | 'SENDING'; sendBefore?: Date } = {}) =>
    prisma.emailOutbox.create({
      data: { queue: OUTBOX_QUEUE, sessionId: null, kind: 'admin-alert', occurrence: name, recipient: 'admin', key: `${OUTBOX_QUEUE}/${name}`, fromAddress: 'a@example.com', toAddress: 'b@example.com', subject: 's', text: 't', html: 'h', createdAt, ...data },
    });
  await email('sent', at(-60), { status: 'SENT' });
  await email('session-over', at(-30), { sendBefore: at(-1) });
  await email('queued', at(-10));
  await email('in-a-batch', at(-5), { status: 'SENDING' });
  expect(await value('session_meetings_email_outbox_oldest_waiting_seconds')).toBe(600);
});

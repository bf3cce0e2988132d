import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createPrismaClient } from '../../src/adapters/database';
import { sharedRateBudget } from '../../src/adapters/rate-budget';
import { createResendClient } from '../../src/adapters/resend';
import { createNotificationActivities, type AdminAlert } from '../../src/activities/notifications';
import { startResendStandin, type ResendStandin } from '../../src/standins/resend';
import { startSlackWebhookStandin, type SlackWebhookStandin } from '../../src/standins/slack';
import { TEST_DATABASE_URL } from '../support/env';
import { seedSession } from '../support/sessions';

// The admin alert activity against PostgreSQL and the Resend and Slack stand-ins. Running it twice in
// one activity context is what a Temporal retry of the same activity execution does.

const ADMIN = 'ops@example.com';
const prisma = createPrismaClient(TEST_DATABASE_URL);
let resend: ResendStandin;
let slack: SlackWebhookStandin;
let alertAdmin: (alert: AdminAlert) => Promise<void>;

beforeAll(async () => {
  resend = await startResendStandin();
  slack = await startSlackWebhookStandin();
  ({ alertAdmin } = createNotificationActivities({
    prisma,
    resend: createResendClient({ apiKey: 're_test_key', baseUrl: resend.url }),
    resendBudget: sharedRateBudget(prisma, 'resend', Infinity),
    from: 'Sessions <sessions@example.com>',
    adminAlertEmail: ADMIN,
    slackWebhookUrl: slack.webhookUrl,
  }));
});
afterAll(async () => {
  await Promise.all([resend.close(), slack.close(), prisma.$disconnect()]);
});
beforeEach(() => {
  resend.reset();
  slack.reset();
});

/** One activity execution of `alertAdmin`: each `attempt()` is one try of it. */
async function alertExecution(sessionId?: string, activityId = '12', summary = 'Meeting creation failed after 4 attempts', kind = 'creation-failed') {
  sessionId ??= await seedSession(prisma);
  const env = new MockActivityEnvironment(
    { activityId, taskQueue: 'unit-test-queue', workflowExecution: { workflowId: `session-meeting-${sessionId}`, runId: `run-of-${sessionId}` } },
    { logger: new DefaultLogger('ERROR') },
  );
  const alert: AdminAlert = { sessionId, kind, occurrence: 'g1', summary, error: 'Google Calendar answered 500' };
  const attempt = () => env.run(alertAdmin, alert).then(() => undefined, (error: unknown) => error as ApplicationFailure);
  const channelsAudited = async () =>
    (await prisma.meetingAuditEvent.findMany({ where: { sessionId, action: 'ADMIN_ALERTED' }, orderBy: { id: 'asc' } })).map((row) => (row.detail as { channel: string }).channel);
  return { sessionId, attempt, channelsAudited };
}

test('with Resend down the alert still reaches Slack; the retry emails it and does not post to Slack again', async () => {
  resend.faults.add({ operation: 'send', status: 503, times: 1 });
  const { sessionId, attempt, channelsAudited } = await alertExecution();

  const failure = await attempt();
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'AdminAlertError', nonRetryable: false });
  expect(failure?.message).toContain('Resend answered 503');
  expect(slack.messages()).toHaveLength(1);
  expect(slack.messages()[0]?.text).toBe(`Meeting creation failed after 4 attempts\nSession: ${sessionId}\nError: Google Calendar answered 500`);
  expect(await channelsAudited()).toEqual(['slack']);

  expect(await attempt()).toBeUndefined();
  expect(slack.messages()).toHaveLength(1);
  expect(resend.emails().map((email) => [email.to, email.subject])).toEqual([[[ADMIN], '[session-meetings] Meeting creation failed after 4 attempts']]);
  expect(await channelsAudited()).toEqual(['slack', 'email']);
});

test('a Slack outage does not hold back the email; the retry posts to Slack once and leaves Resend alone', async () => {
  slack.faults.add({ operation: 'post', status: 503, times: 1 });
  const { attempt, channelsAudited } = await alertExecution();

  expect(await attempt()).toMatchObject({ nonRetryable: false, message: expect.stringContaining('Slack webhook answered 503 service_unavailable') });
  expect(resend.emails()).toHaveLength(1);
  expect(await attempt()).toBeUndefined();
  expect(slack.messages()).toHaveLength(1);
  expect(resend.requests.filter((request) => request.operation === 'send')).toHaveLength(1);
  expect(await channelsAudited()).toEqual(['email', 'slack']);
});

test('a webhook Slack does not know (404) fails for good and says so; the email still goes', async () => {
  slack.faults.add({ operation: 'post', status: 404 });
  const { attempt, channelsAudited } = await alertExecution();

  const failure = await attempt();
  expect(failure).toMatchObject({ type: 'AdminAlertError', nonRetryable: true });
  expect(failure?.message).toContain('Slack webhook answered 404 no_service');
  expect(failure?.message).not.toContain(slack.webhookUrl);
  expect(resend.emails()).toHaveLength(1);
  expect(await channelsAudited()).toEqual(['email']);
});

test('two alerts of the same kind and occurrence with other words are both delivered, not taken for a repeat', async () => {
  const first = await alertExecution();
  const second = await alertExecution(first.sessionId, '31', 'Meeting creation failed with a permanent error');

  expect(await first.attempt()).toBeUndefined();
  expect(await second.attempt()).toBeUndefined();
  expect(resend.emails().map((email) => email.subject)).toEqual([
    '[session-meetings] Meeting creation failed after 4 attempts',
    '[session-meetings] Meeting creation failed with a permanent error',
  ]);
  expect(slack.messages()).toHaveLength(2);
  expect(await first.channelsAudited()).toEqual(['email', 'slack', 'email', 'slack']);
});

test('a credentials alert goes out once for an outage: the first execution claims it (its retry too), the others are audited as shared', async () => {
  await prisma.adminAlertClaim.deleteMany({ where: { key: { startsWith: 'credentials/unit-test-queue/' } } });
  const summary = 'Google refuses the service account';
  const first = await alertExecution(undefined, '12', summary, 'credentials');
  const second = await alertExecution(undefined, '12', summary, 'credentials');
  resend.faults.add({ operation: 'send', status: 503, times: 1 });

  expect(await first.attempt()).toMatchObject({ type: 'AdminAlertError', nonRetryable: false });
  expect(await second.attempt()).toBeUndefined(); // lost the claim: nothing to send
  expect(await first.attempt()).toBeUndefined(); // the winner's retry still sends
  expect(resend.emails().map((email) => email.subject)).toEqual([`[session-meetings] ${summary}`]);
  expect(slack.messages()).toHaveLength(1);
  const shared = await prisma.meetingAuditEvent.findMany({ where: { sessionId: second.sessionId } });
  expect(shared.map((row) => [row.action, (row.detail as { kind?: string }).kind])).toEqual([['ADMIN_ALERT_SHARED', 'credentials']]);
});

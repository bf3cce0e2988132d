import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createPrismaClient } from '../../src/adapters/database';
import { sharedRateBudget } from '../../src/adapters/rate-budget';
import { createResendClient } from '../../src/adapters/resend';
import { createNotificationActivities } from '../../src/activities/notifications';
import { startResendStandin, type ResendStandin } from '../../src/standins/resend';
import { startSlackWebhookStandin, type SlackWebhookStandin } from '../../src/standins/slack';
import { TEST_DATABASE_URL } from '../support/env';
import { seedSession } from '../support/sessions';

// Resend and a Slack webhook that take the request and never answer: the activity fails with a
// timeout (retryable, so Temporal tries again) instead of hanging until its own timeout, or forever.
// (The email outbox's own hanging batch: test/activities/email-outbox.test.ts.)

const TIMEOUT_MS = 300;
const prisma = createPrismaClient(TEST_DATABASE_URL);
let resend: ResendStandin;
let slack: SlackWebhookStandin;
let activities: ReturnType<typeof createNotificationActivities>;

beforeAll(async () => {
  resend = await startResendStandin();
  slack = await startSlackWebhookStandin();
  activities = createNotificationActivities({
    prisma,
    resend: createResendClient({ apiKey: 're_test_key', baseUrl: resend.url }),
    resendBudget: sharedRateBudget(prisma, 'resend', Infinity),
    from: 'Sessions <sessions@example.com>',
    adminAlertEmail: 'ops@example.com',
    slackWebhookUrl: slack.webhookUrl,
    deliveryTimeoutMs: TIMEOUT_MS,
  });
});
afterAll(async () => {
  await Promise.all([resend.close(), slack.close(), prisma.$disconnect()]);
});

function execution(sessionId: string) {
  const env = new MockActivityEnvironment(
    { activityId: '7', workflowExecution: { workflowId: `session-meeting-${sessionId}`, runId: `run-of-${sessionId}` } },
    { logger: new DefaultLogger('ERROR') },
  );
  return <A extends unknown[]>(activity: (...args: A) => Promise<void>, ...args: A) => env.run(activity, ...args).then(() => undefined, (error: unknown) => error as ApplicationFailure);
}

test('a hanging Resend fails the alert with a timeout, retryable; Slack still got it, the retry emails it', async () => {
  const sessionId = await seedSession(prisma);
  const run = execution(sessionId);
  resend.faults.add({ operation: 'send', hang: true, times: 1 });
  const alert = { sessionId, kind: 'creation-failed', occurrence: 'g1', summary: 'Meeting creation failed after 4 attempts', error: null };

  const failure = await run(activities.alertAdmin, alert);
  expect(failure).toMatchObject({ type: 'AdminAlertError', nonRetryable: false, message: `admin alert not delivered on every channel: admin alert: Resend gave no answer within ${TIMEOUT_MS} ms` });
  expect(resend.requests.map((r) => r.status)).toEqual(['hung']);
  const postsAbout = () => slack.messages().filter((message) => message.text.includes(sessionId));
  expect(postsAbout()).toHaveLength(1);

  expect(await run(activities.alertAdmin, alert)).toBeUndefined();
  expect(resend.emails()).toHaveLength(1);
  expect(postsAbout()).toHaveLength(1);
});

test('a hanging Slack webhook fails the alert with a timeout, retryable; the email went, the retry posts', async () => {
  const sessionId = await seedSession(prisma);
  const run = execution(sessionId);
  slack.faults.add({ operation: 'post', hang: true, times: 1 });
  const alert = { sessionId, kind: 'creation-failed', occurrence: 'g1', summary: 'Meeting creation failed after 4 attempts', error: null };

  const failure = await run(activities.alertAdmin, alert);
  expect(failure).toMatchObject({ type: 'AdminAlertError', nonRetryable: false, message: `admin alert not delivered on every channel: Slack webhook: no answer within ${TIMEOUT_MS} ms` });
  expect(await run(activities.alertAdmin, alert)).toBeUndefined();
  expect(slack.messages().filter((message) => message.text.includes(sessionId))).toHaveLength(1);
});

import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { Prisma } from '@prisma/client';
import { randomUUID } from 'node:crypto';
import { sharedRateBudget, type RateBudget } from '../../src/adapters/rate-budget';
import { createPrismaClient } from '../../src/adapters/database';
import { createResendClient } from '../../src/adapters/resend';
import { createNotificationActivities } from '../../src/activities/notifications';
import { createSessionStoreActivities } from '../../src/activities/session-store';
import { batchPayload } from '../../src/domain/email-batches';
import { createDrainStep, startEmailDrainer, type DrainStep } from '../../src/email-outbox/drainer';
import { claimNewBatch, enqueueEmails, pruneOutbox, voidOverdueEmails } from '../../src/email-outbox/outbox';
import { createLogger } from '../../src/logging';
import { startResendStandin, type ResendStandin } from '../../src/standins/resend';
import { startSlackWebhookStandin, type SlackWebhookStandin } from '../../src/standins/slack';
import { TEST_DATABASE_URL } from '../support/env';
import { seedSession } from '../support/sessions';

// The email outbox against PostgreSQL and the Resend stand-in: the enqueue activity, and the drainer
// driven one request at a time. Each test has its own queue (task queue), so its drains see only its
// own emails.

const prisma = createPrismaClient(TEST_DATABASE_URL);
const logger = createLogger('email-outbox');
logger.level = 'silent';
const unlimited = sharedRateBudget(prisma, 'resend-unlimited', Infinity);
let resend: ResendStandin;
let slack: SlackWebhookStandin;
let queue: string;

beforeAll(async () => {
  [resend, slack] = await Promise.all([startResendStandin(), startSlackWebhookStandin()]);
});
afterAll(async () => {
  await Promise.all([resend.close(), slack.close(), prisma.$disconnect()]);
});
beforeEach(() => {
  resend.reset();
  slack.reset();
  queue = `outbox-test-${randomUUID()}`;
});

function activities(budget: RateBudget = unlimited) {
  const deps = { prisma, resend: createResendClient({ apiKey: 're_test_key', baseUrl: resend.url }), resendBudget: budget, from: 'Sessions <sessions@example.com>', adminAlertEmail: 'ops@example.com', slackWebhookUrl: undefined };
  return { ...createNotificationActivities(deps), ...createSessionStoreActivities(deps) };
}

function drainerDeps(options: { budget?: RateBudget; sendTimeoutMs?: number; slackWebhookUrl?: string } = {}) {
  return {
    prisma,
    queue,
    resend: createResendClient({ apiKey: 're_test_key', baseUrl: resend.url }),
    budget: options.budget ?? unlimited,
    from: 'Sessions <sessions@example.com>',
    adminAlertEmail: 'ops@example.com',
    slackWebhookUrl: options.slackWebhookUrl,
    logger,
    ...(options.sendTimeoutMs ? { sendTimeoutMs: options.sendTimeoutMs } : {}),
  };
}

const drainer = (options: Parameters<typeof drainerDeps>[0] = {}) => createDrainStep(drainerDeps(options));

/** Runs drain steps until the outbox is idle; the steps taken. */
async function drainAll(step: () => Promise<DrainStep>): Promise<DrainStep[]> {
  const steps: DrainStep[] = [];
  for (let i = 0; i < 50; i += 1) {
    const taken = await step();
    if (taken === 'idle') return steps;
    steps.push(taken);
  }
  throw new Error(`the outbox did not drain: ${steps.join(', ')}`);
}

function inActivity(sessionId: string, activityId = '7') {
  return new MockActivityEnvironment(
    { activityId, taskQueue: queue, workflowExecution: { workflowId: `session-meeting-${sessionId}`, runId: `run-of-${sessionId}` } },
    { logger: new DefaultLogger('ERROR') },
  );
}

async function activeSession(): Promise<string> {
  const sessionId = await seedSession(prisma);
  await prisma.session.update({ where: { id: sessionId }, data: { meetingUrl: 'https://meet.google.com/abc-defg-hij', meetingStatus: 'ACTIVE' } });
  return sessionId;
}

const enqueue = (sessionId: string, kind: 'confirmation' | 'reminder-24h' | 'cancelled', occurrence: string, activityId?: string) =>
  inActivity(sessionId, activityId).run(activities().sendMeetingEmails, sessionId, kind, occurrence, 'https://meet.google.com/abc-defg-hij');

/** The session's email audit rows in order: action, and the recipient or the alert's channel. */
async function emailAudits(sessionId: string): Promise<Array<[string, string | undefined]>> {
  const rows = await prisma.meetingAuditEvent.findMany({ where: { sessionId, action: { in: ['EMAIL_FAILED', 'EMAIL_SENT', 'EMAIL_SKIPPED', 'ADMIN_ALERTED'] } }, orderBy: { id: 'asc' } });
  return rows.map((row) => {
    const detail = row.detail as { recipient?: string; channel?: string };
    return [row.action, detail.recipient ?? detail.channel];
  });
}

const expireLeases = () => prisma.emailBatch.updateMany({ where: { queue, sentAt: null, failedAt: null }, data: { leaseUntil: new Date(0) } });
const sentOf = (sessionId: string) => resend.emails().filter((email) => email.idempotencyKey?.includes(`/${sessionId}/`));

test('the enqueue writes one row per email and sends nothing; run twice, it queues nothing twice', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  await enqueue(sessionId, 'confirmation', 'g1', '8');

  const rows = await prisma.emailOutbox.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(rows.map((row) => [row.recipient, row.status, row.key, row.queue])).toEqual([
    ['teacher', 'QUEUED', `session-meetings/${sessionId}/confirmation/g1/teacher`, queue],
    ['student', 'QUEUED', `session-meetings/${sessionId}/confirmation/g1/student`, queue],
  ]);
  expect(rows[0]?.text).toContain('https://meet.google.com/abc-defg-hij');
  expect(resend.requests).toHaveLength(0);

  expect(await drainAll(drainer())).toEqual(['sent']);
  await enqueue(sessionId, 'confirmation', 'g1', '9'); // an enqueue repeated after the send
  expect(await drainAll(drainer())).toEqual([]);
  expect(sentOf(sessionId).map((email) => email.idempotencyKey)).toEqual([
    `session-meetings/${sessionId}/confirmation/g1/teacher`,
    `session-meetings/${sessionId}/confirmation/g1/student`,
  ]);
});

test('emails that fall due together go out in one batch request, each audited EMAIL_SENT with its Resend id', async () => {
  const sessions = await Promise.all(Array.from({ length: 30 }, () => activeSession()));
  for (const sessionId of sessions) await enqueue(sessionId, 'reminder-24h', 's1');

  expect(await drainAll(drainer())).toEqual(['sent']);
  const batchRequests = resend.requests.filter((request) => request.operation === 'batch');
  expect(batchRequests).toHaveLength(1);
  expect(batchRequests[0]?.body).toHaveLength(60);
  const emails = resend.emails();
  expect(new Set(emails.map((email) => email.batchIdempotencyKey)).size).toBe(1);

  const [first] = sessions;
  const audits = await prisma.meetingAuditEvent.findMany({ where: { sessionId: first, action: 'EMAIL_SENT' }, orderBy: { id: 'asc' } });
  const teacherEmail = emails.find((email) => email.idempotencyKey === `session-meetings/${first}/reminder-24h/s1/teacher`);
  expect(audits.map((row) => row.detail)).toEqual([
    { kind: 'reminder-24h', occurrence: 's1', recipient: 'teacher', emailId: teacherEmail?.id },
    { kind: 'reminder-24h', occurrence: 's1', recipient: 'student', emailId: expect.any(String) },
  ]);
  expect(await prisma.emailOutbox.count({ where: { queue, status: 'SENT' } })).toBe(60);
});

test('a crash between the send and the mark: the batch is sent again with the same key and contents, and nobody gets a second email', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  // A worker made the batch and sent it, then died before recording Resend's answer.
  const batch = await claimNewBatch(prisma, queue, 30_000);
  if (!batch) throw new Error('no batch');
  const first = await createResendClient({ apiKey: 're_test_key', baseUrl: resend.url }).batch.send(batchPayload(batch.emails), { idempotencyKey: batch.idempotencyKey });
  expect(first.error).toBeNull();

  expect(await drainAll(drainer())).toEqual([]); // its lease still holds
  await expireLeases();
  expect(await drainAll(drainer())).toEqual(['sent']);

  expect(resend.requests.filter((request) => request.operation === 'batch').map((request) => request.headers['idempotency-key'])).toEqual([batch.idempotencyKey, batch.idempotencyKey]);
  expect(sentOf(sessionId)).toHaveLength(2);
  const rows = await prisma.emailOutbox.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(rows.map((row) => row.resendId)).toEqual(first.data?.data.map((email) => email.id));
  expect(await prisma.meetingAuditEvent.count({ where: { sessionId, action: 'EMAIL_SENT' } })).toBe(2);
});

test('a cancel voids the session\'s queued emails in its own transaction; the cancellation email still goes', async () => {
  const sessionId = await activeSession();
  const other = await activeSession();
  await enqueue(sessionId, 'reminder-24h', 's1');
  await enqueue(other, 'reminder-24h', 's1');
  await inActivity(sessionId, '20').run(activities().recordMeetingChange, sessionId, { kind: 'cancelled' as const, actor: 'ops', reason: null });
  await enqueue(sessionId, 'cancelled', 'once', '21');

  await drainAll(drainer());
  const statuses = await prisma.emailOutbox.findMany({ where: { sessionId }, orderBy: { id: 'asc' }, select: { kind: true, status: true } });
  expect(statuses).toEqual([
    { kind: 'reminder-24h', status: 'VOIDED' },
    { kind: 'reminder-24h', status: 'VOIDED' },
    { kind: 'cancelled', status: 'SENT' },
    { kind: 'cancelled', status: 'SENT' },
  ]);
  expect(sentOf(sessionId).map((email) => email.subject)).toEqual([expect.stringMatching(/^Cancelled/), expect.stringMatching(/^Cancelled/)]);
  expect(sentOf(other)).toHaveLength(2);
});

test('a 429 or a 500 postpones the batch, sent again as it is later', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  resend.faults.add({ operation: 'batch', status: 429, times: 1 });
  resend.faults.add({ operation: 'batch', status: 500, times: 1 });
  const step = drainer();

  expect(await drainAll(step)).toEqual(['postponed']);
  const batch = await prisma.emailBatch.findFirstOrThrow({ where: { queue } });
  expect(batch).toMatchObject({ sentAt: null, attempts: 1, lastError: expect.stringContaining('429 rate_limit_exceeded') });
  await expireLeases();
  expect(await drainAll(step)).toEqual(['postponed']);
  await expireLeases();
  expect(await drainAll(step)).toEqual(['sent']);

  expect(new Set(resend.requests.map((request) => request.headers['idempotency-key']))).toEqual(new Set([batch.idempotencyKey]));
  expect(sentOf(sessionId)).toHaveLength(2);
  expect(await prisma.emailBatch.findUniqueOrThrow({ where: { id: batch.id } })).toMatchObject({ attempts: 3, sentAt: expect.any(Date) });
});

test('a batch still in flight at Resend (409 concurrent) is waited for: its answer is taken, nothing sent twice', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  resend.faults.add({ operation: 'batch', delayMs: 1_500, times: 1 });
  const step = drainer({ sendTimeoutMs: 200 });

  expect(await step()).toBe('postponed'); // no answer in time; Resend is still on it
  await expireLeases();
  expect(await step()).toBe('postponed'); // 409 concurrent_idempotent_requests
  expect(resend.requests.map((request) => request.status)).toEqual([200, 409]);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // the first request finishes
  await expireLeases();
  expect(await drainAll(step)).toEqual(['sent']);
  expect(sentOf(sessionId)).toHaveLength(2);
  expect(await prisma.emailOutbox.count({ where: { sessionId, status: 'SENT' } })).toBe(2);
});

test('a refused batch (422) is taken apart: each email goes alone, one refused again fails for good and the admins are told', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  resend.faults.add({ operation: 'batch', status: 422, times: 2 });

  expect(await drainAll(drainer())).toEqual(['refused', 'refused', 'sent', 'sent']);
  const rows = await prisma.emailOutbox.findMany({ where: { queue }, orderBy: { id: 'asc' } });
  expect(rows.map((row) => [row.recipient, row.status, row.alone])).toEqual([
    ['teacher', 'FAILED', true],
    ['student', 'SENT', true],
    ['admin', 'SENT', false],
  ]);
  expect(sentOf(sessionId)).toHaveLength(1);
  const alert = resend.emails().find((email) => email.to.includes('ops@example.com'));
  expect(alert?.subject).toBe('[session-meetings] The confirmation email to the teacher could not be sent: Resend refused it');
  expect(alert?.text).toContain(`Session: ${sessionId}`);
  expect(await emailAudits(sessionId)).toEqual([
    ['EMAIL_FAILED', 'teacher'],
    ['EMAIL_SENT', 'student'],
    ['ADMIN_ALERTED', 'email'],
  ]);
});

test('when Resend refuses everything, the admin alerts about it are refused too, and reach Slack', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  resend.faults.add({ operation: 'batch', status: 422 }); // every request, e.g. an unverified sending domain

  // The pair, then each alone; then the two alerts about them, together, then each alone.
  expect(await drainAll(drainer({ slackWebhookUrl: slack.webhookUrl }))).toEqual(Array(6).fill('refused'));
  const rows = await prisma.emailOutbox.findMany({ where: { queue }, orderBy: { id: 'asc' } });
  expect(rows.map((row) => [row.recipient, row.status])).toEqual([
    ['teacher', 'FAILED'],
    ['student', 'FAILED'],
    ['admin', 'FAILED'],
    ['admin', 'FAILED'],
  ]);
  expect(slack.messages().map((message) => message.text)).toEqual([
    `The confirmation email to the teacher could not be sent: Resend refused it\nSession: ${sessionId}`,
    `The confirmation email to the student could not be sent: Resend refused it\nSession: ${sessionId}`,
  ]);
  expect(await prisma.meetingAuditEvent.count({ where: { sessionId, action: 'ADMIN_ALERTED', detail: { path: ['channel'], equals: 'slack' } } })).toBe(2);
});

const HOUR_MS = 3_600_000;
/** A day passes for the outbox's unfinished batches (leases run out) and for Resend's memory of keys. */
async function aDayLater(): Promise<void> {
  await prisma.$executeRaw`UPDATE "EmailBatch" SET "createdAt" = "createdAt" - interval '24 hours', "maybeSentAt" = "maybeSentAt" - interval '24 hours', "leaseUntil" = 'epoch' WHERE "queue" = ${queue} AND "sentAt" IS NULL`;
  resend.ageIdempotencyKeys(24 * HOUR_MS);
}

test('a batch that may have reached Resend over 23 h ago is not sent again under its forgotten key: its emails fail, audited, and the admins are told once', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  resend.faults.add({ operation: 'batch', dropResponseAfterWrite: true }); // Resend takes every batch; no answer comes back
  const step = drainer({ slackWebhookUrl: slack.webhookUrl });

  expect(await step()).toBe('postponed');
  expect(sentOf(sessionId)).toHaveLength(2); // they did go out
  const batch = await prisma.emailBatch.findFirstOrThrow({ where: { queue } });
  expect(batch.maybeSentAt).toEqual(expect.any(Date));
  await aDayLater(); // say Resend was unreachable all day; now its answers come back again
  resend.faults.clear();

  expect(await drainAll(step)).toEqual(['expired', 'sent']);
  expect(sentOf(sessionId)).toHaveLength(2); // sent again, Resend would have sent both a second time
  const rows = await prisma.emailOutbox.findMany({ where: { queue }, orderBy: { id: 'asc' } });
  expect(rows.map((row) => [row.recipient, row.status])).toEqual([
    ['teacher', 'FAILED'],
    ['student', 'FAILED'],
    ['admin', 'SENT'],
  ]);
  expect(rows[0]?.error).toBe("not sent again: a try may have reached Resend 24 h ago, and Resend keeps the batch's idempotency key 24 h, so another try could send it twice");
  const alert = resend.emails().find((email) => email.to.includes('ops@example.com'));
  expect(alert?.subject).toBe('[session-meetings] 2 emails may not have reached their recipients: Resend never answered for certain, and they cannot be sent again safely');
  expect(alert?.text).toContain(`- the confirmation email to the teacher of session ${sessionId}`);
  expect(slack.messages().map((message) => message.text)).toEqual([alert?.text]);
  expect(await emailAudits(sessionId)).toEqual([
    ['EMAIL_FAILED', 'teacher'],
    ['EMAIL_FAILED', 'student'],
    ['ADMIN_ALERTED', 'slack'],
    ['ADMIN_ALERTED', 'email'],
  ]);
});

test('a batch Resend only declined (429, a wrong key) is sent a day later all the same: its key was never taken', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  resend.faults.add({ operation: 'batch', status: 429, times: 1 });
  resend.faults.add({ operation: 'batch', status: 401, times: 1 });
  const step = drainer();

  expect(await step()).toBe('postponed');
  await expireLeases();
  expect(await step()).toBe('postponed');
  expect(await prisma.emailBatch.findFirstOrThrow({ where: { queue } })).toMatchObject({ attempts: 2, maybeSentAt: null });
  await aDayLater();

  expect(await drainAll(step)).toEqual(['sent']);
  expect(sentOf(sessionId)).toHaveLength(2);
});

test('emails still queued when their session is over are passed by and voided, not sent late; a cancellation still goes', async () => {
  const sessionId = await activeSession();
  const other = await activeSession();
  await enqueue(sessionId, 'reminder-24h', 's1');
  await enqueue(sessionId, 'cancelled', 'once', '21');
  await enqueue(other, 'reminder-24h', 's1', '22');
  const { endTime } = await prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  const rows = await prisma.emailOutbox.findMany({ where: { sessionId }, orderBy: { id: 'asc' }, select: { kind: true, sendBefore: true } });
  expect(rows).toEqual([
    { kind: 'reminder-24h', sendBefore: endTime },
    { kind: 'reminder-24h', sendBefore: endTime },
    { kind: 'cancelled', sendBefore: null },
    { kind: 'cancelled', sendBefore: null },
  ]);
  // Resend was down until the session was over.
  await prisma.emailOutbox.updateMany({ where: { sessionId, kind: 'reminder-24h' }, data: { sendBefore: new Date(Date.now() - 60_000) } });

  expect(await drainAll(drainer())).toEqual(['sent']);
  expect(sentOf(sessionId).map((email) => email.subject)).toEqual([expect.stringMatching(/^Cancelled/), expect.stringMatching(/^Cancelled/)]);
  expect(sentOf(other)).toHaveLength(2);
  expect(await voidOverdueEmails(prisma, queue)).toBe(2);
  expect(await voidOverdueEmails(prisma, queue)).toBe(0);
  const statuses = await prisma.emailOutbox.findMany({ where: { sessionId }, orderBy: { id: 'asc' }, select: { status: true, error: true } });
  expect(statuses.map((row) => row.status)).toEqual(['VOIDED', 'VOIDED', 'SENT', 'SENT']);
  expect(statuses[0]?.error).toBe('not sent: the session was over before Resend could take it');
  expect((await emailAudits(sessionId)).sort()).toEqual([
    ['EMAIL_SENT', 'student'],
    ['EMAIL_SENT', 'teacher'],
    ['EMAIL_SKIPPED', 'student'],
    ['EMAIL_SKIPPED', 'teacher'],
  ]);
});

test('finished emails past their retention are deleted with their batches; queued ones, newer ones and the audit rows stay', async () => {
  const old = await activeSession();
  const recent = await activeSession();
  const waiting = await activeSession();
  await enqueue(old, 'confirmation', 'g1');
  await enqueue(recent, 'confirmation', 'g1');
  expect(await drainAll(drainer())).toEqual(['sent']);
  await enqueue(old, 'reminder-24h', 's1', '21');
  await inActivity(old, '20').run(activities().recordMeetingChange, old, { kind: 'cancelled' as const, actor: 'ops', reason: null }); // voids it
  await enqueue(waiting, 'reminder-24h', 's1');
  const monthAgo = Prisma.sql`now() - interval '31 days'`;
  await prisma.$executeRaw`UPDATE "EmailOutbox" SET "updatedAt" = ${monthAgo} WHERE "sessionId" IN (${old}, ${waiting})`;
  await prisma.$executeRaw`UPDATE "EmailBatch" SET "sentAt" = ${monthAgo} WHERE "queue" = ${queue}`;
  const [batch] = await prisma.emailBatch.findMany({ where: { queue } });

  expect(await pruneOutbox(prisma, queue, 30 * 86_400_000)).toBe(4); // old's two sent, two voided
  const left = await prisma.emailOutbox.findMany({ where: { queue }, orderBy: { id: 'asc' }, select: { sessionId: true, status: true } });
  expect(left).toEqual([
    { sessionId: recent, status: 'SENT' },
    { sessionId: recent, status: 'SENT' },
    { sessionId: waiting, status: 'QUEUED' },
    { sessionId: waiting, status: 'QUEUED' },
  ]);
  // The batch still carries recent's emails; it goes once they do.
  expect(await prisma.emailBatch.count({ where: { id: batch?.id } })).toBe(1);
  expect(await prisma.meetingAuditEvent.count({ where: { sessionId: old, action: 'EMAIL_SENT' } })).toBe(2);
  expect(await pruneOutbox(prisma, queue, 30 * 86_400_000)).toBe(0);
  await prisma.$executeRaw`UPDATE "EmailOutbox" SET "updatedAt" = ${monthAgo} WHERE "sessionId" = ${recent}`;
  expect(await pruneOutbox(prisma, queue, 30 * 86_400_000)).toBe(2);
  expect(await prisma.emailBatch.count({ where: { queue } })).toBe(0);
});

test('a running drainer prunes as it starts', async () => {
  const sessionId = await activeSession();
  await enqueue(sessionId, 'confirmation', 'g1');
  expect(await drainAll(drainer())).toEqual(['sent']);
  await prisma.$executeRaw`UPDATE "EmailOutbox" SET "updatedAt" = now() - interval '2 days' WHERE "queue" = ${queue}`;
  const running = startEmailDrainer({ ...drainerDeps(), retentionMs: 86_400_000 });
  try {
    for (let i = 0; i < 50 && (await prisma.emailOutbox.count({ where: { queue } })) > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await prisma.emailOutbox.count({ where: { queue } })).toBe(0);
  } finally {
    await running.stop();
  }
});

test('the shared budget keeps requests under Resend\'s rate: no 429 where the same requests without it get some', async () => {
  resend.setRequestsPerSecond(2);
  const sessionId = await activeSession();
  const lone = async (occurrence: string) => {
    await enqueue(sessionId, 'reminder-24h', occurrence, occurrence);
    await prisma.emailOutbox.updateMany({ where: { queue }, data: { alone: true } });
  };
  for (const occurrence of ['s1', 's2', 's3']) await lone(occurrence); // six requests' worth

  expect(await drainAll(drainer({ budget: sharedRateBudget(prisma, `resend-${queue}`, 2) }))).toEqual(Array(6).fill('sent'));
  expect(resend.rateLimited()).toBe(0);

  for (const occurrence of ['s4', 's5', 's6']) await lone(occurrence);
  const unbudgeted = await drainAll(drainer());
  expect(unbudgeted).toContain('postponed');
  expect(resend.rateLimited()).toBeGreaterThan(0);
});

test('the top of the hour: 1,000 sessions\' 2,000 "starting soon" emails go out in 20 requests within Resend\'s 2/s, none refused', async () => {
  resend.setRequestsPerSecond(2);
  const emails = Array.from({ length: 2_000 }, (_, i) => ({
    queue,
    sessionId: null, // no Session rows: the audit's foreign key allows none
    kind: 'starting-soon',
    occurrence: 's1',
    recipient: i % 2 ? 'student' : 'teacher',
    key: `session-meetings/top-of-hour-${queue}-${i >> 1}/starting-soon/s1/${i % 2 ? 'student' : 'teacher'}`,
    from: 'Sessions <sessions@example.com>',
    to: `person-${i}@example.com`,
    subject: 'Starting soon: "Algebra"',
    text: 'Your session starts in 10 minutes.',
    html: '<p>Your session starts in 10 minutes.</p>',
  }));
  await enqueueEmails(prisma, emails);
  const startedAt = Date.now();
  const steps = await drainAll(drainer({ budget: sharedRateBudget(prisma, `resend-${queue}`, 2) }));
  console.log(`2,000 emails: ${steps.length} batch requests in ${Date.now() - startedAt} ms, ${resend.rateLimited()} answered 429`);

  expect(steps).toEqual(Array(20).fill('sent'));
  expect(resend.emails()).toHaveLength(2_000);
  expect(resend.rateLimited()).toBe(0);
  expect(await prisma.emailOutbox.count({ where: { queue, status: 'SENT', resendId: { not: null } } })).toBe(2_000);
}, 180_000);

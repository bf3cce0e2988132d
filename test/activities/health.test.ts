import { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createPrismaClient } from '../../src/adapters/database';
import { createHealthActivities } from '../../src/activities/health';
import { SessionMeetings } from '../../src/client/session-meetings';
import { TEST_DATABASE_URL } from '../support/env';
import { seedSession } from '../support/sessions';

// The failure-rate check against PostgreSQL, at an hour of its own long ago (no other test's
// creations fall into its window). Running it twice in one activity context is a Temporal retry.

const prisma = createPrismaClient(TEST_DATABASE_URL);
const HOUR = 3_600_000;
// Each second of the clock its own hour between 1990 and 2012 (they repeat after 55 hours).
const now = new Date(Date.UTC(1990, 0, 1) + (Math.floor(Date.now() / 1000) % 200_000) * HOUR);
// Only the failure-rate check runs here: the Temporal client is never used (it connects lazily).
const { checkFailureRate } = createHealthActivities({ prisma, meetings: new SessionMeetings(new Client()), now: () => now });
const policy = { windowMs: HOUR, alertRate: 0.05, minAttempts: 20 };

afterAll(() => prisma.$disconnect());

function execution(activityId: string) {
  return new MockActivityEnvironment(
    { activityId, workflowExecution: { workflowId: 'session-meetings-health-test', runId: `run-${randomUUID()}` } },
    { logger: new DefaultLogger('ERROR') },
  );
}

test('a retry after a lost answer gets the claim it made; another run does not alert again', async () => {
  await prisma.adminAlertClaim.deleteMany({ where: { kind: 'failure-rate' } });
  const sessionId = await seedSession(prisma);
  const ended = (count: number, action: string) =>
    Array.from({ length: count }, () => ({ sessionId, action, actor: 'system', outcome: 'INFO' as const, dedupeKey: `seeded/${randomUUID()}`, createdAt: new Date(now.getTime() - 60_000) }));
  await prisma.meetingAuditEvent.createMany({
    data: [...ended(2, 'ATTEMPTS_EXHAUSTED'), ...ended(18, 'MEETING_ACTIVE'), ...ended(3, 'ATTEMPT_FAILED'), ...ended(1, 'INVALID_SESSION')],
  });

  const first = execution('1');
  const alert = { failed: 2, ended: 20, rate: 0.1, action: 'alert' };
  expect(await first.run(checkFailureRate, policy)).toEqual(alert);
  expect(await first.run(checkFailureRate, policy)).toEqual(alert);
  expect(await prisma.adminAlertClaim.count({ where: { kind: 'failure-rate' } })).toBe(1);

  expect(await execution('2').run(checkFailureRate, policy)).toEqual({ ...alert, action: 'none' });
  await expect(execution('3').run(checkFailureRate, { ...policy, alertRate: 2 })).rejects.toThrow(/bad failure-rate policy/);
});

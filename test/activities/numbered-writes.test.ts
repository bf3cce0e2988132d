import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createPrismaClient } from '../../src/adapters/database';
import { createSessionStoreActivities } from '../../src/activities/session-store';
import type { MeetingChange } from '../../src/domain/meeting-changes';
import { TEST_DATABASE_URL } from '../support/env';
import { seedSession } from '../support/sessions';

// Database writes run as local activities, at least once: a try that timed out may still commit
// after the workflow has moved on and written something newer. Each write carries the meeting's
// write number, and the row takes only a newer one.

const prisma = createPrismaClient(TEST_DATABASE_URL);
const store = createSessionStoreActivities({ prisma });
afterAll(() => prisma.$disconnect());

/** A try of the workflow's write: `activityId` differs for a local activity scheduled anew after a long backoff. */
function write(sessionId: string, change: MeetingChange, seq: number | undefined, activityId: string) {
  const env = new MockActivityEnvironment(
    { activityId, workflowExecution: { workflowId: `session-meeting-${sessionId}`, runId: `run-of-${sessionId}` } },
    { logger: new DefaultLogger('ERROR') },
  );
  return env.run(store.recordMeetingChange, sessionId, change, seq);
}

const active: MeetingChange = { kind: 'meetingActive', generation: 1, attempt: 1, eventId: 'evt1', meetingUrl: 'https://meet.google.com/abc-defg-hij' };

test('a late try of an older write changes nothing on the row after a newer write, and audits nothing twice', async () => {
  const sessionId = await seedSession(prisma);
  await write(sessionId, { kind: 'attemptStarted', generation: 1, attempt: 1 }, 1, '1');
  await write(sessionId, active, 2, '2');
  // The first write's try that timed out lands now, from a try scheduled anew under another id.
  await write(sessionId, { kind: 'attemptStarted', generation: 1, attempt: 1 }, 1, '5');

  const row = await prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(row).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: active.meetingUrl, meetingWriteSeq: 2 });
  const audit = await prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.map((entry) => entry.action)).toEqual(['ATTEMPT_STARTED', 'MEETING_ACTIVE']);
});

test('newer writes apply in turn; unnumbered writes (runs started before numbering) apply as they come', async () => {
  const sessionId = await seedSession(prisma);
  await write(sessionId, { kind: 'attemptStarted', generation: 1, attempt: 1 }, undefined, '1');
  expect(await prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ meetingStatus: 'CREATING', meetingWriteSeq: 0 });
  await write(sessionId, active, 1, '2');
  await write(sessionId, { kind: 'cancelled', actor: 'ops', reason: null }, 2, '3');
  expect(await prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ meetingStatus: 'CANCELLED', meetingUrl: null, meetingWriteSeq: 2 });
});

test('a workflow task lost with its worker: its write and the retried task\'s other change under the same number both apply, and the repeated change is audited once', async () => {
  const sessionId = await seedSession(prisma);
  const moved = new Date(Date.now() + 5 * 24 * 3_600_000);
  const reschedule: MeetingChange = { kind: 'rescheduled', startTime: moved.toISOString(), endTime: new Date(moved.getTime() + 3_600_000).toISOString(), actor: 'booking' };
  // The lost task wrote its attempt as write 1; the retried one saw a reschedule first, wrote it as
  // write 1, then the attempt again as write 2.
  await write(sessionId, { kind: 'attemptStarted', generation: 1, attempt: 1 }, 1, '1');
  await write(sessionId, reschedule, 1, '1');
  await write(sessionId, { kind: 'attemptStarted', generation: 1, attempt: 1 }, 2, '2');

  const row = await prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(row).toMatchObject({ meetingStatus: 'CREATING', startTime: moved, meetingWriteSeq: 2 });
  const audit = await prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.map((entry) => entry.action)).toEqual(['ATTEMPT_STARTED', 'RESCHEDULED']);
});

test('an attempt that ran twice (a lost task ran its local activity again) and failed in other words is audited once, by what failed', async () => {
  const sessionId = await seedSession(prisma);
  const failed = (error: string): MeetingChange => ({ kind: 'attemptFailed', generation: 1, attempt: 1, error, retryInMs: 30_000 });
  const exhausted = (error: string): MeetingChange => ({ kind: 'creationFailed', generation: 1, attempts: 4, error, permanent: false });
  await write(sessionId, failed('events.insert: 503 backendError'), 1_000, '1');
  await write(sessionId, failed('events.insert: socket hang up'), 2_000, '1');
  await write(sessionId, exhausted('events.insert: 503 backendError'), 3_000, '2');
  await write(sessionId, exhausted('events.insert: socket hang up'), 4_000, '2');

  const audit = await prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.map((entry) => [entry.action, entry.error])).toEqual([
    ['ATTEMPT_FAILED', 'events.insert: 503 backendError'],
    ['ATTEMPTS_EXHAUSTED', 'events.insert: 503 backendError'],
  ]);
  // The row says what the latest try met.
  expect(await prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ meetingStatus: 'FAILED', meetingError: 'events.insert: socket hang up' });
});


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


test('every kind of change writes the columns it names and its audit row, in one statement', async () => {
  const sessionId = await seedSession(prisma);
  const moved = { startTime: '2031-03-04T10:00:00.000Z', endTime: '2031-03-04T11:00:00.000Z' };
  const changes: Array<[MeetingChange, Record<string, unknown>]> = [
    [{ kind: 'attemptStarted', generation: 1, attempt: 2 }, { meetingStatus: 'CREATING', meetingRetryCount: 1, meetingLastAttemptAt: expect.any(Date) }],
    [{ kind: 'attemptFailed', generation: 1, attempt: 2, error: 'events.insert: 503', retryInMs: 30_000 }, { meetingError: 'events.insert: 503' }],
    [active, { meetingStatus: 'ACTIVE', meetingUrl: active.meetingUrl, meetingEventId: 'evt1', meetingCreatedAt: expect.any(Date), meetingError: null }],
    [{ kind: 'joinable' }, { meetingJoinableAt: expect.any(Date) }],
    [{ kind: 'regenerationRequested', generation: 2, actor: 'ops', reason: 'leaked' }, {}],
    [{ kind: 'regenerationMerged', generation: 2, actor: 'ops', reason: null }, {}],
    [{ kind: 'regenerationFailed', generation: 2, attempts: 4, error: 'quota' }, { meetingStatus: 'ACTIVE', meetingError: 'quota' }],
    [{ kind: 'rescheduled', ...moved, actor: 'booking' }, { startTime: new Date(moved.startTime), endTime: new Date(moved.endTime), meetingJoinableAt: null }],
    [{ kind: 'reminderSkipped', reminder: '24h', why: 'booked late' }, {}],
    [{ kind: 'signalRejected', signal: 'reschedule', problem: 'bad time', actor: 'ops' }, {}],
    [{ kind: 'signalIgnored', signal: 'regenerate', actor: 'ops', why: 'cancelled' }, {}],
    [{ kind: 'emailFailed', email: 'confirmation', error: 'refused' }, {}],
    [{ kind: 'creationFailed', generation: 3, attempts: 1, error: 'forbidden', permanent: true }, { meetingStatus: 'FAILED', meetingError: 'forbidden' }],
    [{ kind: 'cancelled', actor: 'ops', reason: null }, { meetingStatus: 'CANCELLED', bookingStatus: 'CANCELLED', meetingUrl: null, meetingJoinableAt: null }],
  ];
  let lastRowWrite = 0;
  for (const [index, [change, columns]] of changes.entries()) {
    const seq = (index + 1) * 1_000;
    await write(sessionId, change, seq, String(index));
    // A change that names no column leaves the row, its write number included, as it was.
    if (Object.keys(columns).length > 0) lastRowWrite = seq;
    expect(await prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ ...columns, meetingWriteSeq: lastRowWrite });
  }
  const audit = await prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.map((entry) => entry.action)).toEqual([
    'ATTEMPT_STARTED', 'ATTEMPT_FAILED', 'MEETING_ACTIVE', 'MEETING_JOINABLE', 'REGENERATION_REQUESTED', 'REGENERATION_MERGED', 'REGENERATION_FAILED',
    'RESCHEDULED', 'REMINDER_SKIPPED', 'SIGNAL_REJECTED', 'SIGNAL_IGNORED', 'EMAIL_FAILED', 'CREATION_FAILED_PERMANENTLY', 'CANCELLED',
  ]);
  expect(audit[1]).toMatchObject({ outcome: 'FAILURE', error: 'events.insert: 503', detail: { generation: 1, attempt: 2, retryInMs: 30_000 } });
});

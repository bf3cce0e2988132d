import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { ADMIN_EMAIL, useHarness } from '../support/harness';
import { timerSeconds } from '../support/history';
import { waitFor } from '../support/wait';

// The real workflow and activities on the time-skipping server: the spec's 30s / 2m / 8m schedule
// runs in moments, and the history shows exactly which timers the workflow set.

const h = useHarness({ server: 'time-skipping' });

const timersOf = (sessionId: string) => timerSeconds(h.env.client, sessionId);

async function settle(sessionId: string) {
  return waitFor(
    () => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }),
    (row) => row.meetingStatus === 'ACTIVE' || row.meetingStatus === 'FAILED',
    30_000,
  );
}

/** Lets the server skip time while the workflow waits on timers, until `done`. */
async function skipUntil(sessionId: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`session ${sessionId} did not settle`);
    await h.env.sleep('1 minute');
  }
}

function alertsFor(sessionId: string) {
  return h.resend.emails().filter((e) => e.to.includes(ADMIN_EMAIL) && e.text?.includes(sessionId));
}

test('transient errors are retried on the default 30s, 2m, 8m schedule and end ACTIVE', async () => {
  const sessionId = await h.createSession();
  h.google.faults.add({ operation: 'insert', status: 503, times: 2 });
  h.google.faults.add({ operation: 'insert', status: 403, reason: 'rateLimitExceeded', times: 1 });
  await h.meetings.startSessionMeeting(sessionId);
  await skipUntil(sessionId, async () => (await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).meetingStatus === 'ACTIVE');

  const row = await settle(sessionId);
  expect(row.meetingStatus).toBe('ACTIVE');
  expect(row.meetingRetryCount).toBe(3);
  expect((await timersOf(sessionId)).slice(0, 3)).toEqual([30, 120, 480]);
  expect(h.google.events()).toHaveLength(1);
  expect(alertsFor(sessionId)).toHaveLength(0);
});

test('when every attempt fails: FAILED after four attempts, one admin alert, and the workflow keeps waiting', async () => {
  const sessionId = await h.createSession();
  h.google.faults.add({ operation: 'insert', status: 500 });
  await h.meetings.startSessionMeeting(sessionId);
  await skipUntil(sessionId, async () => (await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).meetingStatus === 'FAILED');

  const row = await settle(sessionId);
  expect(row).toMatchObject({ meetingStatus: 'FAILED', meetingRetryCount: 3, meetingUrl: null });
  expect(row.meetingError).toContain('500 backendError');
  expect(h.google.requests.filter((r) => r.operation === 'insert')).toHaveLength(4);
  expect((await timersOf(sessionId)).slice(0, 3)).toEqual([30, 120, 480]);
  const alerts = await waitFor(async () => alertsFor(sessionId), (list) => list.length >= 1);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]?.subject).toContain('after 4 attempts');

  const handle = h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId));
  expect((await handle.describe()).status.name).toBe('RUNNING');
  expect(await h.meetings.getMeetingStatus(sessionId)).toMatchObject({ meetingStatus: 'FAILED', attempts: 4 });
  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.filter((a) => a.action === 'ATTEMPTS_EXHAUSTED')).toHaveLength(1);
  expect(audit.filter((a) => a.action === 'ADMIN_ALERTED')).toHaveLength(1);
});

test.each([
  ['403 forbiddenForServiceAccounts', 403, 'forbiddenForServiceAccounts'],
  ['401 authError', 401, 'authError'],
  ['404 notFound', 404, 'notFound'],
])('a permanent error (%s) goes straight to FAILED with one alert and no retry timer', async (_name, status, reason) => {
  await h.forgetAlertClaims(); // 401 and 403 are credentials failures, alerted once per outage: each case is its own
  const sessionId = await h.createSession();
  h.google.faults.add({ operation: 'insert', status, reason });
  await h.meetings.startSessionMeeting(sessionId);
  const row = await settle(sessionId);

  expect(row.meetingStatus).toBe('FAILED');
  expect(row.meetingError).toContain(`${status} ${reason}`);
  expect(h.google.requests.filter((r) => r.operation === 'insert')).toHaveLength(1);
  expect(await waitFor(async () => alertsFor(sessionId), (list) => list.length >= 1)).toHaveLength(1);
  // The only timer is the wait until the session is over, days away: no retry was scheduled.
  expect((await timersOf(sessionId)).every((seconds) => seconds > 3600)).toBe(true);
});

test('a pending conference is waited out: ACTIVE once Google reports success, in one attempt', async () => {
  h.google.configure({ pendingPolls: 4 });
  const sessionId = await h.createSession();
  await h.meetings.startSessionMeeting(sessionId);
  const row = await settle(sessionId);

  expect(row.meetingStatus).toBe('ACTIVE');
  expect(row.meetingRetryCount).toBe(0);
  const calls = h.google.requests.map((r) => r.operation);
  expect(calls).toEqual(['insert', 'get', 'get', 'get', 'get']);
  expect(row.meetingUrl).toBe(h.google.events()[0]?.resource.hangoutLink);
});

test('a conference that Google fails is a failed attempt; the next asks for a new conference on the same event', async () => {
  h.google.configure({ pendingPolls: 1, outcome: 'failure' });
  const sessionId = await h.createSession();
  await h.meetings.startSessionMeeting(sessionId);
  await waitFor(async () => h.google.requests.some((r) => r.operation === 'get'), Boolean);
  h.google.configure({ outcome: 'success' });
  await skipUntil(sessionId, async () => (await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).meetingStatus === 'ACTIVE');

  const [event] = h.google.events();
  expect(h.google.events()).toHaveLength(1);
  expect(event?.conferenceRequests).toEqual([expect.stringMatching(/-g1$/), expect.stringMatching(/-g1-a2$/)]);
  expect((await settle(sessionId)).meetingUrl).toBe(event?.resource.hangoutLink);
});

test('the workflow completes after the session is over', async () => {
  const sessionId = await h.createSession({ startTime: new Date(Date.now() + 3600_000) });
  await h.meetings.startSessionMeeting(sessionId);
  const result = await h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).result();
  expect(result).toMatchObject({ sessionId, meetingStatus: 'ACTIVE' });
});

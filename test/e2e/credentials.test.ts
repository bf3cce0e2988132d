import { runCli } from '../../src/cli/main';
import { TEST_DATABASE_URL } from '../support/env';
import { ADMIN_EMAIL, useHarness } from '../support/harness';
import { waitFor } from '../support/wait';

// The spec's critical risk: the service account loses its access. The worker signs in as a service
// account for real (a key made for the test, google-auth-library's JWT flow against the stand-in's
// token endpoint), and Google's refusals come the way Google sends them.

const h = useHarness({ server: 'dev-server', serviceAccount: true, policy: { retryBackoffMs: [200, 400, 800] } });

// Claims are per hour: each test is its own outage.
beforeEach(() => h.forgetAlertClaims());

const rows = (ids: string[]) => h.prisma.session.findMany({ where: { id: { in: ids } } });
const credentialAlerts = () => h.resend.emails().filter((e) => e.to.includes(ADMIN_EMAIL) && e.subject.includes('Google refuses the service account'));

/** Books `count` sessions at once and waits until every one is FAILED; answers their ids. */
async function failedSessions(count: number): Promise<string[]> {
  const ids = await Promise.all(Array.from({ length: count }, () => h.createSession()));
  await Promise.all(ids.map((id) => h.meetings.startSessionMeeting(id)));
  await waitFor(() => rows(ids), (list) => list.every((r) => r.meetingStatus === 'FAILED'));
  return ids;
}

/** One alert for the outage (one per hour window it spans), every session audited either way. */
async function expectOneAlertPerOutage(ids: string[]): Promise<void> {
  const alerted = await waitFor(
    () => h.prisma.meetingAuditEvent.findMany({ where: { sessionId: { in: ids }, action: { in: ['ADMIN_ALERTED', 'ADMIN_ALERT_SHARED'] } } }),
    (list) => list.length === ids.length,
  );
  const claims = await h.prisma.adminAlertClaim.count({ where: { key: { startsWith: `credentials/${h.taskQueue}/` } } });
  expect(claims).toBeGreaterThanOrEqual(1);
  expect(alerted.filter((row) => row.action === 'ADMIN_ALERTED')).toHaveLength(claims);
  expect(alerted.every((row) => (row.detail as { kind?: string }).kind === 'credentials')).toBe(true);
  expect(credentialAlerts()).toHaveLength(claims);
}

test('the token endpoint answering invalid_grant: one attempt per session, FAILED with the reason, one alert; retry-failed brings them all back', async () => {
  h.google.faults.add({ operation: 'token', status: 400, reason: 'invalid_grant', message: 'Invalid grant: account not found' });
  const ids = await failedSessions(3);

  for (const row of await rows(ids)) {
    expect(row.meetingError).toBe("events.insert: Google's token endpoint answered 400 invalid_grant: Invalid grant: account not found");
    expect(row.meetingRetryCount).toBe(0); // permanent: no retry schedule, no storm
  }
  await expectOneAlertPerOutage(ids);
  expect(h.google.requests.filter((r) => r.operation === 'insert')).toEqual([]);
  const tokenRequests = h.google.requests.filter((r) => r.operation === 'token');
  // At most one sign-in try per session, none repeated (concurrent ones share a try).
  expect(tokenRequests.length).toBeGreaterThanOrEqual(1);
  expect(tokenRequests.length).toBeLessThanOrEqual(ids.length);
  expect(String(tokenRequests[0]?.body)).toMatch(/grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=[\w-]+\.[\w-]+\.[\w-]+$/);

  // Access is back: one admin command asks every FAILED session for a new link.
  h.google.faults.clear();
  const visibleFailed = `WorkflowType = 'SessionMeetingWorkflow' AND TaskQueue = '${h.taskQueue}' AND ExecutionStatus = 'Running' AND MeetingStatus = 'FAILED'`;
  await waitFor(async () => (await h.env.client.workflow.count(visibleFailed)).count, (count) => count === ids.length);
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: TEST_DATABASE_URL, TEMPORAL_ADDRESS: h.env.address, TEMPORAL_TASK_QUEUE: h.taskQueue });
  let printed = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((printed += String(chunk)), true));
  try {
    expect(await runCli(['retry-failed', '--actor', 'ops', '--reason', 'service account restored'])).toBe(0);
  } finally {
    out.mockRestore();
    process.env = saved;
  }
  expect(printed).toBe(`regenerate requested for ${ids.length} failed sessions\n`);
  const active = await waitFor(() => rows(ids), (list) => list.every((r) => r.meetingStatus === 'ACTIVE'));
  expect(active.every((r) => r.meetingUrl?.startsWith('https://meet.google.com/'))).toBe(true);
  // Calendar calls now carry the access token the stand-in issued.
  expect(h.google.requests.filter((r) => r.operation === 'insert').every((r) => /^Bearer ya29\.standin-\d+$/.test(r.headers.authorization ?? ''))).toBe(true);
});

test.each([
  ['401 authError', { status: 401, reason: 'authError', message: 'Invalid Credentials' }, 'events.insert: Google Calendar answered 401 authError: Invalid Credentials'],
  ['403 forbidden', { status: 403, reason: 'forbidden', message: 'Forbidden' }, 'events.insert: Google Calendar answered 403 forbidden: Forbidden'],
])('Calendar answering %s: FAILED with the reason after one attempt, one credentials alert for all', async (_name, fault, reason) => {
  h.google.faults.add({ operation: 'insert', ...fault });
  const ids = await failedSessions(2);
  for (const row of await rows(ids)) expect(row).toMatchObject({ meetingError: reason, meetingRetryCount: 0 });
  expect(h.google.requests.filter((r) => r.operation === 'insert')).toHaveLength(ids.length);
  await expectOneAlertPerOutage(ids);
});

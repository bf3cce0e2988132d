import { InvalidMeetingRequestError, MeetingWorkflowClosedError } from '../../src/client/session-meetings';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { meetingStatusSearchAttribute } from '../../src/workflows/contract';
import { TEST_DATABASE_URL } from '../support/env';
import { ADMIN_EMAIL, useHarness } from '../support/harness';
import { runEntry } from '../support/processes';
import { temporalCli as runTemporalCli } from '../support/temporal-cli';
import { waitFor } from '../support/wait';

const HOUR = 3_600_000;
const h = useHarness({ server: 'dev-server', policy: { retryBackoffMs: [200, 400, 800] } });

const row = (sessionId: string) => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
const untilStatus = (sessionId: string, status: string) => waitFor(() => row(sessionId), (r) => r.meetingStatus === status);
const eventsOf = (sessionId: string) => h.google.events().filter((e) => (e.resource.conferenceData as { createRequest?: { requestId?: string } } | undefined)?.createRequest?.requestId?.includes(sessionId) || JSON.stringify(e.conferenceRequests).includes(sessionId));
const emailsOf = (sessionId: string, kind: string) => h.resend.emails().filter((e) => e.idempotencyKey?.includes(`/${sessionId}/${kind}/`));
const auditOf = async (sessionId: string) => (await h.prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } })).map((a) => ({ action: a.action, actor: a.actor, error: a.error }));
const handle = (sessionId: string) => h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId));

async function activeSession(): Promise<string> {
  const sessionId = await h.createSession();
  await h.meetings.startSessionMeeting(sessionId);
  await untilStatus(sessionId, 'ACTIVE');
  await waitFor(async () => emailsOf(sessionId, 'confirmation'), (list) => list.length === 2);
  return sessionId;
}

/** The `temporal` CLI, as an admin types it. */
const temporalCli = (...args: string[]) => runTemporalCli(h, ...args);

test('cancel deletes the event, marks CANCELLED, tells both, ends the workflow; later signals get a clear answer', async () => {
  const sessionId = await activeSession();
  const [event] = eventsOf(sessionId);
  await h.meetings.cancelSessionMeeting(sessionId, { reason: 'student ill', actor: 'booking-service' });
  await handle(sessionId).result();

  expect(event?.deleted).toBe(true);
  expect(h.google.requests.filter((r) => r.operation === 'delete').map((r) => r.status)).toEqual([204]);
  expect(await row(sessionId)).toMatchObject({ meetingStatus: 'CANCELLED', bookingStatus: 'CANCELLED', meetingUrl: null });
  // The workflow has queued them; the outbox's drainer sends them a moment later.
  const cancelled = await waitFor(async () => emailsOf(sessionId, 'cancelled'), (list) => list.length >= 2);
  expect(cancelled).toHaveLength(2);
  expect(cancelled.every((e) => e.subject.startsWith('Cancelled'))).toBe(true);
  expect(await auditOf(sessionId)).toContainEqual({ action: 'CANCELLED', actor: 'booking-service', error: null });

  await expect(h.meetings.regenerateMeetingLink(sessionId, { actor: 'ops' })).rejects.toThrow(MeetingWorkflowClosedError);
  await expect(h.meetings.cancelSessionMeeting(sessionId)).rejects.toThrow(/has already ended \(COMPLETED\); nothing was changed/);
  const cli = await runEntry('src/cli/main.ts', ['cancel', sessionId], { DATABASE_URL: TEST_DATABASE_URL, TEMPORAL_ADDRESS: h.env.address });
  expect(cli.code).toBe(2);
  expect(cli.stderr).toContain(`the meeting workflow of session ${sessionId} has already ended (COMPLETED); nothing was changed`);
});

test('cancel while creation is still retrying stops it at once; an event already made is deleted (404 counts as done)', async () => {
  const sessionId = await h.createSession();
  h.google.faults.add({ operation: 'insert', status: 503 });
  await h.meetings.startSessionMeeting(sessionId);
  await waitFor(async () => auditOf(sessionId), (audit) => audit.some((a) => a.action === 'ATTEMPT_FAILED'));
  await h.meetings.cancelSessionMeeting(sessionId, { reason: 'refunded', actor: 'ops' });
  const result = await handle(sessionId).result();

  expect(result.meetingStatus).toBe('CANCELLED');
  expect(h.google.requests.filter((r) => r.operation === 'insert').length).toBeLessThan(4);
  expect(h.google.requests.filter((r) => r.operation === 'delete').map((r) => r.status)).toEqual([404]);
  expect((await row(sessionId)).meetingStatus).toBe('CANCELLED');
});

test('regenerate from ACTIVE makes a new event and link, deletes the old one, stores and emails the new link', async () => {
  const sessionId = await activeSession();
  const before = await row(sessionId);
  await h.meetings.regenerateMeetingLink(sessionId, { reason: 'teacher cannot join', actor: 'ops@example.com' });
  const after = await waitFor(() => row(sessionId), (r) => r.meetingStatus === 'ACTIVE' && r.meetingUrl !== before.meetingUrl);
  const regenerated = await waitFor(async () => emailsOf(sessionId, 'regenerated'), (list) => list.length === 2); // after the old event's deletion

  const events = h.google.events();
  const old = events.find((e) => e.resource.id === before.meetingEventId);
  const fresh = events.find((e) => e.resource.id === after.meetingEventId);
  expect(old?.deleted).toBe(true);
  expect(fresh?.deleted).toBe(false);
  expect(after.meetingEventId).not.toBe(before.meetingEventId);
  expect(after.meetingUrl).toBe(fresh?.resource.hangoutLink);
  expect(regenerated.every((e) => e.text?.includes(after.meetingUrl ?? 'missing'))).toBe(true);
  expect(await auditOf(sessionId)).toContainEqual({ action: 'REGENERATION_REQUESTED', actor: 'ops@example.com', error: null });
  expect(await h.meetings.getMeetingStatus(sessionId)).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: after.meetingUrl, attempts: 1 });
});

test('regenerate from FAILED restarts the retry schedule, ends ACTIVE, and sends both their first link as a confirmation', async () => {
  const sessionId = await h.createSession();
  h.google.faults.add({ operation: 'insert', status: 500, times: 4 });
  await h.meetings.startSessionMeeting(sessionId);
  await untilStatus(sessionId, 'FAILED');
  h.google.faults.add({ operation: 'insert', status: 503, times: 1 });
  await h.meetings.regenerateMeetingLink(sessionId, { actor: 'ops' });
  const active = await untilStatus(sessionId, 'ACTIVE');

  expect(active.meetingRetryCount).toBe(1); // the new schedule's second attempt
  expect(h.google.requests.filter((r) => r.operation === 'insert').map((r) => r.status)).toEqual([500, 500, 500, 500, 503, 200]);
  expect(h.google.events().filter((e) => !e.deleted)).toHaveLength(1);
  const confirmed = await waitFor(async () => emailsOf(sessionId, 'confirmation'), (list) => list.length === 2);
  expect(confirmed.every((e) => e.text?.includes(active.meetingUrl ?? 'missing') && !e.text.includes('old link'))).toBe(true);
  expect(emailsOf(sessionId, 'regenerated')).toHaveLength(0);
});

test('a regeneration that fails keeps the current link ACTIVE for row, query and visibility; its half-made event is deleted; one alert', async () => {
  const sessionId = await activeSession();
  const before = await row(sessionId);
  h.google.configure({ outcome: 'failure' }); // every new conference fails: each attempt makes no link
  await h.meetings.regenerateMeetingLink(sessionId, { reason: 'teacher cannot join', actor: 'ops' });
  await waitFor(async () => auditOf(sessionId), (audit) => audit.some((a) => a.action === 'REGENERATION_FAILED'));
  const alerts = await waitFor(async () => h.resend.emails().filter((e) => e.to.includes(ADMIN_EMAIL) && e.text?.includes(sessionId)), (list) => list.length === 1);

  const after = await row(sessionId);
  expect(after).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: before.meetingUrl, meetingEventId: before.meetingEventId });
  expect(after.meetingError).toContain('could not create the Meet conference');
  expect(await h.meetings.getMeetingStatus(sessionId)).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: before.meetingUrl, meetingEventId: before.meetingEventId, attempts: 4 });
  expect((await handle(sessionId).describe()).typedSearchAttributes.get(meetingStatusSearchAttribute)).toBe('ACTIVE');

  const events = h.google.events();
  expect(events.find((e) => e.resource.id === before.meetingEventId)?.deleted).toBe(false);
  expect(events.filter((e) => e.resource.id !== before.meetingEventId).map((e) => e.deleted)).toEqual([true]);
  expect(alerts[0]?.subject).toBe('[session-meetings] No new meeting link could be made (4 attempts); the current link stays');
  expect(emailsOf(sessionId, 'regenerated')).toHaveLength(0);
});

test('cancelling the workflow in Temporal cleans up as the cancel signal does, and ends it for good', async () => {
  const sessionId = await activeSession();
  const [event] = eventsOf(sessionId);
  await handle(sessionId).cancel();
  const result = await handle(sessionId).result();

  expect(result.meetingStatus).toBe('CANCELLED');
  expect((await handle(sessionId).describe()).status.name).toBe('COMPLETED');
  expect(event?.deleted).toBe(true);
  expect(await row(sessionId)).toMatchObject({ meetingStatus: 'CANCELLED', bookingStatus: 'CANCELLED', meetingUrl: null });
  expect(await waitFor(async () => emailsOf(sessionId, 'cancelled'), (list) => list.length >= 2)).toHaveLength(2);
  expect(await auditOf(sessionId)).toContainEqual({ action: 'CANCELLED', actor: 'temporal', error: null });
  expect(await h.meetings.startSessionMeeting(sessionId)).toMatchObject({ started: false });
});

test('temporal workflow cancel during creation retries deletes what the attempts made', async () => {
  const sessionId = await h.createSession();
  h.google.configure({ outcome: 'failure' });
  await h.meetings.startSessionMeeting(sessionId);
  await waitFor(async () => auditOf(sessionId), (audit) => audit.some((a) => a.action === 'ATTEMPT_FAILED'));
  await temporalCli('workflow', 'cancel', '--workflow-id', sessionMeetingWorkflowId(sessionId));
  const result = await handle(sessionId).result();

  expect(result.meetingStatus).toBe('CANCELLED');
  expect(eventsOf(sessionId).map((e) => e.deleted)).toEqual([true]);
  expect((await row(sessionId)).meetingStatus).toBe('CANCELLED');
});

test('reschedule patches start and end only: same event, same Meet link; row, status and timers move; both told', async () => {
  const sessionId = await activeSession();
  const before = await row(sessionId);
  const start = new Date(before.startTime.getTime() + 2 * 24 * HOUR);
  const end = new Date(start.getTime() + 90 * 60_000);
  await h.meetings.rescheduleSession(sessionId, { startTime: start.toISOString(), endTime: end.toISOString(), actor: 'booking-service' });
  const after = await waitFor(() => row(sessionId), (r) => r.startTime.getTime() === start.getTime());
  // The row moves first, then the event; the emails go out last.
  const told = await waitFor(async () => emailsOf(sessionId, 'rescheduled'), (list) => list.length === 2);

  const patch = h.google.requests.find((r) => r.operation === 'patch');
  expect(patch?.body).toEqual({ start: { dateTime: start.toISOString(), timeZone: 'UTC' }, end: { dateTime: end.toISOString(), timeZone: 'UTC' } });
  const event = h.google.events().find((e) => e.resource.id === before.meetingEventId);
  expect(event?.resource.start).toEqual({ dateTime: start.toISOString(), timeZone: 'UTC' });
  expect(event?.resource.hangoutLink).toBe(before.meetingUrl);
  expect(after).toMatchObject({ meetingUrl: before.meetingUrl, meetingEventId: before.meetingEventId, endTime: end, meetingStatus: 'ACTIVE' });
  const status = await h.meetings.getMeetingStatus(sessionId);
  expect(status).toMatchObject({ startTime: start.toISOString(), endTime: end.toISOString(), nextReminderAt: new Date(start.getTime() - 24 * HOUR).toISOString() });
  expect(told.every((e) => e.text?.includes(before.meetingUrl ?? 'missing'))).toBe(true);
});

test('invalid reschedules are refused with a clear reason and change nothing', async () => {
  const sessionId = await activeSession();
  const before = await row(sessionId);
  await expect(h.meetings.rescheduleSession(sessionId, { startTime: '2026-12-01T16:00:00Z', endTime: '2026-12-01T15:00:00Z' })).rejects.toThrow(
    new InvalidMeetingRequestError('reschedule', 'the end must be after the start'),
  );
  await expect(h.meetings.rescheduleSession(sessionId, { startTime: 'tomorrow', endTime: '2026-12-01T15:00:00Z' })).rejects.toThrow(/startTime "tomorrow" is not an ISO-8601 time/);

  // Sent past the client, as a person might from the CLI: the workflow rejects and audits it.
  await temporalCli('workflow', 'signal', '--workflow-id', sessionMeetingWorkflowId(sessionId), '--name', 'reschedule', '--input', '{"startTime":"2020-01-01T10:00:00Z","endTime":"2020-01-01T11:00:00Z","actor":"typo"}');
  const audit = await waitFor(async () => auditOf(sessionId), (list) => list.some((a) => a.action === 'SIGNAL_REJECTED'));
  expect(audit).toContainEqual({ action: 'SIGNAL_REJECTED', actor: 'typo', error: 'the session would already be over (it ends 2020-01-01T11:00:00.000Z)' });
  expect(await row(sessionId)).toMatchObject({ startTime: before.startTime, endTime: before.endTime, meetingStatus: 'ACTIVE' });
  expect(h.google.requests.filter((r) => r.operation === 'patch')).toHaveLength(0);
});

test('signals typed into the temporal CLI work: a JSON object, or no payload at all', async () => {
  const sessionId = await activeSession();
  const workflowId = sessionMeetingWorkflowId(sessionId);
  const firstUrl = (await row(sessionId)).meetingUrl;

  await temporalCli('workflow', 'signal', '--workflow-id', workflowId, '--name', 'regenerate');
  await waitFor(() => row(sessionId), (r) => r.meetingStatus === 'ACTIVE' && r.meetingUrl !== firstUrl);
  await temporalCli('workflow', 'signal', '--workflow-id', workflowId, '--name', 'cancel', '--input', '{"reason":"duplicate booking","actor":"ops"}');
  await handle(sessionId).result();

  const audit = await auditOf(sessionId);
  expect(audit).toContainEqual({ action: 'REGENERATION_REQUESTED', actor: 'unknown', error: null });
  expect(audit).toContainEqual({ action: 'CANCELLED', actor: 'ops', error: null });
  const query = JSON.parse(await temporalCli('workflow', 'query', '--workflow-id', workflowId, '--name', 'status', '--output', 'json'));
  expect(JSON.stringify(query)).toContain('"meetingStatus":"CANCELLED"');
});

test('signals that arrive together are handled one after another, in order, none lost', async () => {
  const sessionId = await activeSession();
  const start = new Date((await row(sessionId)).startTime.getTime() + 24 * HOUR);
  await Promise.all([
    h.meetings.rescheduleSession(sessionId, { startTime: start.toISOString(), endTime: new Date(start.getTime() + HOUR).toISOString(), actor: 'a1' }),
    h.meetings.regenerateMeetingLink(sessionId, { actor: 'a2' }),
  ]);
  await h.meetings.cancelSessionMeeting(sessionId, { actor: 'a3' });
  await handle(sessionId).result();

  const actions = (await auditOf(sessionId)).filter((a) => ['RESCHEDULED', 'REGENERATION_REQUESTED', 'CANCELLED'].includes(a.action));
  expect(actions.map((a) => a.actor).sort()).toEqual(['a1', 'a2', 'a3']);
  expect(actions.at(-1)).toMatchObject({ action: 'CANCELLED', actor: 'a3' });
  expect(h.google.events().every((e) => e.deleted)).toBe(true);
});

test('list --status FAILED finds a failed session through Temporal visibility; stats counts from the database', async () => {
  const failed = await h.createSession();
  h.google.faults.add({ operation: 'insert', status: 400, times: 1 });
  await h.meetings.startSessionMeeting(failed);
  await untilStatus(failed, 'FAILED');
  const active = await activeSession();
  const env = { DATABASE_URL: TEST_DATABASE_URL, TEMPORAL_ADDRESS: h.env.address };

  const listed = await waitFor(
    async () => JSON.parse((await runEntry('src/cli/main.ts', ['--json', 'list', '--status', 'failed'], env)).stdout) as Array<{ sessionId: string; meetingStatus: string }>,
    (rows) => rows.some((r) => r.sessionId === failed),
    20_000,
    500,
  );
  expect(listed.every((r) => r.meetingStatus === 'FAILED')).toBe(true);
  expect(listed.some((r) => r.sessionId === active)).toBe(false);

  const stats = await runEntry('src/cli/main.ts', ['--json', 'stats', '--since', '1h'], env);
  expect(stats.code).toBe(0);
  const numbers = JSON.parse(stats.stdout);
  expect(numbers.byStatus.FAILED).toBeGreaterThanOrEqual(1);
  expect(numbers.byStatus.ACTIVE).toBeGreaterThanOrEqual(1);
  expect(numbers.creationSuccessRate).toBeCloseTo(numbers.byStatus.ACTIVE / (numbers.byStatus.ACTIVE + numbers.byStatus.FAILED), 3);
  expect(numbers.upcomingWithoutLink).toBeGreaterThanOrEqual(1);

  const bad = await runEntry('src/cli/main.ts', ['list', '--status', 'nope'], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--status must be one of PENDING, CREATING, ACTIVE, FAILED, CANCELLED');
});

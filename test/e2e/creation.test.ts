import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { billableActions, historyCost, untilFirstTimer } from '../../src/metrics/temporal-actions';
import { meetingStatusSearchAttribute } from '../../src/workflows/contract';
import { ADMIN_EMAIL, useHarness } from '../support/harness';
import { sessionHistoryEvents } from '../support/history';
import { waitFor } from '../support/wait';

const h = useHarness({ server: 'dev-server', policy: { retryBackoffMs: [200, 400, 800] } });

async function untilSettled(sessionId: string) {
  return waitFor(
    () => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }),
    (row) => row.meetingStatus === 'ACTIVE' || row.meetingStatus === 'FAILED',
  );
}

function emailsFor(sessionId: string) {
  return h.resend.emails().filter((email) => email.idempotencyKey?.includes(`/${sessionId}/`));
}

test('a booked session gets its Meet link stored, queryable and emailed to both, within seconds', async () => {
  const sessionId = await h.createSession({ teacherTimeZone: 'Europe/Berlin', studentTimeZone: 'America/New_York' });
  const startedAt = Date.now();
  await h.meetings.startSessionMeeting(sessionId);
  const row = await untilSettled(sessionId);
  const timeToLinkMs = Date.now() - startedAt;
  console.log(`time from start to ACTIVE: ${timeToLinkMs} ms`);

  expect(row.meetingStatus).toBe('ACTIVE');
  const [event] = h.google.events();
  expect(h.google.events()).toHaveLength(1);
  expect(row.meetingUrl).toBe(event?.resource.hangoutLink);
  expect(row.meetingUrl).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  expect(row.meetingEventId).toBe(event?.resource.id);
  expect(row.meetingCreatedAt).not.toBeNull();
  expect(row.meetingRetryCount).toBe(0);
  expect(row.meetingError).toBeNull();
  expect(timeToLinkMs).toBeLessThan(5_000); // NFR-1

  const status = await h.meetings.getMeetingStatus(sessionId);
  expect(status).toMatchObject({ sessionId, meetingStatus: 'ACTIVE', meetingUrl: row.meetingUrl, meetingEventId: row.meetingEventId, attempts: 1, lastError: null });

  const emails = await waitFor(async () => emailsFor(sessionId), (list) => list.length === 2);
  const session = await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId }, include: { teacher: true, student: true } });
  const toTeacher = emails.find((e) => e.to[0] === session.teacher.email);
  const toStudent = emails.find((e) => e.to[0] === session.student.email);
  expect(toTeacher?.text).toContain(row.meetingUrl);
  expect(toStudent?.text).toContain(row.meetingUrl);
  expect(toTeacher?.text).toContain('(Europe/Berlin)');
  expect(toStudent?.text).toContain('(America/New_York)');

  const description = await h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).describe();
  expect(description.typedSearchAttributes.get(meetingStatusSearchAttribute)).toBe('ACTIVE');

  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => a.action)).toEqual(['ATTEMPT_STARTED', 'MEETING_ACTIVE', 'EMAIL_SENT', 'EMAIL_SENT']);
  expect(h.resend.emails().some((e) => e.to.includes(ADMIN_EMAIL) && e.text?.includes(sessionId))).toBe(false);
});

test('a booked session costs Temporal at most 3 workflow tasks, 3 server activities and 20 events until it first sleeps', async () => {
  const sessionId = await h.createSession();
  await h.meetings.startSessionMeeting(sessionId);
  await waitFor(async () => emailsFor(sessionId), (list) => list.length === 2);
  // The workflow sleeps (its first timer) once the confirmation emails are sent.
  const history = await waitFor(
    () => sessionHistoryEvents(h.env.client, sessionId),
    (events) => events.some((event) => event.timerStartedEventAttributes),
  );
  const startPath = untilFirstTimer(history);
  const cost = historyCost(startPath);
  console.log(`start path until the first timer: ${JSON.stringify(cost)}, billable actions ${billableActions(startPath)}`);
  expect(cost.workflowTasks).toBeLessThanOrEqual(3);
  expect(cost.serverActivities).toBeLessThanOrEqual(3);
  expect(cost.events).toBeLessThanOrEqual(20);
});

test('starting twice makes one workflow, one event and two emails', async () => {
  const sessionId = await h.createSession();
  const [first, second] = await Promise.all([h.meetings.startSessionMeeting(sessionId), h.meetings.startSessionMeeting(sessionId)]);
  const third = await h.meetings.startSessionMeeting(sessionId);
  expect([first.started, second.started].sort()).toEqual([false, true]);
  expect(third.started).toBe(false);
  expect(new Set([first.runId, second.runId, third.runId]).size).toBe(1);

  expect((await untilSettled(sessionId)).meetingStatus).toBe('ACTIVE');
  await waitFor(async () => emailsFor(sessionId), (list) => list.length === 2);
  const runs = await h.env.client.workflow.count(`WorkflowId = '${sessionMeetingWorkflowId(sessionId)}'`);
  expect(runs.count).toBe(1);
  expect(h.google.events()).toHaveLength(1);
  expect(h.google.requests.filter((r) => r.operation === 'insert')).toHaveLength(1);
  await new Promise((resolve) => setTimeout(resolve, 300)); // nothing late may follow
  expect(emailsFor(sessionId)).toHaveLength(2);
});

test('a response dropped after the event was written still leaves exactly one event', async () => {
  const sessionId = await h.createSession();
  h.google.faults.add({ operation: 'insert', dropResponseAfterWrite: true, times: 1 });
  await h.meetings.startSessionMeeting(sessionId);
  const row = await untilSettled(sessionId);

  expect(row.meetingStatus).toBe('ACTIVE');
  expect(h.google.requests.map((r) => `${r.operation}:${r.status}`).slice(0, 3)).toEqual(['insert:dropped', 'insert:409', 'get:200']);
  expect(h.google.events()).toHaveLength(1);
  expect(row.meetingEventId).toBe(h.google.events()[0]?.resource.id);
  expect(row.meetingRetryCount).toBe(1);
});

test('503s on the first attempts end ACTIVE after retries, with the attempts counted', async () => {
  const sessionId = await h.createSession();
  h.google.faults.add({ operation: 'insert', status: 503, times: 2 });
  await h.meetings.startSessionMeeting(sessionId);
  const row = await untilSettled(sessionId);

  expect(row.meetingStatus).toBe('ACTIVE');
  expect(row.meetingRetryCount).toBe(2);
  expect(row.meetingError).toBeNull();
  expect(h.google.events()).toHaveLength(1);
  const status = await h.meetings.getMeetingStatus(sessionId);
  expect(status.attempts).toBe(3);
  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.filter((a) => a.action === 'ATTEMPT_FAILED').map((a) => a.error)).toEqual([
    expect.stringContaining('503 backendError'),
    expect.stringContaining('503 backendError'),
  ]);
});

test('a 400 from Google fails at once: FAILED, the error stored, one admin alert, the workflow still waiting', async () => {
  const sessionId = await h.createSession();
  h.google.faults.add({ operation: 'insert', status: 400, reason: 'invalid', message: 'Invalid attendee email.' });
  await h.meetings.startSessionMeeting(sessionId);
  const row = await untilSettled(sessionId);

  expect(row.meetingStatus).toBe('FAILED');
  expect(row.meetingError).toContain('400 invalid: Invalid attendee email.');
  expect(h.google.requests.filter((r) => r.operation === 'insert')).toHaveLength(1);
  const alerts = await waitFor(
    async () => h.resend.emails().filter((e) => e.to.includes(ADMIN_EMAIL) && e.text?.includes(sessionId)),
    (list) => list.length === 1,
  );
  expect(alerts[0]?.subject).toContain('permanent error');
  expect(alerts[0]?.text).toContain('Invalid attendee email.');
  expect(emailsFor(sessionId).filter((e) => !e.to.includes(ADMIN_EMAIL))).toHaveLength(0);

  const handle = h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId));
  expect((await handle.describe()).status.name).toBe('RUNNING');
  expect(await h.meetings.getMeetingStatus(sessionId)).toMatchObject({ meetingStatus: 'FAILED', attempts: 1, lastError: expect.stringContaining('400') });
  const actions = (await h.prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } })).map((a) => a.action);
  expect(actions).toEqual(['ATTEMPT_STARTED', 'CREATION_FAILED_PERMANENTLY', 'ADMIN_ALERTED']);
});

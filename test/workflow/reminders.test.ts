import { cancelSignal, regenerateSignal, rescheduleSignal } from '../../src/workflows/contract';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { ADMIN_EMAIL, useHarness } from '../support/harness';
import { scheduledActivities } from '../support/history';
import { waitFor } from '../support/wait';

// Reminders on the time-skipping server: each must fire at its exact moment, once. The moment is the
// server's own time when the workflow scheduled the reminder's activity.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const h = useHarness({ server: 'time-skipping' });

/** Books a session `startsIn` from the server's current (skipped) time. */
async function book(startsIn: number, minutes = 60): Promise<{ sessionId: string; start: number }> {
  const start = (await h.env.currentTimeMs()) + startsIn;
  const sessionId = await h.createSession({ startTime: new Date(start), endTime: new Date(start + minutes * MINUTE) });
  await h.meetings.startSessionMeeting(sessionId);
  await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }), (row) => row.meetingStatus === 'ACTIVE' || row.meetingStatus === 'FAILED');
  return { sessionId, start };
}

/**
 * The emails the workflow sent, and when. Emails go by local activity, whose record holds no inputs:
 * their kinds are those of the emails the stand-in took, in the order it took them (one kind and
 * occasion for each activity, two recipients).
 */
async function emailsScheduled(sessionId: string) {
  const prefix = `session-meetings/${sessionId}/`;
  const scheduled = (await scheduledActivities(h.env.client, sessionId)).filter((a) => a.type === 'sendMeetingEmails' || a.type === 'alertAdmin');
  // Local activities keep no arguments in history: the kinds come from the emails, which the outbox's
  // drainer sends a moment after the workflow queued them.
  const occasionsSent = async () => [...new Set(h.resend.emails().flatMap((e) => (e.idempotencyKey?.startsWith(prefix) ? [e.idempotencyKey.slice(prefix.length).split('/').slice(0, 2).join('/')] : [])))];
  const queued = scheduled.filter((a) => a.type === 'sendMeetingEmails' && !a.args).length;
  const kinds = (await waitFor(occasionsSent, (occasions) => occasions.length >= queued)).map((occasion) => occasion.split('/')[0]);
  return scheduled.map((a) => ({ what: a.type === 'alertAdmin' ? `alert:${(a.args?.[0] as { kind: string }).kind}` : (a.args ? String(a.args[1]) : kinds.shift()), at: a.at }));
}

function handle(sessionId: string) {
  return h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId));
}

test('24 h and 10 min reminders fire at their exact moments, once each; the workflow ends after the session', async () => {
  const { sessionId, start } = await book(3 * 24 * HOUR);
  expect((await h.meetings.getMeetingStatus(sessionId)).nextReminderAt).toBe(new Date(start - 24 * HOUR).toISOString());
  await handle(sessionId).result();

  const sent = await emailsScheduled(sessionId);
  expect(sent.map((s) => s.what)).toEqual(['confirmation', 'reminder-24h', 'starting-soon']);
  expect(sent[1]!.at - (start - 24 * HOUR)).toBeGreaterThanOrEqual(0);
  expect(sent[1]!.at - (start - 24 * HOUR)).toBeLessThan(1000);
  expect(sent[2]!.at - (start - 10 * MINUTE)).toBeGreaterThanOrEqual(0);
  expect(sent[2]!.at - (start - 10 * MINUTE)).toBeLessThan(1000);

  const row = await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(row.meetingJoinableAt).not.toBeNull(); // FR-6: the dashboard's "Join Now"
  // Queued by the workflow, sent by the outbox's drainer a moment later.
  const emails = await waitFor(async () => h.resend.emails().filter((e) => e.idempotencyKey?.includes(sessionId)), (list) => list.length >= 6);
  expect(emails.map((e) => e.subject.split(':')[0]).sort()).toEqual(['Starting soon', 'Starting soon', 'Tomorrow', 'Tomorrow', 'Your session "' + row.title + '" is confirmed', 'Your session "' + row.title + '" is confirmed'].sort());
  expect(emails.filter((e) => e.subject.startsWith('Tomorrow')).every((e) => e.text?.includes(row.meetingUrl ?? 'missing'))).toBe(true);
});

test('a reminder whose moment had passed at booking is skipped, not sent late', async () => {
  const { sessionId } = await book(5 * HOUR);
  await handle(sessionId).result();
  expect((await emailsScheduled(sessionId)).map((s) => s.what)).toEqual(['confirmation', 'starting-soon']);
});

test('2 h before the start, a session without a link raises one admin alert', async () => {
  h.google.faults.add({ operation: 'insert', status: 400, reason: 'invalid' }); // FAILED at once
  const { sessionId, start } = await book(6 * HOUR);
  await handle(sessionId).result();

  const sent = await emailsScheduled(sessionId);
  expect(sent.map((s) => s.what)).toEqual(['alert:creation-failed', 'alert:no-link-2h']);
  expect(sent[1]!.at - (start - 2 * HOUR)).toBeLessThan(1000);
  expect(sent[1]!.at).toBeGreaterThanOrEqual(start - 2 * HOUR);
  const alerts = h.resend.emails().filter((e) => e.to.includes(ADMIN_EMAIL) && e.text?.includes(sessionId));
  expect(alerts.map((a) => a.subject)).toEqual(['[session-meetings] Meeting creation failed with a permanent error', '[session-meetings] The session starts in 2 hours and has no meeting link']);
  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId, action: 'REMINDER_SKIPPED' } });
  expect(audit.map((a) => (a.detail as { reminder: string }).reminder)).toEqual(['starting-soon']);
});

test('reschedule moves the reminders to the new time', async () => {
  const { sessionId, start } = await book(2 * 24 * HOUR);
  const newStart = start + 3 * 24 * HOUR;
  await handle(sessionId).signal(rescheduleSignal, { startTime: new Date(newStart).toISOString(), endTime: new Date(newStart + HOUR).toISOString(), actor: 'test' });
  await waitFor(() => h.meetings.getMeetingStatus(sessionId), (s) => s.startTime === new Date(newStart).toISOString());
  expect((await h.meetings.getMeetingStatus(sessionId)).nextReminderAt).toBe(new Date(newStart - 24 * HOUR).toISOString());
  await handle(sessionId).result();

  const sent = await emailsScheduled(sessionId);
  expect(sent.map((s) => s.what)).toEqual(['confirmation', 'rescheduled', 'reminder-24h', 'starting-soon']);
  expect(sent[2]!.at - (newStart - 24 * HOUR)).toBeLessThan(1000);
  expect(sent[2]!.at).toBeGreaterThanOrEqual(newStart - 24 * HOUR);
  expect(sent[3]!.at - (newStart - 10 * MINUTE)).toBeLessThan(1000);
});

test('a link ready inside the last 10 minutes makes the session joinable at once, with no late "starting soon"', async () => {
  const { sessionId } = await book(5 * MINUTE);
  // Marked right after the link is stored, before the confirmation email: no timer in between.
  const row = await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }), (r) => r.meetingJoinableAt !== null);
  expect(row.meetingJoinableAt).not.toBeNull();
  await handle(sessionId).result();

  expect((await emailsScheduled(sessionId)).map((s) => s.what)).toEqual(['confirmation']);
  expect(await h.prisma.meetingAuditEvent.count({ where: { sessionId, action: 'MEETING_JOINABLE' } })).toBe(1);
});

test('a reschedule into the last 10 minutes makes the session joinable at once', async () => {
  const { sessionId } = await book(2 * 24 * HOUR);
  const newStart = (await h.env.currentTimeMs()) + 5 * MINUTE;
  await handle(sessionId).signal(rescheduleSignal, { startTime: new Date(newStart).toISOString(), endTime: new Date(newStart + HOUR).toISOString(), actor: 'test' });
  await handle(sessionId).result();

  expect((await emailsScheduled(sessionId)).map((s) => s.what)).toEqual(['confirmation', 'rescheduled']);
  const row = await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(row.meetingJoinableAt).not.toBeNull();
  expect(row.startTime.getTime()).toBe(newStart);
});

test('after a regeneration that failed, the reminders still go out with the link people have', async () => {
  const { sessionId } = await book(3 * 24 * HOUR);
  const { meetingUrl } = await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  h.google.configure({ outcome: 'failure' });
  await handle(sessionId).signal(regenerateSignal, { reason: 'teacher cannot join', actor: 'ops' });
  await handle(sessionId).result();

  expect((await emailsScheduled(sessionId)).map((s) => s.what)).toEqual(['confirmation', 'alert:regeneration-failed', 'reminder-24h', 'starting-soon']);
  const reminders = await waitFor(
    async () => h.resend.emails().filter((e) => e.idempotencyKey?.includes(`/${sessionId}/reminder-24h/`) || e.idempotencyKey?.includes(`/${sessionId}/starting-soon/`)),
    (list) => list.length >= 4,
  );
  expect(reminders).toHaveLength(4);
  expect(reminders.every((e) => e.text?.includes(meetingUrl ?? 'missing'))).toBe(true);
});

test('cancel stops the reminders and ends the workflow', async () => {
  const { sessionId } = await book(2 * 24 * HOUR);
  await handle(sessionId).signal(cancelSignal, { reason: 'student ill', actor: 'booking-service' });
  const result = await handle(sessionId).result();
  expect(result.meetingStatus).toBe('CANCELLED');
  expect((await emailsScheduled(sessionId)).map((s) => s.what)).toEqual(['confirmation', 'cancelled']);
});

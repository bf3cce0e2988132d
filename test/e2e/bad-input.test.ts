import { WorkflowFailedError } from '@temporalio/client';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { meetingStatusSearchAttribute } from '../../src/workflows/contract';
import { ADMIN_EMAIL, useHarness } from '../support/harness';
import { waitFor } from '../support/wait';

const h = useHarness({ server: 'dev-server' });

async function failureOf(sessionId: string): Promise<string> {
  await h.meetings.startSessionMeeting(sessionId);
  const error = await h.env.client.workflow
    .getHandle(sessionMeetingWorkflowId(sessionId))
    .result()
    .then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toMatchObject({ type: 'InvalidSession', nonRetryable: true });
  // Visible as FAILED in Temporal (list --status FAILED, the UI's MeetingStatus filter).
  const description = await h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).describe();
  expect(description.typedSearchAttributes.get(meetingStatusSearchAttribute)).toBe('FAILED');
  // A query on the closed workflow replays its history, patch marker included.
  expect(await h.meetings.getMeetingStatus(sessionId)).toMatchObject({ meetingStatus: 'FAILED', lastError: cause?.message, meetingUrl: null });
  return cause?.message ?? '';
}

const alertsAbout = (sessionId: string) => h.resend.emails().filter((e) => e.to.includes(ADMIN_EMAIL) && e.text?.includes(sessionId));

test('an unknown session fails its workflow with a clear error and writes nothing', async () => {
  const message = await failureOf('no-such-session');
  expect(message).toBe('session no-such-session does not exist');
  expect(await h.prisma.meetingAuditEvent.count({ where: { sessionId: 'no-such-session' } })).toBe(0);
  expect(h.google.requests).toHaveLength(0);
  expect(alertsAbout('no-such-session')).toHaveLength(0);
});

test.each([
  ['a teacher without an email', { teacherEmail: null }, 'the teacher has no email address'],
  ['a student without an email', { studentEmail: null }, 'the student has no email address'],
  ['an end not after the start', { startTime: new Date(Date.now() + 86400_000), endTime: new Date(Date.now() + 86400_000) }, 'the end time is not after the start time'],
  ['a session already over', { startTime: new Date(Date.now() - 7200_000), endTime: new Date(Date.now() - 3600_000) }, 'the session already ended'],
])('%s is refused: FAILED with the reason, audited, the admins alerted, no Calendar call', async (_name, seed, reason) => {
  const sessionId = await h.createSession(seed);
  const message = await failureOf(sessionId);
  expect(message).toContain(reason);

  const row = await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(row).toMatchObject({ meetingStatus: 'FAILED', meetingUrl: null, meetingEventId: null, meetingRetryCount: 0 });
  expect(row.meetingError).toContain(reason);
  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => a.action)).toEqual(['INVALID_SESSION', 'ADMIN_ALERTED']);
  const [alert] = await waitFor(async () => alertsAbout(sessionId), (list) => list.length === 1);
  expect(alert?.subject).toBe('[session-meetings] The session cannot get a meeting');
  expect(alert?.text).toContain(reason);
  expect(h.google.requests.filter((r) => JSON.stringify(r.body ?? '').includes(sessionId))).toHaveLength(0);
});

test('a workflow id that is not a session id is refused before anything runs', async () => {
  await expect(h.meetings.startSessionMeeting('bad id; drop table')).rejects.toThrow(/sessionId must be/);
});

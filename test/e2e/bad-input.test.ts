import { WorkflowFailedError } from '@temporalio/client';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { useHarness } from '../support/harness';

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
  return cause?.message ?? '';
}

test('an unknown session fails its workflow with a clear error and writes nothing', async () => {
  const message = await failureOf('no-such-session');
  expect(message).toBe('session no-such-session does not exist');
  expect(await h.prisma.meetingAuditEvent.count({ where: { sessionId: 'no-such-session' } })).toBe(0);
  expect(h.google.requests).toHaveLength(0);
});

test.each([
  ['a teacher without an email', { teacherEmail: null }, 'the teacher has no email address'],
  ['a student without an email', { studentEmail: null }, 'the student has no email address'],
  ['an end not after the start', { startTime: new Date(Date.now() + 86400_000), endTime: new Date(Date.now() + 86400_000) }, 'the end time is not after the start time'],
  ['a session already over', { startTime: new Date(Date.now() - 7200_000), endTime: new Date(Date.now() - 3600_000) }, 'the session already ended'],
])('%s is refused: FAILED with the reason, audited, no Calendar call', async (_name, seed, reason) => {
  const sessionId = await h.createSession(seed);
  const message = await failureOf(sessionId);
  expect(message).toContain(reason);

  const row = await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
  expect(row).toMatchObject({ meetingStatus: 'FAILED', meetingUrl: null, meetingEventId: null, meetingRetryCount: 0 });
  expect(row.meetingError).toContain(reason);
  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId } });
  expect(audit.map((a) => a.action)).toEqual(['INVALID_SESSION']);
  expect(h.google.requests.filter((r) => JSON.stringify(r.body ?? '').includes(sessionId))).toHaveLength(0);
});

test('a workflow id that is not a session id is refused before anything runs', async () => {
  await expect(h.meetings.startSessionMeeting('bad id; drop table')).rejects.toThrow(/sessionId must be/);
});

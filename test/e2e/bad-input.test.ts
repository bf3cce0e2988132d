import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { runCli } from '../../src/cli/main';
import { InvalidMeetingRequestError } from '../../src/client/session-meetings';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { meetingStatusSearchAttribute } from '../../src/workflows/contract';
import { TEST_DATABASE_URL } from '../support/env';
import { ADMIN_EMAIL, useHarness } from '../support/harness';
import { temporalCli } from '../support/temporal-cli';
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

test('a booking cancelled before its workflow loaded it ends CANCELLED, not FAILED: no alert, no Calendar call, the cancellation emailed', async () => {
  // The booking service writes the row, then signals; here the workflow's load comes after the write
  // and before the signal (the database slow at its start): it must not take the booking for invalid.
  const sessionId = await h.createSession();
  await h.prisma.session.update({ where: { id: sessionId }, data: { bookingStatus: 'CANCELLED' } });
  await h.meetings.startSessionMeeting(sessionId);
  const result = await h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).result();

  expect(result).toMatchObject({ meetingStatus: 'CANCELLED', meetingUrl: null, attempts: 0 });
  expect(await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ meetingStatus: 'CANCELLED', bookingStatus: 'CANCELLED', meetingError: null });
  const description = await h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).describe();
  expect(description.typedSearchAttributes.get(meetingStatusSearchAttribute)).toBe('CANCELLED');
  const cancelled = await waitFor(async () => h.resend.emails().filter((e) => e.idempotencyKey?.includes(`/${sessionId}/cancelled/`)), (list) => list.length === 2);
  expect(cancelled.every((e) => e.subject.startsWith('Cancelled'))).toBe(true);
  const audit = await waitFor(async () => (await h.prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } })).map((a) => [a.action, a.actor]), (list) => list.length >= 3);
  expect(audit).toEqual([['CANCELLED', 'system'], ['EMAIL_SENT', 'system'], ['EMAIL_SENT', 'system']]);
  expect(alertsAbout(sessionId)).toHaveLength(0);
  expect(h.google.requests.filter((r) => JSON.stringify(r.body ?? '').includes(sessionId))).toHaveLength(0);
});

test('a workflow id that is not a session id is refused before anything runs', async () => {
  await expect(h.meetings.startSessionMeeting('bad id; drop table')).rejects.toThrow(/sessionId must be/);
});

// ---- Workflow starts typed into the Temporal UI or `temporal workflow start` ----------------------

/** What the database holds about these sessions: their rows and audit trails, as one string. */
async function snapshot(sessionIds: string[]): Promise<string> {
  const sessions = await h.prisma.session.findMany({ where: { id: { in: sessionIds } }, orderBy: { id: 'asc' } });
  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId: { in: sessionIds } }, orderBy: { id: 'asc' } });
  return JSON.stringify({ sessions, audit }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

test('bad workflow starts from the temporal CLI fail at once, non-retryable, naming the field; nothing is written', async () => {
  const stored = await h.createSession();
  const before = await snapshot([stored]);
  const cases: Array<{ name: string; workflowId: string; input: string[]; message: RegExp }> = [
    { name: '{}', workflowId: 'bad-start-empty-object', input: ['--input', '{}'], message: /^sessionId is missing from the workflow input/ },
    { name: 'no input', workflowId: 'bad-start-no-input', input: [], message: /^the workflow input must be a JSON object .*\(got no input\)$/ },
    { name: 'null', workflowId: 'bad-start-null', input: ['--input', 'null'], message: /^the workflow input must be a JSON object .*\(got null\)$/ },
    { name: '42', workflowId: 'bad-start-number', input: ['--input', '42'], message: /\(got 42\)$/ },
    { name: '[]', workflowId: 'bad-start-array', input: ['--input', '[]'], message: /\(got \[\]\)$/ },
    { name: '{"sessionId": 42}', workflowId: 'session-meeting-42', input: ['--input', '{"sessionId": 42}'], message: /^sessionId must be 1-100 letters, digits, '-' or '_' \(got 42\)$/ },
    { name: 'an id of 1,000 characters', workflowId: 'bad-start-long-id', input: ['--input', JSON.stringify({ sessionId: 'a'.repeat(1000) })], message: /^sessionId must be .*\(1000 characters\)\)$/ },
    { name: 'an id with spaces', workflowId: 'bad-start-spaces', input: ['--input', '{"sessionId": "drop table"}'], message: /^sessionId must be .*\(got "drop table"\)$/ },
    {
      name: 'a workflow id that is not session-meeting-<sessionId>',
      workflowId: `session-meeting-not-${stored}`,
      input: ['--input', JSON.stringify({ sessionId: stored })],
      message: new RegExp(`^the workflow id "session-meeting-not-${stored}" does not match the input's sessionId: it must be ${sessionMeetingWorkflowId(stored)}$`),
    },
  ];
  const start = (c: (typeof cases)[number]) =>
    temporalCli(h, 'workflow', 'start', '--type', 'SessionMeetingWorkflow', '--task-queue', h.taskQueue, '--workflow-id', c.workflowId, ...c.input);
  await Promise.all(cases.map(start));

  await Promise.all(
    cases.map(async (c) => {
      const handle = h.env.client.workflow.getHandle(c.workflowId);
      const error = await handle.result().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause;
      expect({ name: c.name, type: (cause as ApplicationFailure).type, nonRetryable: (cause as ApplicationFailure).nonRetryable }).toEqual({ name: c.name, type: 'InvalidWorkflowInput', nonRetryable: true });
      expect(cause?.message).toMatch(c.message);
      // Failed on its first workflow task: never a task failure retried over and over.
      const history = await handle.fetchHistory();
      expect(history.events?.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
      expect(history.events?.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
      expect((await handle.describe()).status.name).toBe('FAILED');
    }),
  );
  expect(await snapshot([stored])).toBe(before);
  expect(h.google.requests).toEqual([]);
  expect(h.resend.emails()).toEqual([]);
});

// ---- Signals typed into the Temporal UI or `temporal workflow signal` ----------------------------

test('bad signals from the temporal CLI are not acted on but audited with the reason; unknown fields are ignored', async () => {
  const sessionId = await h.createSession();
  await h.meetings.startSessionMeeting(sessionId);
  const active = await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }), (r) => r.meetingStatus === 'ACTIVE');
  const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const DAY = 86_400_000;
  const cases: Array<[signal: string, input: unknown, problem: string]> = [
    ['cancel', { actor: 5 }, 'actor must be a string'],
    ['cancel', [1, 2], 'the payload must be a JSON object'],
    ['regenerate', 'please', 'the payload must be a JSON object'],
    ['regenerate', { actor: 'ops', reason: 'x'.repeat(1001) }, 'reason is longer than 1000 characters'],
    ['cancel', { actor: 'ops', note: 'x'.repeat(70_000) }, 'more than the 64 KB allowed'],
    ['reschedule', { actor: 'ops', startTime: '10000-01-01T10:00:00Z', endTime: '10000-01-01T11:00:00Z' }, 'startTime "10000-01-01T10:00:00Z" is not an ISO-8601 time'],
    ['reschedule', { actor: 'ops', startTime: '2027-02-30T10:00:00Z', endTime: '2027-02-30T11:00:00Z' }, 'startTime "2027-02-30T10:00:00Z" is not an ISO-8601 time'],
    ['reschedule', { actor: 'ops', startTime: iso(-3600_000), endTime: iso(3600_000) }, 'is in the past'],
    ['reschedule', { actor: 'ops', startTime: iso(400 * DAY), endTime: iso(400 * DAY + 3600_000) }, 'is more than a year ahead'],
    ['reschedule', { actor: 'ops', startTime: iso(3 * DAY), endTime: iso(2 * DAY) }, 'the end must be after the start'],
    ['reschedule', { actor: 'ops', startTime: iso(3 * DAY), endTime: iso(3 * DAY) }, 'the session has no length'],
    ['reschedule', { actor: 'ops', startTime: 1767261600000, endTime: iso(3 * DAY) }, 'startTime 1767261600000 is not an ISO-8601 time'],
    ['reschedule', { actor: 'ops', startTime: iso(3 * DAY) }, 'endTime is required'],
  ];
  await Promise.all(
    cases.map(([signal, input]) => temporalCli(h, 'workflow', 'signal', '--workflow-id', sessionMeetingWorkflowId(sessionId), '--name', signal, '--input', JSON.stringify(input))),
  );
  const rejected = await waitFor(
    () => h.prisma.meetingAuditEvent.findMany({ where: { sessionId, action: 'SIGNAL_REJECTED' } }),
    (rows) => rows.length >= cases.length,
  );
  // Each rejected once: a signal audited twice fails here, not as a timeout.
  expect(rejected).toHaveLength(cases.length);
  const audited = rejected.map((row) => `${(row.detail as { signal?: string }).signal}: ${row.error}`);
  for (const [signal, , problem] of cases) expect(audited.some((line) => line.startsWith(`${signal}: `) && line.includes(problem))).toBe(true);
  expect(rejected.filter((row) => row.actor === 'unknown').map((row) => row.error)).toEqual(expect.arrayContaining(['actor must be a string', 'the payload must be a JSON object']));
  // None was acted on: the link, the times and the event are as they were.
  expect(await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: active.meetingUrl, startTime: active.startTime });
  expect(h.google.requests.filter((r) => r.operation === 'delete' || r.operation === 'patch')).toEqual([]);

  // Unknown fields are ignored: this one moves the session.
  const startTime = iso(5 * DAY);
  await temporalCli(h, 'workflow', 'signal', '--workflow-id', sessionMeetingWorkflowId(sessionId), '--name', 'reschedule', '--input', JSON.stringify({ startTime, endTime: iso(5 * DAY + 3600_000), actor: 'ops', colour: 'blue' }));
  await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }), (r) => r.startTime.toISOString() === startTime);
});

test('the client refuses the same requests before sending: nothing reaches the workflow history', async () => {
  const sessionId = await h.createSession();
  await h.meetings.startSessionMeeting(sessionId);
  await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }), (r) => r.meetingStatus === 'ACTIVE');
  const handle = h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId));
  const signalsIn = async () => (await handle.fetchHistory()).events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  const before = await signalsIn();
  const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const refusals = await Promise.all([
    h.meetings.rescheduleSession(sessionId, { startTime: '10000-01-01T10:00:00Z', endTime: '10000-01-01T11:00:00Z' }),
    h.meetings.rescheduleSession(sessionId, { startTime: iso(-3600_000), endTime: iso(3600_000) }),
    h.meetings.rescheduleSession(sessionId, { startTime: iso(400 * 86_400_000), endTime: iso(400 * 86_400_000 + 3600_000) }),
    h.meetings.cancelSessionMeeting(sessionId, { actor: 'ops', reason: 'x'.repeat(70_000) }),
    h.meetings.regenerateMeetingLink(sessionId, { actor: 7 as unknown as string }),
  ].map((request) => request.then(() => undefined, (e: unknown) => e)));
  expect(refusals.every((error) => error instanceof InvalidMeetingRequestError)).toBe(true);
  expect(refusals.map((error) => (error as Error).message)).toEqual([
    expect.stringMatching(/^reschedule refused: startTime "10000-01-01T10:00:00Z" is not an ISO-8601 time/),
    expect.stringMatching(/^reschedule refused: the start .* is in the past$/),
    expect.stringMatching(/^reschedule refused: the start .* is more than a year ahead$/),
    'cancel refused: the payload is 70027 bytes, more than the 64 KB allowed',
    'regenerate refused: actor must be a string',
  ]);
  expect(await signalsIn()).toBe(before);
});

// ---- The project CLI (`npm run cli`), run in this process against the same server ----------------

/** One CLI run: its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await runCli(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('the project CLI', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, { DATABASE_URL: TEST_DATABASE_URL, TEMPORAL_ADDRESS: h.env.address, TEMPORAL_TASK_QUEUE: h.taskQueue });
  });
  afterAll(() => {
    process.env = saved;
  });

  const unique = () => randomUUID().slice(0, 8);
  const book = (override: Record<string, string>) => {
    const options: Record<string, string> = { title: 'Algebra', 'teacher-email': `t-${unique()}@example.com`, 'student-email': `s-${unique()}@example.com`, start: '+2d', ...override };
    return { emails: [options['teacher-email'] ?? '', options['student-email'] ?? ''], args: ['book', ...Object.entries(options).flatMap(([k, v]) => [`--${k}`, v])] };
  };

  test.each([
    ['a malformed email', { 'teacher-email': 'ann@localhost' }, '--teacher-email "ann@localhost" is not an email address'],
    ['header injection in an email', { 'student-email': 's@example.com\r\nBcc: victim@example.com' }, '--student-email "s@example.com\\r\\nBcc: victim@example.com" is not an email address'],
    ['header injection in a title', { title: 'Algebra\r\nBcc: victim@example.com' }, '--title must be one line: no line breaks or control characters'],
    ['header injection in a name', { 'teacher-name': 'Ann\nBcc: victim@example.com' }, '--teacher-name must be one line: no line breaks or control characters'],
    ['an unknown time zone', { 'student-tz': 'Mars/Olympus_Mons' }, '--student-tz "Mars/Olympus_Mons" is not an IANA time zone (e.g. Europe/Berlin)'],
    ['an impossible date', { start: '2027-02-30T10:00:00Z' }, '--start "2027-02-30T10:00:00Z" is neither an ISO-8601 time with an offset'],
    ['a time that does not exist', { start: '2027-01-10T24:00:00Z' }, '--start "2027-01-10T24:00:00Z" is neither an ISO-8601 time with an offset'],
    ['a year-10000 end', { end: '10000-01-01T10:00:00Z' }, '--end "10000-01-01T10:00:00Z" is not an ISO-8601 time with an offset'],
    ['zero minutes', { minutes: '0' }, '--minutes must be a whole number from 1 to 720'],
    ['a start more than a year ahead', { start: '+400d' }, 'is more than a year ahead'],
  ])('book with %s is refused (exit 2), naming the field; nothing is written', async (_name, override, problem) => {
    const { emails, args } = book(override);
    const result = await cli(...args);
    expect(result).toEqual({ code: 2, stdout: '', stderr: expect.stringContaining(problem) });
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(await h.prisma.user.count({ where: { email: { in: emails } } })).toBe(0);
  });

  test.each([
    ['reschedule into year 10000', ['reschedule', 'any-session', '--start', '10000-01-01T10:00:00Z', '--minutes', '60'], 'reschedule refused: startTime "10000-01-01T10:00:00Z" is not an ISO-8601 time'],
    ['reschedule to an impossible date', ['reschedule', 'any-session', '--start', '2027-02-29T10:00:00Z', '--minutes', '60'], 'reschedule refused: startTime "2027-02-29T10:00:00Z" is not an ISO-8601 time'],
    ['reschedule with the end before the start', ['reschedule', 'any-session', '--start', '+2d', '--end', new Date(Date.now() + 86_400_000).toISOString()], 'reschedule refused: the end must be after the start'],
    ['a session id with spaces', ['status', 'drop table'], "sessionId must be 1-100 letters, digits, '-' or '_' (got \"drop table\")"],
    ['an unknown status filter', ['list', '--status', 'BROKEN'], '--status must be one of PENDING, CREATING, ACTIVE, FAILED, CANCELLED'],
  ])('%s is refused (exit 2) before anything is sent', async (_name, args, problem) => {
    const result = await cli(...args);
    expect(result.stderr).toContain(problem);
    expect(result.code).toBe(2);
  });

  test('an unreachable database is named in one line, no stack trace, exit 1', async () => {
    process.env.DATABASE_URL = 'postgresql://postgres:s3cret@127.0.0.1:1/session_meetings';
    try {
      expect(await cli('stats')).toEqual({ code: 1, stdout: '', stderr: 'error: cannot reach PostgreSQL at 127.0.0.1:1/session_meetings: connection refused\n' });
    } finally {
      process.env.DATABASE_URL = TEST_DATABASE_URL;
    }
  });

  test('HTML in a title is kept as text: escaped in the emails people get', async () => {
    const title = '<script>alert("x")</script> & <b>Algebra</b>';
    const { args } = book({ title });
    const result = await cli(...args);
    expect(result.code).toBe(0);
    const sessionId = result.stdout.trim();
    const [email] = await waitFor(async () => h.resend.emails().filter((e) => e.idempotencyKey?.includes(`/${sessionId}/confirmation/`)), (list) => list.length === 2);
    expect(email?.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#60;b&#62;Algebra&#60;/b&#62;');
    expect(email?.html).not.toContain('<script>');
    expect(email?.subject).toBe(`Your session "${title}" is confirmed: Google Meet link inside`); // a subject is plain text
  });
});

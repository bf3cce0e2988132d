import { outageAlertKey } from '../../src/domain/admin-alerts';
import { BookingError, parseBooking } from '../../src/domain/booking-request';
import { isEmailAddress, isMailbox } from '../../src/domain/email-address';
import { creationAlertKind, describeGoogleError, GOOGLE_CREDENTIALS_ERROR, isCredentialsFailure } from '../../src/domain/google-errors';
import { sessionTimeProblems } from '../../src/domain/instants';
import { MAX_SIGNAL_PAYLOAD_BYTES, parseAdminRequest, parseReschedule } from '../../src/domain/meeting-commands';
import { workflowInputProblem } from '../../src/domain/workflow-input';

// The bad-input table's rules as plain functions; the e2e files try the same inputs on the real worker.

const now = new Date('2026-11-24T12:00:00Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const DAY = 86_400_000;

describe('workflow input (Temporal UI, temporal workflow start)', () => {
  test.each([
    ['{}', {}, 'session-meeting-x', /^sessionId is missing from the workflow input/],
    ['no input', undefined, 'session-meeting-x', /must be a JSON object .*\(got no input\)$/],
    ['null', null, 'session-meeting-x', /\(got null\)$/],
    ['42', 42, 'session-meeting-x', /\(got 42\)$/],
    ['[]', [], 'session-meeting-x', /\(got \[\]\)$/],
    ['{"sessionId": 42}', { sessionId: 42 }, 'session-meeting-42', /^sessionId must be 1-100 letters, digits, '-' or '_' \(got 42\)$/],
    ['an id with spaces', { sessionId: 'a b' }, 'session-meeting-a b', /^sessionId must be .*\(got "a b"\)$/],
    ['a mismatched workflow id', { sessionId: 'abc' }, 'session-meeting-xyz', /^the workflow id "session-meeting-xyz" does not match the input's sessionId: it must be session-meeting-abc$/],
  ])('%s is refused, naming the field', (_name, input, workflowId, message) => {
    expect(workflowInputProblem(input, workflowId)).toMatch(message);
  });

  test('an id of 1,000 characters is refused without echoing it all', () => {
    const problem = workflowInputProblem({ sessionId: 'a'.repeat(1000) }, 'x');
    expect(problem).toMatch(/^sessionId must be .*\.\.\. \(1000 characters\)\)$/);
    expect(problem?.length).toBeLessThan(150);
  });

  test('a good start passes; further fields are ignored', () => {
    expect(workflowInputProblem({ sessionId: 'cmabc_1-2' }, 'session-meeting-cmabc_1-2')).toBeUndefined();
    expect(workflowInputProblem({ sessionId: 'abc', carried: { generation: 2 } }, 'session-meeting-abc')).toBeUndefined();
  });
});

describe('signal payloads', () => {
  test(`a payload over ${MAX_SIGNAL_PAYLOAD_BYTES / 1024} KB is rejected, whatever field carries it`, () => {
    const parsed = parseAdminRequest('cancel', { actor: 'ops', note: 'x'.repeat(MAX_SIGNAL_PAYLOAD_BYTES) });
    expect(parsed).toEqual({ ok: false, signal: 'cancel', actor: 'unknown', problem: `the payload is ${MAX_SIGNAL_PAYLOAD_BYTES + 25} bytes, more than the 64 KB allowed` });
  });

  test('unknown fields are ignored', () => {
    expect(parseAdminRequest('regenerate', { actor: 'ops', colour: 'blue' })).toEqual({ ok: true, command: { kind: 'regenerate', actor: 'ops', reason: null } });
  });

  test.each([
    ['year 10000', { startTime: '10000-01-01T10:00:00Z', endTime: '10000-01-01T11:00:00Z' }, 'startTime "10000-01-01T10:00:00Z" is not an ISO-8601 time with an offset'],
    ['an impossible date', { startTime: '2027-02-30T10:00:00Z', endTime: '2027-02-30T11:00:00Z' }, 'startTime "2027-02-30T10:00:00Z" is not an ISO-8601 time'],
    ['a start in the past', { startTime: at(-3600_000).toISOString(), endTime: at(3600_000).toISOString() }, 'the start 2026-11-24T11:00:00.000Z is in the past'],
    ['more than a year ahead', { startTime: at(400 * DAY).toISOString(), endTime: at(400 * DAY + 3600_000).toISOString() }, 'the start 2027-12-29T12:00:00.000Z is more than a year ahead'],
    ['the end before the start', { startTime: at(2 * DAY).toISOString(), endTime: at(DAY).toISOString() }, 'the end must be after the start'],
    ['zero length', { startTime: at(DAY).toISOString(), endTime: at(DAY).toISOString() }, 'the session has no length: the end must be after the start'],
    ['a number for a time', { startTime: 5, endTime: at(DAY).toISOString() }, 'startTime 5 is not an ISO-8601 time with an offset'],
  ])('a reschedule to %s is rejected with the reason', (_name, payload, problem) => {
    expect(parseReschedule({ ...payload, actor: 'ops' }, now)).toEqual({ ok: false, signal: 'reschedule', actor: 'ops', problem: expect.stringContaining(problem) });
  });

  test('workflows started before these checks keep the old, lenient ones (replay decides alike)', () => {
    const farAhead = { startTime: at(400 * DAY).toISOString(), endTime: at(400 * DAY + 3600_000).toISOString(), actor: 'ops' };
    expect(parseReschedule(farAhead, now, 'lenient')).toMatchObject({ ok: true });
    expect(parseAdminRequest('cancel', { note: 'x'.repeat(MAX_SIGNAL_PAYLOAD_BYTES) }, 'lenient')).toMatchObject({ ok: true });
  });

  test('a year ahead, to the day, is still accepted', () => {
    expect(sessionTimeProblems(at(365 * DAY), at(365 * DAY + 3600_000), now)).toEqual([]);
  });
});

describe('bookings from the CLI and the client', () => {
  const good = { title: 'Algebra', teacherEmail: 't@example.com', studentEmail: 's@example.com', start: '2026-12-01T15:00:00Z', minutes: '60' };
  const problems = (override: Record<string, string>) => {
    try {
      parseBooking({ ...good, ...override }, now);
      return [];
    } catch (error) {
      if (error instanceof BookingError) return error.problems;
      throw error;
    }
  };

  test.each([
    ['a title with CR/LF', { title: 'Algebra\r\nBcc: victim@example.com' }, '--title must be one line: no line breaks or control characters'],
    ['a name with CR/LF', { teacherName: 'Ann\r\nBcc: victim@example.com' }, '--teacher-name must be one line: no line breaks or control characters'],
    ['an email with CR/LF', { studentEmail: 's@example.com\r\nBcc: victim@example.com' }, '--student-email "s@example.com\\r\\nBcc: victim@example.com" is not an email address'],
    ['an email without a domain dot', { teacherEmail: 'ann@localhost' }, '--teacher-email "ann@localhost" is not an email address'],
    ['an email with angle brackets', { teacherEmail: '<ann@example.com>' }, '--teacher-email "<ann@example.com>" is not an email address'],
    ['an unknown time zone', { studentTimeZone: 'Mars/Olympus_Mons' }, '--student-tz "Mars/Olympus_Mons" is not an IANA time zone (e.g. Europe/Berlin)'],
    ['an impossible date', { start: '2026-11-31T10:00:00Z' }, '--start "2026-11-31T10:00:00Z" is neither an ISO-8601 time with an offset'],
    ['more than a year ahead', { start: '+400d' }, 'is more than a year ahead'],
  ])('%s is refused, naming the field', (_name, override, problem) => {
    expect(problems(override)).toEqual([expect.stringContaining(problem)]);
  });

  test('one email pattern for bookings, stored users and configured addresses', () => {
    expect(['a@b.co', 'first.last+tag@school.example.org'].every(isEmailAddress)).toBe(true);
    expect(['a@b', 'a b@c.de', 'a@b.c\n', '@b.co', 'a@@b.co'].some(isEmailAddress)).toBe(false);
    expect(isMailbox('Sessions <sessions@example.com>')).toBe(true);
    expect(isMailbox('Sessions\r\nBcc: x <sessions@example.com>')).toBe(false);
  });
});

describe('the service account losing its access', () => {
  test.each([
    [401, 'authError'],
    [403, 'forbidden'],
    [403, 'forbiddenForServiceAccounts'],
    [400, 'invalid_grant'],
    [400, 'unauthorized_client'],
  ])('%i %s is a credentials failure', (status, reason) => expect(isCredentialsFailure(status, reason)).toBe(true));

  test.each([
    [403, 'rateLimitExceeded'],
    [400, 'badRequest'],
    [404, 'notFound'],
    [500, 'backendError'],
  ])('%i %s is not', (status, reason) => expect(isCredentialsFailure(status, reason)).toBe(false));

  test("the token endpoint's recorded invalid_grant answer (a gaxios error) is classified from its body", () => {
    const error = Object.assign(new Error('invalid_grant: Invalid grant: account not found'), {
      status: 400,
      response: { status: 400, data: { error: 'invalid_grant', error_description: 'Invalid grant: account not found' } },
    });
    expect(describeGoogleError(error)).toEqual({
      status: 400,
      reason: 'invalid_grant',
      message: "Google's token endpoint answered 400 invalid_grant: Invalid grant: account not found",
      retryable: false,
      credentials: true,
    });
  });

  test('a credentials failure raises the `credentials` alert, once per hour across sessions', () => {
    expect(creationAlertKind(GOOGLE_CREDENTIALS_ERROR)).toBe('credentials');
    expect(creationAlertKind('GoogleCalendarError')).toBe('creation-failed');
    expect(outageAlertKey('credentials', 'session-meetings', new Date('2026-11-25T17:59:59Z'))).toBe('credentials/session-meetings/2026-11-25T17');
    expect(outageAlertKey('creation-failed', 'session-meetings', now)).toBeUndefined();
  });
});

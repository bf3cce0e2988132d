import { BookingError, parseBooking } from '../../src/domain/booking-request';
import { sessionMeetingProblems, sessionStartDecision, type SessionForValidation } from '../../src/domain/session-validation';

const now = new Date('2026-11-24T12:00:00Z');
const good = { title: 'Algebra basics', teacherEmail: 'T@Example.com', studentEmail: 's@example.com', start: '2026-12-01T15:00:00Z', minutes: '60' };

function problems(input: Record<string, string | undefined>): string[] {
  try {
    parseBooking(input, now);
  } catch (error) {
    if (error instanceof BookingError) return error.problems;
    throw error;
  }
  return [];
}

test('a good booking parses, with defaults for names and zones', () => {
  expect(parseBooking(good, now)).toEqual({
    title: 'Algebra basics',
    description: null,
    teacher: { email: 't@example.com', name: 't', timeZone: 'UTC' },
    student: { email: 's@example.com', name: 's', timeZone: 'UTC' },
    startTime: new Date('2026-12-01T15:00:00Z'),
    endTime: new Date('2026-12-01T16:00:00Z'),
  });
});

test('a start may be typed as a time from now', () => {
  expect(parseBooking({ ...good, start: '+2d' }, now)).toMatchObject({ startTime: new Date('2026-11-26T12:00:00Z'), endTime: new Date('2026-11-26T13:00:00Z') });
  expect(parseBooking({ ...good, start: '+90m' }, now).startTime).toEqual(new Date('2026-11-24T13:30:00Z'));
});

test.each([
  [{ title: ' ' }, '--title is required'],
  [{ teacherEmail: 'nope' }, '--teacher-email "nope" is not an email address'],
  [{ studentEmail: 'T@example.com' }, 'the teacher and the student must be different people'],
  [{ start: '2026-12-01 15:00' }, 'is neither an ISO-8601 time with an offset'],
  [{ start: '2026-12-01T15:00:00' }, 'is neither an ISO-8601 time with an offset'],
  [{ start: '+soon' }, '--start "+soon" is neither an ISO-8601 time with an offset (e.g. 2026-12-01T15:00:00Z) nor a time from now (e.g. +2d)'],
  [{ start: '+-1h' }, 'nor a time from now'],
  [{ minutes: '0' }, '--minutes must be a whole number'],
  [{ minutes: '1.5' }, '--minutes must be a whole number'],
  [{ start: '2026-11-20T10:00:00Z' }, 'the session would already be over'],
  [{ minutes: undefined, end: '2026-12-01T14:00:00Z' }, 'the end must be after the start'],
  [{ end: '2026-12-01T16:00:00Z' }, 'give --minutes or --end, not both'],
  [{ teacherTimeZone: 'Berlin' }, '--teacher-tz "Berlin" is not an IANA time zone'],
])('%j is refused: %s', (override, problem) => {
  expect(problems({ ...good, ...override }).join('\n')).toContain(problem);
});

test('every problem is reported at once', () => {
  expect(problems({})).toEqual(['--title is required', '--teacher-email is required', '--student-email is required', '--start is required']);
});

describe('sessionMeetingProblems', () => {
  const session: SessionForValidation = {
    id: 's',
    title: 't',
    startTime: new Date('2026-12-01T15:00:00Z'),
    endTime: new Date('2026-12-01T16:00:00Z'),
    bookingStatus: 'CONFIRMED',
    teacher: { email: 't@example.com', timeZone: 'Europe/Berlin' },
    student: { email: 's@example.com', timeZone: 'UTC' },
  };

  test('a good session has none', () => expect(sessionMeetingProblems(session, now)).toEqual([]));

  test('each problem is named', () => {
    expect(
      sessionMeetingProblems(
        { ...session, bookingStatus: 'CANCELLED', teacher: { email: null, timeZone: 'Nowhere/Land' }, student: { email: 'bad', timeZone: 'UTC' }, endTime: session.startTime },
        now,
      ),
    ).toEqual([
      'booking status is CANCELLED, not CONFIRMED',
      'the teacher has no email address',
      'the teacher\'s time zone "Nowhere/Land" is not an IANA time zone',
      'the student\'s email address "bad" is not valid',
      'the end time is not after the start time',
    ]);
  });

  test('a session that is over cannot get a meeting, one that is under way can', () => {
    expect(sessionMeetingProblems(session, new Date('2026-12-01T16:00:00Z'))).toEqual(['the session already ended at 2026-12-01T16:00:00.000Z']);
    expect(sessionMeetingProblems(session, new Date('2026-12-01T15:30:00Z'))).toEqual([]);
  });

  test('a booking cancelled before its meeting was made is to end cancelled, unless it is also invalid', () => {
    expect(sessionStartDecision(session, now)).toEqual({ kind: 'book' });
    expect(sessionStartDecision({ ...session, bookingStatus: 'CANCELLED' }, now)).toEqual({ kind: 'booking-cancelled', problems: ['booking status is CANCELLED, not CONFIRMED'] });
    expect(sessionStartDecision({ ...session, bookingStatus: 'CANCELLED', student: { email: null, timeZone: 'UTC' } }, now)).toEqual({
      kind: 'invalid',
      problems: ['booking status is CANCELLED, not CONFIRMED', 'the student has no email address'],
    });
    expect(sessionStartDecision({ ...session, bookingStatus: 'PENDING' }, now)).toEqual({ kind: 'invalid', problems: ['booking status is PENDING, not CONFIRMED'] });
  });
});

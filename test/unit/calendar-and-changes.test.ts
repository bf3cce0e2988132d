import { meetingEventBody, readCalendarEvent, sessionEventFacts } from '../../src/domain/calendar-event';
import { recordForChange } from '../../src/domain/meeting-changes';
import { FaultPlan } from '../../src/standins/faults';

const now = new Date('2026-11-24T12:00:00Z');

test('the event asks for a Meet conference, invites both, and sets the spec’s guest permissions', () => {
  const body = meetingEventBody({
    eventId: 'abcde',
    requestId: 'r1',
    title: 'Algebra',
    description: null,
    startTime: new Date('2026-12-01T15:00:00Z'),
    endTime: new Date('2026-12-01T16:00:00Z'),
    teacherEmail: 't@example.com',
    studentEmail: 's@example.com',
  });
  expect(body).toMatchObject({
    id: 'abcde',
    start: { dateTime: '2026-12-01T15:00:00.000Z', timeZone: 'UTC' },
    attendees: [{ email: 't@example.com' }, { email: 's@example.com' }],
    conferenceData: { createRequest: { requestId: 'r1', conferenceSolutionKey: { type: 'hangoutsMeet' } } },
    guestsCanModify: false,
    guestsCanInviteOthers: false,
    guestsCanSeeOtherGuests: true,
  });
});

test('a session’s event facts: its times and text, the two people’s emails, the ids chosen for it', () => {
  const session = {
    title: 'Algebra',
    description: 'Chapter 3',
    startTime: new Date('2026-12-01T15:00:00Z'),
    endTime: new Date('2026-12-01T16:00:00Z'),
    teacher: { email: 't@example.com', name: 'T' },
    student: { email: 's@example.com', name: 'S' },
  };
  expect(sessionEventFacts(session, 'abcde', 'r1')).toEqual({
    eventId: 'abcde',
    requestId: 'r1',
    title: 'Algebra',
    description: 'Chapter 3',
    startTime: session.startTime,
    endTime: session.endTime,
    teacherEmail: 't@example.com',
    studentEmail: 's@example.com',
  });
});

describe('readCalendarEvent', () => {
  const meet = 'https://meet.google.com/abc-defg-hij';
  test.each([
    ['pending', { createRequest: { status: { statusCode: 'pending' } } }, { status: 'pending' }],
    ['failure', { createRequest: { status: { statusCode: 'failure' } } }, { status: 'failure' }],
    ['success', { createRequest: { status: { statusCode: 'success' } }, entryPoints: [{ entryPointType: 'phone', uri: 'tel:+1' }, { entryPointType: 'video', uri: meet }] }, { status: 'success', meetingUrl: meet }],
    ['no conference', undefined, { status: 'missing' }],
  ])('%s', (_name, conferenceData, expected) => {
    expect(readCalendarEvent({ id: 'abcde', conferenceData }).conference).toEqual(expected);
  });

  test('a deleted event is seen as cancelled', () => expect(readCalendarEvent({ id: 'abcde', status: 'cancelled' }).cancelled).toBe(true));
  test('an answer that is not an event is refused', () => expect(() => readCalendarEvent({ kind: 'x' })).toThrow(/not an event/));
  test('a link that is not a Meet URL is refused', () => {
    expect(() => readCalendarEvent({ id: 'a', conferenceData: { entryPoints: [{ entryPointType: 'video', uri: 'https://evil.example/x' }] } })).toThrow(/not a Meet URL/);
  });
});

describe('recordForChange', () => {
  test('an attempt marks CREATING with the retry count and the time', () => {
    expect(recordForChange({ kind: 'attemptStarted', generation: 1, attempt: 3 }, now)).toEqual({
      session: { meetingStatus: 'CREATING', meetingRetryCount: 2, meetingLastAttemptAt: now },
      audit: { action: 'ATTEMPT_STARTED', actor: 'system', outcome: 'INFO', error: null, detail: { generation: 1, attempt: 3 } },
    });
  });

  test('ACTIVE stores the link and clears the last error', () => {
    const { session, audit } = recordForChange({ kind: 'meetingActive', generation: 1, attempt: 1, eventId: 'e', meetingUrl: 'u' }, now);
    expect(session).toEqual({ meetingStatus: 'ACTIVE', meetingUrl: 'u', meetingEventId: 'e', meetingCreatedAt: now, meetingError: null });
    expect(audit.outcome).toBe('SUCCESS');
  });

  test('a failed attempt keeps the status and records the error; a final failure is FAILED', () => {
    expect(recordForChange({ kind: 'attemptFailed', generation: 1, attempt: 1, error: 'x', retryInMs: 30_000 }, now).session).toEqual({ meetingError: 'x' });
    expect(recordForChange({ kind: 'creationFailed', generation: 1, attempts: 4, error: 'x', permanent: false }, now)).toMatchObject({
      session: { meetingStatus: 'FAILED', meetingError: 'x' },
      audit: { action: 'ATTEMPTS_EXHAUSTED' },
    });
    expect(recordForChange({ kind: 'creationFailed', generation: 1, attempts: 1, error: 'x', permanent: true }, now).audit.action).toBe('CREATION_FAILED_PERMANENTLY');
  });

  test('a failed regeneration leaves the current link ACTIVE, touching neither its URL nor its event', () => {
    expect(recordForChange({ kind: 'regenerationFailed', generation: 2, attempts: 4, error: 'x' }, now)).toEqual({
      session: { meetingStatus: 'ACTIVE', meetingError: 'x' },
      audit: { action: 'REGENERATION_FAILED', actor: 'system', outcome: 'FAILURE', error: 'x', detail: { generation: 2, attempts: 4 } },
    });
  });
});

describe('recordForChange: the admin\'s changes', () => {
  test('reschedule moves the row\'s times and clears "joinable", audited with the actor', () => {
    expect(recordForChange({ kind: 'rescheduled', startTime: '2026-12-02T15:00:00.000Z', endTime: '2026-12-02T16:00:00.000Z', actor: 'ops' }, now)).toEqual({
      session: { startTime: new Date('2026-12-02T15:00:00Z'), endTime: new Date('2026-12-02T16:00:00Z'), meetingJoinableAt: null },
      audit: { action: 'RESCHEDULED', actor: 'ops', outcome: 'SUCCESS', error: null, detail: { startTime: '2026-12-02T15:00:00.000Z', endTime: '2026-12-02T16:00:00.000Z' } },
    });
  });

  test('cancel marks meeting and booking CANCELLED and forgets the dead link', () => {
    expect(recordForChange({ kind: 'cancelled', actor: 'svc', reason: 'refund' }, now).session).toEqual({
      meetingStatus: 'CANCELLED',
      bookingStatus: 'CANCELLED',
      meetingUrl: null,
      meetingJoinableAt: null,
    });
  });

  test('joinable is stamped with the time; rejected signals are audited as failures, changing nothing', () => {
    expect(recordForChange({ kind: 'joinable' }, now).session).toEqual({ meetingJoinableAt: now });
    expect(recordForChange({ kind: 'signalRejected', signal: 'reschedule', problem: 'p', actor: 'a' }, now)).toEqual({
      session: {},
      audit: { action: 'SIGNAL_REJECTED', actor: 'a', outcome: 'FAILURE', error: 'p', detail: { signal: 'reschedule' } },
    });
  });
});

describe('FaultPlan', () => {
  test('a fault for the first N calls is used up by them', () => {
    const plan = new FaultPlan();
    plan.add({ operation: 'insert', status: 503, times: 2 });
    expect([plan.take('insert'), plan.take('get'), plan.take('insert'), plan.take('insert')].map((f) => f?.status)).toEqual([503, undefined, 503, undefined]);
  });

  test('a rate applies per call', () => {
    const rolls = [0.1, 0.9, 0.4];
    const plan = new FaultPlan(() => rolls.shift() ?? 1);
    plan.add({ operation: '*', status: 500, rate: 0.5 });
    expect([plan.take('get'), plan.take('get'), plan.take('get')].map((f) => f?.status)).toEqual([500, undefined, 500]);
  });

  test('a fault without a status or a drop is refused', () => {
    expect(() => new FaultPlan().add({ operation: 'insert' })).toThrow(/needs a status/);
    expect(() => new FaultPlan().add({ operation: 'insert', status: 503, rate: 2 })).toThrow(/rate/);
  });
});

import { cancelSignal, regenerateSignal } from '../../src/workflows/contract';
import type { MeetingChange } from '../../src/domain/meeting-changes';
import { meetingEventId } from '../../src/domain/meeting-ids';
import { waitFor } from '../support/wait';
import { gate, HOUR, useMockedMeetings } from '../support/mocked-meeting';

// Requests that meet a meeting mid-step, with mocked activities on the time-skipping server. Each of
// these failed on the workflow before it was reshaped as an entity.

const m = useMockedMeetings();
let counter = 0;
const newSessionId = () => `race-${Date.now()}-${++counter}`;

const emailKinds = () => m.callsTo('sendMeetingEmails').map((call) => call.args[1]);
const insertsOf = (sessionId: string) => m.calls.filter((call) => ['startMeetingLink', 'makeMeetingLink'].includes(call.name) && call.args[0] === sessionId);

test('a regenerate while the first link is retrying makes no second link: that link retries at once, one email', async () => {
  const sessionId = newSessionId();
  m.inserts.push({ error: '503 backendError', retryable: true });
  const handle = await m.start(sessionId, 3 * 24 * HOUR);
  await waitFor(async () => m.changes('attemptFailed'), (list) => list.length === 1);
  await handle.signal(regenerateSignal, { actor: 'ops', reason: 'no link yet' });
  await waitFor(() => m.status(sessionId), (view) => view.meetingStatus === 'ACTIVE');

  expect(insertsOf(sessionId).map((call) => call.args.slice(1, 3))).toEqual([
    [1, 1],
    [1, 2], // the same generation, a new attempt: a fresh conference request
  ]);
  await handle.signal(cancelSignal, {});
  await handle.result();
  expect(emailKinds()).toEqual(['confirmation', 'cancelled']);
});

test('a regenerate during the attempt that then makes the first link is satisfied by it', async () => {
  const sessionId = newSessionId();
  const insert = gate<{ url: string }>();
  m.inserts.push({ gate: insert.promise });
  const handle = await m.start(sessionId, 3 * 24 * HOUR);
  await waitFor(async () => insertsOf(sessionId), (list) => list.length === 1);
  await handle.signal(regenerateSignal, { actor: 'ops' });
  insert.release({ url: 'https://meet.google.com/first' });
  await waitFor(async () => m.changes('signalIgnored'), (list) => list.length === 1);

  expect(insertsOf(sessionId)).toHaveLength(1);
  expect(await m.status(sessionId)).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: 'https://meet.google.com/first' });
  await handle.signal(cancelSignal, {});
  await handle.result();
  expect(emailKinds()).toEqual(['confirmation', 'cancelled']);
});

test('a cancel during an attempt is CANCELLED within 5 s; no confirmation after it; the late insert is deleted', async () => {
  const sessionId = newSessionId();
  const insert = gate<{ url: string }>();
  m.inserts.push({ gate: insert.promise });
  const handle = await m.start(sessionId, 3 * 24 * HOUR);
  await waitFor(async () => insertsOf(sessionId), (list) => list.length === 1);
  await handle.signal(cancelSignal, { actor: 'booking-service', reason: 'refunded' });
  await waitFor(() => m.status(sessionId), (view) => view.meetingStatus === 'CANCELLED', 5_000);
  expect(m.changes('cancelled')).toHaveLength(1);

  insert.release({ url: 'https://meet.google.com/late' }); // the insert lands after the cancel
  await handle.result();
  const eventId = insertsOf(sessionId)[0]?.args[3];
  expect(m.callsTo('deleteMeetingEvent').map((call) => call.args[1])).toEqual([eventId]);
  expect(emailKinds()).toEqual(['cancelled']);
  expect(m.changes('meetingActive')).toHaveLength(0);
});

test('after the session has ended, cancel and regenerate are refused with the reason, not applied', async () => {
  const sessionId = newSessionId();
  const handle = await m.start(sessionId, 20 * 60_000, 10);
  await waitFor(() => m.status(sessionId), (view) => view.meetingStatus === 'ACTIVE');
  await m.env.sleep(40 * 60_000); // past the end, within the hour the workflow stays
  await handle.signal(cancelSignal, { actor: 'ops' });
  await handle.signal(regenerateSignal, { actor: 'ops' });
  const result = await handle.result();

  const rejected = m.callsTo('recordSignalRejections').flatMap((call) => (call.args[1] as { rejected: Array<{ signal: string; problem: string }> }).rejected);
  expect(rejected).toEqual([
    expect.objectContaining({ signal: 'cancel', problem: expect.stringContaining('the session is over') }),
    expect.objectContaining({ signal: 'regenerate', problem: expect.stringContaining('the session is over') }),
  ]);
  expect(result.meetingStatus).toBe('ACTIVE');
  expect(m.callsTo('deleteMeetingEvent')).toHaveLength(0);
  expect(insertsOf(sessionId)).toHaveLength(1);
});

test('while a regeneration retries, reminders go out on time with the current link; the meeting shows ACTIVE and a new link pending', async () => {
  const sessionId = newSessionId();
  const handle = await m.start(sessionId, 24 * HOUR + 60_000); // the 24 h reminder is due in a minute
  await waitFor(() => m.status(sessionId), (view) => view.meetingStatus === 'ACTIVE');
  const { meetingUrl } = await m.status(sessionId);
  m.inserts.push(...Array.from({ length: 4 }, () => ({ error: '503 backendError', retryable: true })));
  await handle.signal(regenerateSignal, { actor: 'ops' });
  await waitFor(async () => m.changes('attemptFailed'), (list) => list.length === 1);

  const during = await m.status(sessionId);
  expect(during).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl, newLinkPending: true });
  expect(m.changes('attemptStarted').at(-1)).toMatchObject({ generation: 2, replacing: true } satisfies Partial<MeetingChange>);

  await m.env.sleep(15 * 60_000); // the regeneration's retries: 30 s, 2 min, 8 min
  await waitFor(async () => m.changes('regenerationFailed'), (list) => list.length === 1);
  const reminder = m.callsTo('sendMeetingEmails').find((call) => call.args[1] === 'reminder-24h');
  const attemptsOfTwo = insertsOf(sessionId).filter((call) => call.args[1] === 2);
  expect(reminder?.args[3]).toBe(meetingUrl);
  // Sent between the regeneration's first and last attempts, not after it gave up.
  expect(reminder!.at).toBeLessThan(attemptsOfTwo.at(-1)!.at);
  expect(await m.status(sessionId)).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl, newLinkPending: false });
  await handle.signal(cancelSignal, {});
  await handle.result();
});

// The booking service cancels a booking by writing its row, then signalling; the workflow's first
// load can come in between, or after both (CI's chaos run: the database was cut as the workflow began).
describe('a booking cancelled before its workflow loaded it', () => {
  const expectEndedCancelled = async (sessionId: string, result: { meetingStatus: string }) => {
    expect(result.meetingStatus).toBe('CANCELLED');
    expect(insertsOf(sessionId)).toHaveLength(0);
    expect(m.callsTo('alertAdmin')).toHaveLength(0);
    // No attempt is known, but a lost try of the task may have made one: its event is deleted (none: Google says 404).
    expect(m.callsTo('deleteMeetingEvent').map((call) => call.args)).toEqual([[sessionId, meetingEventId(sessionId, 1)]]);
    expect(m.changes('attemptStarted')).toHaveLength(0);
    expect(emailKinds()).toEqual(['cancelled']);
  };

  test('with its cancel signal already waiting: CANCELLED by the booking service, no link made, no alert', async () => {
    const sessionId = newSessionId();
    const handle = await m.start(sessionId, 3 * 24 * HOUR, 60, { cancelled: true, cancelSignalWithStart: { actor: 'booking-service', reason: 'refunded' } });
    await expectEndedCancelled(sessionId, await handle.result());
    expect(m.changes('cancelled')).toEqual([{ kind: 'cancelled', actor: 'booking-service', reason: 'refunded' }]);
  });

  test('with its cancel signal not come yet: CANCELLED by the system, with the reason', async () => {
    const sessionId = newSessionId();
    const handle = await m.start(sessionId, 3 * 24 * HOUR, 60, { cancelled: true });
    await expectEndedCancelled(sessionId, await handle.result());
    expect(m.changes('cancelled')).toEqual([{ kind: 'cancelled', actor: 'system', reason: 'the booking was cancelled before its meeting was made' }]);
  });
});

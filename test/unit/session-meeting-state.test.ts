import type { ParsedCommand } from '../../src/domain/meeting-commands';
import { writeNumber, WRITES_PER_TASK } from '../../src/domain/write-numbers';
import { MAX_REJECTIONS_KEPT } from '../../src/workflows/meeting/meeting-state-limits';
import { AFTER_SESSION_GRACE_MS, REJECTION_BATCH_WAIT_MS, SessionMeeting, type MeetingStep } from '../../src/workflows/meeting/session-meeting-state';

// The meeting's decisions, step by step, without Temporal: the workflow only carries them out.

const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-01T10:00:00Z');
const START = NOW + 3 * 24 * HOUR;
const policy = { retryBackoffMs: [30_000, 120_000, 480_000], conferenceWaitMs: 60_000 };
const eventIdOf = (generation: number) => `event${generation}`;

function booked(startMs = START): SessionMeeting {
  return SessionMeeting.booked('s1', { startTime: new Date(startMs).toISOString(), endTime: new Date(startMs + HOUR).toISOString() }, policy, eventIdOf, NOW);
}

const cancel: ParsedCommand = { ok: true, command: { kind: 'cancel', actor: 'ops', reason: null } };
const regenerate: ParsedCommand = { ok: true, command: { kind: 'regenerate', actor: 'ops', reason: 'broken' } };
const rescheduleTo = (startMs: number): ParsedCommand => ({
  ok: true,
  command: { kind: 'reschedule', startTime: new Date(startMs).toISOString(), endTime: new Date(startMs + HOUR).toISOString(), actor: 'booking' },
});
const rejected: ParsedCommand = { ok: false, signal: 'reschedule', problem: 'startTime is required', actor: 'unknown' };

/** Runs the attempt the meeting asks for, with the given outcome. */
function attempt(meeting: SessionMeeting, now: number, outcome: { url: string } | { error: string; retryable: boolean }) {
  const step = meeting.nextStep(now);
  if (step.kind !== 'attempt') throw new Error(`expected an attempt, got ${step.kind}`);
  meeting.attemptStarted(step.generation, step.attempt, step.eventId);
  return { step, result: 'url' in outcome ? meeting.linkMade(step.generation, step.eventId, outcome.url) : meeting.attemptFailed(outcome.error, outcome.retryable, now) };
}

function active(): SessionMeeting {
  const meeting = booked();
  attempt(meeting, NOW, { url: 'https://meet.google.com/aaa-bbbb-ccc' });
  return meeting;
}

test('a booked session makes its first link at once: CREATING, then ACTIVE with a confirmation', () => {
  const meeting = booked();
  expect(meeting.status).toBe('PENDING');
  const { step, result } = attempt(meeting, NOW, { url: 'https://meet.google.com/aaa-bbbb-ccc' });
  expect(step).toEqual({ kind: 'attempt', generation: 1, attempt: 1, eventId: 'event1', replacing: false });
  expect(result).toEqual({ replaced: [], email: 'confirmation' });
  expect(meeting.view()).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: 'https://meet.google.com/aaa-bbbb-ccc', meetingEventId: 'event1', attempts: 1, newLinkPending: false });
  // Then it waits for the 24 h reminder.
  expect(meeting.nextStep(NOW)).toEqual({ kind: 'wait', until: START - 24 * HOUR });
});

test('failed attempts retry on the schedule, then FAILED after the last; a permanent error fails at once', () => {
  const meeting = booked();
  expect(attempt(meeting, NOW, { error: '503', retryable: true }).result).toEqual({ kind: 'retry', inMs: 30_000 });
  expect(meeting.status).toBe('CREATING');
  expect(meeting.nextStep(NOW + 1_000)).toEqual({ kind: 'wait', until: NOW + 30_000 });
  expect(attempt(meeting, NOW + 30_000, { error: '503', retryable: true }).result).toEqual({ kind: 'retry', inMs: 120_000 });
  expect(attempt(meeting, NOW + 150_000, { error: '503', retryable: true }).result).toEqual({ kind: 'retry', inMs: 480_000 });
  expect(attempt(meeting, NOW + 630_000, { error: '503', retryable: true }).result).toEqual({ kind: 'failed', attempts: 4, permanent: false });
  expect(meeting.view()).toMatchObject({ meetingStatus: 'FAILED', lastError: '503', attempts: 4 });

  const refused = booked();
  expect(attempt(refused, NOW, { error: '403', retryable: false }).result).toEqual({ kind: 'failed', attempts: 1, permanent: true });
});

test('a regenerate while the first link is still being made retries that link now, and makes no second one', () => {
  const meeting = booked();
  attempt(meeting, NOW, { error: '503', retryable: true });
  meeting.receive(regenerate, NOW + 1_000);
  expect(meeting.nextStep(NOW + 1_000)).toMatchObject({ kind: 'retry-now' });
  meeting.nextAttemptAt(NOW + 1_000);
  const { step, result } = attempt(meeting, NOW + 1_000, { url: 'https://meet.google.com/one' });
  expect(step).toMatchObject({ generation: 1, attempt: 2 });
  expect(result).toMatchObject({ email: 'confirmation' });
  expect(meeting.generation).toBe(1);
});

test('a regenerate that came during an attempt which then made the link is satisfied by it', () => {
  const meeting = booked();
  const step = meeting.nextStep(NOW) as Extract<MeetingStep, { kind: 'attempt' }>;
  meeting.attemptStarted(step.generation, step.attempt, step.eventId);
  meeting.receive(regenerate, NOW); // arrives while the attempt is in flight
  meeting.linkMade(1, 'event1', 'https://meet.google.com/one');
  expect(meeting.nextStep(NOW)).toMatchObject({ kind: 'regenerate-satisfied' });
  expect(meeting.generation).toBe(1);
});

test('a regenerate after the first creation FAILED makes a new generation whose link is the confirmation', () => {
  const meeting = booked();
  attempt(meeting, NOW, { error: '400', retryable: false });
  meeting.receive(regenerate, NOW);
  expect(meeting.nextStep(NOW)).toMatchObject({ kind: 'regenerate' });
  expect(meeting.regenerationStarted(NOW)).toBe(2);
  const { step, result } = attempt(meeting, NOW, { url: 'https://meet.google.com/two' });
  expect(step).toMatchObject({ generation: 2, attempt: 1, eventId: 'event2', replacing: false });
  expect(result).toEqual({ replaced: [{ generation: 1, eventId: 'event1' }], email: 'confirmation' });
});

test('while a regeneration runs the meeting stays ACTIVE with the old link, says a new one is coming, and reminders go out', () => {
  const meeting = active();
  meeting.receive(regenerate, NOW);
  expect(meeting.nextStep(NOW)).toMatchObject({ kind: 'regenerate' });
  meeting.regenerationStarted(NOW);
  const { step } = attempt(meeting, NOW, { error: '503', retryable: true });
  expect(step).toMatchObject({ generation: 2, replacing: true });
  expect(meeting.view()).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: 'https://meet.google.com/aaa-bbbb-ccc', newLinkPending: true });

  // The 24 h reminder falls due during the retry wait: it goes out, with the current link.
  const dueAt = START - 24 * HOUR;
  const moved = booked(NOW + 24 * HOUR + 10_000);
  attempt(moved, NOW, { url: 'https://meet.google.com/x' });
  moved.receive(regenerate, NOW);
  moved.nextStep(NOW);
  moved.regenerationStarted(NOW);
  attempt(moved, NOW, { error: '503', retryable: true }); // next attempt at NOW + 30 s
  expect(moved.nextStep(NOW + 10_000)).toMatchObject({ kind: 'remind', reminder: { kind: 'reminder-24h' }, action: 'email-both' });
  expect(dueAt).toBeGreaterThan(NOW);
});

test('a regeneration that fails for good keeps the current link and names its own event to delete', () => {
  const meeting = active();
  meeting.receive(regenerate, NOW);
  meeting.nextStep(NOW);
  meeting.regenerationStarted(NOW);
  const { result } = attempt(meeting, NOW, { error: '400', retryable: false });
  expect(result).toEqual({ kind: 'keep-current-link', attempts: 1, eventId: 'event2' });
  expect(meeting.view()).toMatchObject({ meetingStatus: 'ACTIVE', meetingUrl: 'https://meet.google.com/aaa-bbbb-ccc', meetingEventId: 'event1', newLinkPending: false });
  expect(meeting.liveEvents).toEqual([{ generation: 1, eventId: 'event1' }]);
});

test('requests act in arrival order; cancels are merged, the latest reschedule wins, a second regenerate waits its turn', () => {
  const meeting = active();
  meeting.receive(rescheduleTo(START + HOUR), NOW);
  meeting.receive(rescheduleTo(START + 2 * HOUR), NOW);
  meeting.receive(regenerate, NOW);
  meeting.receive(regenerate, NOW);
  const steps = [meeting.nextStep(NOW), meeting.nextStep(NOW)];
  expect(steps.map((s) => s.kind)).toEqual(['reschedule', 'regenerate']);
  expect(steps[0]).toMatchObject({ command: { startTime: new Date(START + 2 * HOUR).toISOString() } });
  meeting.regenerationStarted(NOW);
  expect(meeting.nextStep(NOW)).toMatchObject({ kind: 'retry-now' }); // the second, while the first's link is being made

  meeting.receive(cancel, NOW);
  meeting.receive(cancel, NOW);
  meeting.receive(rescheduleTo(START + HOUR), NOW);
  expect(meeting.cancelRequested).toBe(true);
  expect(meeting.nextStep(NOW)).toMatchObject({ kind: 'cancel' });
  // What came after the cancel is left for the record of late requests.
  expect(meeting.takeUnhandled()).toEqual([expect.objectContaining({ kind: 'reschedule' })]);
});

test('rejected signals are audited in batches: a full batch at once, a few after a short wait, beyond the cap only counted', () => {
  const meeting = active();
  meeting.receive(rejected, NOW);
  expect(meeting.nextStep(NOW)).toEqual({ kind: 'wait', until: NOW + REJECTION_BATCH_WAIT_MS });
  expect(meeting.nextStep(NOW + REJECTION_BATCH_WAIT_MS)).toEqual({ kind: 'record-rejections', batch: { rejected: [expect.objectContaining({ problem: 'startTime is required' })], uncounted: 0 } });

  for (let i = 0; i < MAX_REJECTIONS_KEPT + 5; i++) meeting.receive({ ...rejected, problem: 'x'.repeat(10_000) }, NOW);
  expect(meeting.rejections).toBe('batch');
  const step = meeting.nextStep(NOW);
  if (step.kind !== 'record-rejections') throw new Error(step.kind);
  expect(step.batch.rejected).toHaveLength(MAX_REJECTIONS_KEPT);
  expect(step.batch.uncounted).toBe(5);
  expect(step.batch.rejected[0]?.problem.length).toBeLessThanOrEqual(300);
  expect(meeting.rejections).toBe('none');
});

test('the state survives a continue-as-new as JSON, and a state that is not one is refused', () => {
  const meeting = active();
  meeting.receive(rescheduleTo(START + HOUR), NOW);
  meeting.receive(rejected, NOW);
  const carried = JSON.parse(JSON.stringify(meeting.serialise())) as unknown;
  const restored = SessionMeeting.restore('s1', carried, eventIdOf);
  expect(restored.view()).toEqual(meeting.view());
  expect(restored.nextStep(NOW)).toEqual(meeting.nextStep(NOW));
  expect(() => SessionMeeting.restore('s1', { status: 'ACTIVE' }, eventIdOf)).toThrow();
  expect(() => SessionMeeting.restore('s1', { ...(carried as object), inbox: Array(20).fill({ kind: 'cancel', reason: null, actor: 'x' }) }, eventIdOf)).toThrow();
});

test('the meeting is over an hour after the session ends, even while a link was still being retried', () => {
  const meeting = booked(NOW + HOUR);
  attempt(meeting, NOW, { error: '503', retryable: true });
  const late = NOW + 2 * HOUR + AFTER_SESSION_GRACE_MS;
  expect(meeting.nextStep(late)).toEqual({ kind: 'over' });
});

test('reschedule re-plans the reminders and makes a session joinable again only when it is near', () => {
  const meeting = active();
  meeting.rescheduled(new Date(NOW + 5 * 60_000).toISOString(), new Date(NOW + HOUR).toISOString(), NOW);
  expect(meeting.joinableDue(NOW)).toBe(true);
  meeting.markedJoinable();
  expect(meeting.joinableDue(NOW)).toBe(false);
  meeting.rescheduled(new Date(START).toISOString(), new Date(START + HOUR).toISOString(), NOW);
  expect(meeting.joinableDue(NOW)).toBe(false);
  expect(meeting.view().nextReminderAt).toBe(new Date(START - 24 * HOUR).toISOString());
});

test('cancelled: no link, nothing planned, events left to delete', () => {
  const meeting = active();
  meeting.cancelled();
  expect(meeting.view()).toMatchObject({ meetingStatus: 'CANCELLED', meetingUrl: null, nextReminderAt: null });
  expect(meeting.liveEvents).toEqual([{ generation: 1, eventId: 'event1' }]);
});

test('after the session has ended, cancel and regenerate are refused with the reason', () => {
  const meeting = active();
  const ended = START + HOUR + 1;
  meeting.receive(cancel, ended);
  meeting.receive(regenerate, ended);
  expect(meeting.hasRequests).toBe(false);
  expect(meeting.takeRejections().rejected).toEqual([
    expect.objectContaining({ signal: 'cancel', problem: expect.stringContaining('the session is over') }),
    expect.objectContaining({ signal: 'regenerate', problem: expect.stringContaining('the session is over') }),
  ]);
});

test('a storm of valid regenerates keeps a bounded queue: beyond a few waiting they are merged and audited so', () => {
  const meeting = active();
  for (let i = 0; i < 100; i++) meeting.receive(regenerate, NOW);
  const carried = meeting.serialise();
  expect(carried.inbox.length).toBeLessThanOrEqual(9);
  expect(carried.rejected.length + carried.rejectedUncounted).toBe(100 - carried.inbox.length);
  expect(carried.rejected[0]?.problem).toContain('merged');
  meeting.receive(cancel, NOW);
  expect(meeting.nextStep(NOW)).toMatchObject({ kind: 'record-rejections' });
  expect(meeting.cancelRequested).toBe(true);
});

describe('write numbers', () => {
  test('a retried workflow task outnumbers every write of the try it replaces, however many that made', () => {
    // The try at history length 9 wrote three changes and was lost with its worker; its retry comes
    // at 12 (the timeout and the new task are in history) and writes one change.
    const lost = booked();
    lost.nextWrite(3);
    const lostTry = [lost.nextWrite(9), lost.nextWrite(9), lost.nextWrite(9)];
    const retried = booked();
    retried.nextWrite(3);
    const retry = retried.nextWrite(12);
    expect(retry).toBeGreaterThan(Math.max(...lostTry));
    expect(writeNumber(0, 9, 9 * WRITES_PER_TASK + WRITES_PER_TASK - 2)).toBeLessThan(writeNumber(0, 10, 0));
  });

  test('numbers grow within a task, across tasks, and into a continued run, whose history starts again', () => {
    const meeting = booked();
    const numbers = [meeting.nextWrite(3), meeting.nextWrite(3), meeting.nextWrite(40), meeting.nextWrite(40)];
    expect(numbers).toEqual([3_000, 3_001, 40_000, 40_001]);
    const continued = SessionMeeting.restore('s1', meeting.serialise(), eventIdOf);
    expect(continued.nextWrite(3)).toBe(40_001 + 3 * WRITES_PER_TASK);
    // A run started before numbers came from tasks carries a count: the next number is above it.
    const counted = SessionMeeting.restore('s1', { ...meeting.serialise(), writes: 7 }, eventIdOf);
    expect(counted.nextWrite(0)).toBe(8);
  });
});

test('a cancel before any known attempt still names the event of the link being made: a lost workflow task may have inserted it', () => {
  const meeting = booked();
  expect(meeting.unknownAttemptEvent).toEqual({ generation: 1, eventId: 'event1' });
  attempt(meeting, NOW, { url: 'https://meet.google.com/first' });
  expect(meeting.unknownAttemptEvent).toBeNull(); // the link is made; its event is live and known
  meeting.receive(regenerate, NOW);
  const step = meeting.nextStep(NOW);
  expect(step.kind).toBe('regenerate');
  meeting.regenerationStarted(NOW);
  expect(meeting.unknownAttemptEvent).toEqual({ generation: 2, eventId: 'event2' });
});

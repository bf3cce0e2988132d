import { parseAdminRequest, parseReschedule } from '../../src/domain/meeting-commands';
import { isJoinable, planReminders, reminderAction } from '../../src/domain/reminders';

const HOUR = 3_600_000;
const start = Date.parse('2026-12-10T15:00:00Z');

describe('planReminders', () => {
  test('all three, in order, when booked days ahead', () => {
    expect(planReminders(start, start - 3 * 24 * HOUR)).toEqual([
      { kind: 'reminder-24h', at: start - 24 * HOUR },
      { kind: 'no-link-check-2h', at: start - 2 * HOUR },
      { kind: 'starting-soon', at: start - 10 * 60_000 },
    ]);
  });

  test('those already past are skipped, not sent late', () => {
    expect(planReminders(start, start - 5 * HOUR).map((r) => r.kind)).toEqual(['no-link-check-2h', 'starting-soon']);
    expect(planReminders(start, start - 30 * 60_000).map((r) => r.kind)).toEqual(['starting-soon']);
    expect(planReminders(start, start - 5 * 60_000)).toEqual([]);
  });

  test('a moment exactly now counts as past', () => {
    expect(planReminders(start, start - 24 * HOUR).map((r) => r.kind)).toEqual(['no-link-check-2h', 'starting-soon']);
  });
});

test('joinable from 10 minutes before the start, and while the session is under way', () => {
  expect(isJoinable(start, start - 10 * 60_000 - 1)).toBe(false);
  expect(isJoinable(start, start - 10 * 60_000)).toBe(true);
  expect(isJoinable(start, start + 30 * 60_000)).toBe(true);
});

test.each([
  ['reminder-24h', true, 'email-both'],
  ['reminder-24h', false, 'skip-no-link'],
  ['no-link-check-2h', true, 'nothing'],
  ['no-link-check-2h', false, 'alert-admin'],
  ['starting-soon', true, 'mark-joinable-and-email'],
  ['starting-soon', false, 'skip-no-link'],
] as const)('%s with a link: %s → %s', (kind, active, action) => {
  expect(reminderAction(kind, active)).toBe(action);
});

describe('signal payloads', () => {
  const now = new Date('2026-11-24T12:00:00Z');

  test('cancel and regenerate accept no payload, null, or an object with actor and reason', () => {
    expect(parseAdminRequest('cancel', undefined)).toEqual({ ok: true, command: { kind: 'cancel', actor: 'unknown', reason: null } });
    expect(parseAdminRequest('regenerate', null)).toEqual({ ok: true, command: { kind: 'regenerate', actor: 'unknown', reason: null } });
    expect(parseAdminRequest('cancel', { actor: ' ops ', reason: 'refund' })).toEqual({ ok: true, command: { kind: 'cancel', actor: 'ops', reason: 'refund' } });
  });

  test.each([
    ['"cancel"', 'the payload must be a JSON object'],
    [[1], 'the payload must be a JSON object'],
    [{ reason: 42 }, 'reason must be a string'],
    [{ actor: 'x'.repeat(201) }, 'actor is longer than 200 characters'],
  ])('%j is rejected: %s', (payload, problem) => {
    expect(parseAdminRequest('cancel', payload)).toMatchObject({ ok: false, signal: 'cancel', problem });
  });

  test('a good reschedule is normalised to UTC', () => {
    expect(parseReschedule({ startTime: '2026-12-01T16:00:00+01:00', endTime: '2026-12-01T17:30:00+01:00', actor: 'svc' }, now)).toEqual({
      ok: true,
      command: { kind: 'reschedule', startTime: '2026-12-01T15:00:00.000Z', endTime: '2026-12-01T16:30:00.000Z', actor: 'svc' },
    });
  });

  test.each([
    [undefined, 'startTime is required'],
    [{ endTime: '2026-12-01T16:00:00Z' }, 'startTime is required'],
    [{ startTime: '2026-12-01 15:00', endTime: '2026-12-01T16:00:00Z' }, 'startTime "2026-12-01 15:00" is not an ISO-8601 time'],
    [{ startTime: '2026-12-01T15:00:00Z', endTime: 1 }, 'endTime 1 is not an ISO-8601 time'],
    [{ startTime: '2027-02-30T15:00:00Z', endTime: '2027-02-30T16:00:00Z' }, 'startTime "2027-02-30T15:00:00Z" is not an ISO-8601 time'],
    [{ startTime: '2026-12-01T16:00:00Z', endTime: '2026-12-01T15:00:00Z' }, 'the end must be after the start'],
    [{ startTime: '2026-11-01T16:00:00Z', endTime: '2026-11-01T17:00:00Z' }, 'the session would already be over'],
    [{ startTime: '2026-12-01T00:00:00Z', endTime: '2026-12-02T00:00:00Z' }, 'a session may last at most 12 hours'],
  ])('reschedule %j is rejected: %s', (payload, problem) => {
    const parsed = parseReschedule(payload, now);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toContain(problem);
  });
});

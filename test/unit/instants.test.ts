import { parseInstant, parseTypedInstant } from '../../src/domain/instants';

describe('parseInstant', () => {
  test.each([
    ['2026-12-01T15:00:00Z', '2026-12-01T15:00:00.000Z'],
    ['2026-12-01T15:00Z', '2026-12-01T15:00:00.000Z'],
    ['2026-12-01T16:30:15.250+01:30', '2026-12-01T15:00:15.250Z'],
    ['2028-02-29T10:00:00Z', '2028-02-29T10:00:00.000Z'],
    ['2026-12-31T23:59:59-23:59', '2027-01-01T23:58:59.000Z'],
  ])('%s is the instant %s', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  test.each([
    ['2027-02-29T10:00:00Z', 'no 29 February in 2027'],
    ['2026-02-30T10:00:00Z', 'no 30 February'],
    ['2026-04-31T10:00:00Z', 'April has 30 days'],
    ['2026-13-01T10:00:00Z', 'no 13th month'],
    ['2026-00-10T10:00:00Z', 'no month 0'],
    ['2026-12-00T10:00:00Z', 'no day 0'],
    ['2026-12-01T24:00:00Z', 'no hour 24'],
    ['2026-12-01T15:60:00Z', 'no minute 60'],
    ['2026-12-01T15:00:60Z', 'no second 60'],
    ['2026-12-01T15:00:00+24:00', 'no offset of 24 hours'],
    ['2026-12-01T15:00:00', 'a wall-clock time without an offset'],
    ['2026-12-01 15:00Z', 'no T'],
    ['tomorrow', 'not a time'],
  ])('%s is refused (%s)', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  test('only strings are read', () => {
    expect(parseInstant(1_764_601_200_000)).toBeUndefined();
    expect(parseInstant(undefined)).toBeUndefined();
  });
});

test('a typed time from now, or an instant', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  expect(parseTypedInstant('+2d', now)?.toISOString()).toBe('2026-11-26T12:00:00.000Z');
  expect(parseTypedInstant('+90m', now)?.toISOString()).toBe('2026-11-24T13:30:00.000Z');
  expect(parseTypedInstant('+soon', now)).toBeUndefined();
  expect(parseTypedInstant('2026-02-30T10:00:00Z', now)).toBeUndefined();
});

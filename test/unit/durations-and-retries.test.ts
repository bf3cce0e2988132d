import { formatDuration, parseDuration, parseDurationList } from '../../src/domain/durations';
import { maxAttempts, nextRetryDelay } from '../../src/domain/retry-schedule';

test.each([
  ['250ms', 250],
  ['30s', 30_000],
  ['2m', 120_000],
  ['1.5h', 5_400_000],
  ['1d', 86_400_000],
  ['2 minutes', 120_000],
  [' 1w ', 604_800_000],
])('parseDuration(%s) = %i', (text, ms) => expect(parseDuration(text)).toBe(ms));

test.each([['30'], ['1.5'], ['-1s'], ['s'], [''], ['soon'], ['1e3s']])('parseDuration(%j) says what a duration is', (text) => {
  expect(() => parseDuration(text)).toThrow(/is not a duration.*e\.g\. 250ms, 30s, 2m/);
});

test('a bare number is refused rather than read as milliseconds', () => {
  expect(() => parseDuration('30')).toThrow('"30" is not a duration: give it a unit');
});

test('the default schedule parses to 30 s, 2 min, 8 min', () => {
  expect(parseDurationList('30s,2m,8m')).toEqual([30_000, 120_000, 480_000]);
  expect(parseDurationList(' 30s , 2m ')).toEqual([30_000, 120_000]);
  expect(() => parseDurationList('30s,,8m')).toThrow(/empty entry/);
});

test('formatDuration picks the largest whole unit', () => {
  expect([480_000, 30_000, 1500, 3_600_000].map(formatDuration)).toEqual(['8m', '30s', '1500ms', '1h']);
});

describe('retry schedule', () => {
  const schedule = [30_000, 120_000, 480_000];

  test('the first attempt runs at once, then one attempt after each wait', () => {
    expect(maxAttempts(schedule)).toBe(4);
    expect([1, 2, 3].map((attempt) => nextRetryDelay(schedule, attempt, true))).toEqual(schedule);
  });

  test('after the last attempt there is no next', () => {
    expect(nextRetryDelay(schedule, 4, true)).toBeUndefined();
  });

  test('a permanent error is never retried', () => {
    expect(nextRetryDelay(schedule, 1, false)).toBeUndefined();
  });

  test('an empty schedule means one attempt only', () => {
    expect(maxAttempts([])).toBe(1);
    expect(nextRetryDelay([], 1, true)).toBeUndefined();
  });
});

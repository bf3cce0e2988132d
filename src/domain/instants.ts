import { parseDuration } from './durations';

// An instant, not a wall-clock time: the offset (Z or ±hh:mm) is required.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** The longest session we accept. */
export const MAX_SESSION_MINUTES = 12 * 60;

/**
 * Parses an ISO-8601 instant with an offset (e.g. `2026-12-01T15:00:00Z`), or undefined. A date or
 * time that does not exist (February 30th, 24:00, an offset of +25:00) is refused rather than rolled
 * over into another day, as `Date.parse` would.
 */
export function parseInstant(text: unknown): Date | undefined {
  const match = typeof text === 'string' ? ISO_INSTANT.exec(text) : null;
  if (!match) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const exists = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
  return exists ? new Date(Date.parse(match[0])) : undefined;
}

/** A time as a person types it: an ISO-8601 instant, or a time from now such as `+2d` or `+90m`. */
export function parseTypedInstant(text: unknown, now: Date): Date | undefined {
  if (typeof text !== 'string' || !text.startsWith('+')) return parseInstant(text);
  try {
    return new Date(now.getTime() + parseDuration(text.slice(1)));
  } catch {
    return undefined;
  }
}

/** How far ahead a session may be booked or moved. */
export const MAX_DAYS_AHEAD = 366;

/**
 * What is wrong with a session's times, as seen at `now`. `startWindow` false leaves out the checks
 * that the start is neither past nor more than a year ahead (workflows started before them keep
 * their old rules).
 */
export function sessionTimeProblems(start: Date, end: Date, now: Date, startWindow = true): string[] {
  if (end.getTime() === start.getTime()) return ['the session has no length: the end must be after the start'];
  if (end.getTime() < start.getTime()) return ['the end must be after the start'];
  if (end.getTime() - start.getTime() > MAX_SESSION_MINUTES * 60_000) return [`a session may last at most ${MAX_SESSION_MINUTES / 60} hours`];
  if (end.getTime() <= now.getTime()) return [`the session would already be over (it ends ${end.toISOString()})`];
  if (!startWindow) return [];
  if (start.getTime() < now.getTime()) return [`the start ${start.toISOString()} is in the past`];
  if (start.getTime() > now.getTime() + MAX_DAYS_AHEAD * 86_400_000) return [`the start ${start.toISOString()} is more than a year ahead`];
  return [];
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The session's time as the recipient reads it, in their own IANA time zone, e.g.
 * "Tuesday, December 1, 2026, 4:00 – 5:00 PM GMT+1 (Europe/Berlin)".
 */
export function formatSessionTime(start: Date, end: Date, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  // ICU puts narrow and thin no-break spaces around the dash and before AM/PM; plain text wants plain.
  return `${format.formatRange(start, end).replace(/[\u00a0\u2009\u202f]/g, ' ')} (${timeZone})`;
}

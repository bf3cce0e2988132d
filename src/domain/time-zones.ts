export function isValidTimeZone(timeZone: string): boolean {
  try {
    sessionTimeFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Building a formatter costs far more than using one (one per email showed in the worker's CPU
 * profile during a burst), so each zone's is kept. Only zones Intl accepts are kept, and the
 * spellings it accepts are few; the bound only guards against a flood of them.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
const MAX_KEPT_FORMATS = 1_000;

function sessionTimeFormat(timeZone: string): Intl.DateTimeFormat {
  const kept = formats.get(timeZone);
  if (kept) return kept;
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
  if (formats.size >= MAX_KEPT_FORMATS) formats.clear();
  formats.set(timeZone, format);
  return format;
}

/**
 * The session's time as the recipient reads it, in their own IANA time zone, e.g.
 * "Tuesday, December 1, 2026, 4:00 – 5:00 PM GMT+1 (Europe/Berlin)".
 */
export function formatSessionTime(start: Date, end: Date, timeZone: string): string {
  const format = sessionTimeFormat(timeZone);
  // ICU puts narrow and thin no-break spaces around the dash and before AM/PM; plain text wants plain.
  return `${format.formatRange(start, end).replace(/[\u00a0\u2009\u202f]/g, ' ')} (${timeZone})`;
}

import { msToNumber, type StringValue } from '@temporalio/common/lib/time';

const EXAMPLES = 'e.g. 250ms, 30s, 2m, 1.5h, 1d';

/**
 * Parses a duration such as `30s`, `2m`, `1.5h` or `250ms` into milliseconds, with the SDK's own
 * parser (the `ms` format that Temporal's options take). A unit is required: `ms` would read a bare
 * `30` as 30 milliseconds, which is never what a person setting a retry wait means.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  let millis: number;
  try {
    millis = msToNumber(trimmed as StringValue);
  } catch {
    throw new Error(`${JSON.stringify(text)} is not a duration (${EXAMPLES})`);
  }
  if (millis < 0) throw new Error(`${JSON.stringify(text)} is not a duration (${EXAMPLES})`);
  if (/^[\d.]+$/.test(trimmed)) throw new Error(`${JSON.stringify(text)} is not a duration: give it a unit (${EXAMPLES})`);
  return Math.round(millis);
}

/** Parses a comma-separated list of durations, e.g. the default retry schedule `30s,2m,8m`. */
export function parseDurationList(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new Error(`"${text}" has an empty entry`);
  return parts.map(parseDuration);
}

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;

/** The largest whole unit, exactly (`ms` itself rounds: 90 s would print as `2m`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

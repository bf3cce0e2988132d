import { parseInstant, sessionTimeProblems } from './instants';

/** An admin's or the booking service's request, as the workflow queues it. */
export type MeetingCommand =
  | { kind: 'cancel'; reason: string | null; actor: string }
  | { kind: 'regenerate'; reason: string | null; actor: string }
  | { kind: 'reschedule'; startTime: string; endTime: string; actor: string };

export type ParsedCommand = { ok: true; command: MeetingCommand } | { ok: false; signal: string; problem: string; actor: string };

const UNKNOWN_ACTOR = 'unknown';

/**
 * The checks a signal passes: `current`, or `lenient`, the rules from before the payload cap and the
 * start window (a start neither past nor over a year ahead), which workflows started before them keep
 * so that their histories replay alike.
 */
export type SignalRules = 'current' | 'lenient';

/** The largest signal payload acted on, as JSON: a request is a few short strings; more is a mistake or abuse. */
export const MAX_SIGNAL_PAYLOAD_BYTES = 64 * 1024;

function asObject(raw: unknown, rules: SignalRules): Record<string, unknown> | string {
  // The Temporal UI and CLI may send no payload at all, or `null`.
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return 'the payload must be a JSON object';
  const bytes = rules === 'current' ? new TextEncoder().encode(JSON.stringify(raw)).length : 0;
  if (bytes > MAX_SIGNAL_PAYLOAD_BYTES) return `the payload is ${bytes} bytes, more than the ${MAX_SIGNAL_PAYLOAD_BYTES / 1024} KB allowed`;
  // Fields other than the request's own are ignored.
  return raw as Record<string, unknown>;
}

function optionalText(value: unknown, field: string, max: number): string | null | { problem: string } {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') return { problem: `${field} must be a string` };
  if (value.length > max) return { problem: `${field} is longer than ${max} characters` };
  return value.trim() || null;
}

type ActorAndReason = { ok: true; actor: string; reason: string | null } | { ok: false; problem: string; actor: string };

function actorAndReason(raw: unknown, rules: SignalRules): ActorAndReason {
  const body = asObject(raw, rules);
  if (typeof body === 'string') return { ok: false, problem: body, actor: UNKNOWN_ACTOR };
  const actor = optionalText(body.actor, 'actor', 200);
  const reason = optionalText(body.reason, 'reason', 1000);
  const actorName = typeof actor === 'string' ? actor : UNKNOWN_ACTOR;
  for (const field of [actor, reason]) if (field !== null && typeof field === 'object') return { ok: false, problem: field.problem, actor: actorName };
  return { ok: true, actor: actorName, reason: reason as string | null };
}

/** `cancel` and `regenerate` carry an optional actor and reason. */
export function parseAdminRequest(kind: 'cancel' | 'regenerate', raw: unknown, rules: SignalRules = 'current'): ParsedCommand {
  const parsed = actorAndReason(raw, rules);
  if (!parsed.ok) return { ok: false, signal: kind, problem: parsed.problem, actor: parsed.actor };
  return { ok: true, command: { kind, actor: parsed.actor, reason: parsed.reason } };
}

/** A reschedule needs both times as ISO-8601 instants, the end after the start, and not over yet. */
export function parseReschedule(raw: unknown, now: Date, rules: SignalRules = 'current'): ParsedCommand {
  const parsed = actorAndReason(raw, rules);
  if (!parsed.ok) return { ok: false, signal: 'reschedule', problem: parsed.problem, actor: parsed.actor };
  const fail = (problem: string): ParsedCommand => ({ ok: false, signal: 'reschedule', problem, actor: parsed.actor });
  const body = (raw ?? {}) as { startTime?: unknown; endTime?: unknown };
  const instant = (field: 'startTime' | 'endTime'): Date | string => {
    const value = body[field];
    if (value === undefined) return `${field} is required: an ISO-8601 time with an offset, e.g. 2026-12-01T15:00:00Z`;
    return parseInstant(value) ?? `${field} ${JSON.stringify(value)} is not an ISO-8601 time with an offset, e.g. 2026-12-01T15:00:00Z`;
  };
  const start = instant('startTime');
  const end = instant('endTime');
  if (typeof start === 'string') return fail(start);
  if (typeof end === 'string') return fail(end);
  const [problem] = sessionTimeProblems(start, end, now, rules === 'current');
  if (problem) return fail(problem);
  return { ok: true, command: { kind: 'reschedule', startTime: start.toISOString(), endTime: end.toISOString(), actor: parsed.actor } };
}

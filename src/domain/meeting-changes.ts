import type { MeetingStatus } from '../workflows/contract';

/** Something that happened to a session's meeting, as the workflow reports it to the read model. */
export type MeetingChange =
  /** `replacing`: a new link is made beside the one people have, which stays ACTIVE meanwhile. */
  | { kind: 'attemptStarted'; generation: number; attempt: number; replacing?: boolean }
  | { kind: 'attemptFailed'; generation: number; attempt: number; error: string; retryInMs: number }
  | { kind: 'meetingActive'; generation: number; attempt: number; eventId: string; meetingUrl: string }
  | { kind: 'creationFailed'; generation: number; attempts: number; error: string; permanent: boolean }
  | { kind: 'regenerationFailed'; generation: number; attempts: number; error: string }
  | { kind: 'regenerationRequested'; generation: number; actor: string; reason: string | null }
  /** A regenerate that came while a link was being made: that link's next attempt runs at once instead. */
  | { kind: 'regenerationMerged'; generation: number; actor: string; reason: string | null }
  | { kind: 'rescheduled'; startTime: string; endTime: string; actor: string }
  | { kind: 'cancelled'; actor: string; reason: string | null }
  | { kind: 'joinable' }
  | { kind: 'reminderSkipped'; reminder: string; why: string }
  | { kind: 'signalRejected'; signal: string; problem: string; actor: string }
  | { kind: 'signalIgnored'; signal: string; actor: string; why: string }
  | { kind: 'emailFailed'; email: string; error: string };

export interface SessionMeetingUpdate {
  startTime?: Date;
  endTime?: Date;
  bookingStatus?: 'CANCELLED';
  meetingJoinableAt?: Date | null;
  meetingStatus?: MeetingStatus;
  meetingUrl?: string | null;
  meetingEventId?: string | null;
  meetingCreatedAt?: Date;
  meetingError?: string | null;
  meetingRetryCount?: number;
  meetingLastAttemptAt?: Date;
}

export interface AuditEntry {
  action: string;
  actor: string;
  outcome: 'SUCCESS' | 'FAILURE' | 'INFO';
  error: string | null;
  detail: Record<string, string | number | boolean | null>;
}

export interface MeetingChangeRecord {
  session: SessionMeetingUpdate;
  audit: AuditEntry;
}

const SYSTEM = 'system';

/** The row update and the audit entry that together record one change. */
export function recordForChange(change: MeetingChange, now: Date): MeetingChangeRecord {
  switch (change.kind) {
    case 'attemptStarted':
      return {
        session: { ...(change.replacing ? {} : { meetingStatus: 'CREATING' as const }), meetingRetryCount: change.attempt - 1, meetingLastAttemptAt: now },
        audit: audit('ATTEMPT_STARTED', 'INFO', null, { generation: change.generation, attempt: change.attempt }),
      };
    case 'attemptFailed':
      return {
        session: { meetingError: change.error },
        audit: audit('ATTEMPT_FAILED', 'FAILURE', change.error, {
          generation: change.generation,
          attempt: change.attempt,
          retryInMs: change.retryInMs,
        }),
      };
    case 'meetingActive':
      return {
        session: {
          meetingStatus: 'ACTIVE',
          meetingUrl: change.meetingUrl,
          meetingEventId: change.eventId,
          meetingCreatedAt: now,
          meetingError: null,
        },
        audit: audit('MEETING_ACTIVE', 'SUCCESS', null, {
          generation: change.generation,
          attempt: change.attempt,
          eventId: change.eventId,
          meetingUrl: change.meetingUrl,
        }),
      };
    case 'creationFailed':
      return {
        session: { meetingStatus: 'FAILED', meetingError: change.error },
        audit: audit(change.permanent ? 'CREATION_FAILED_PERMANENTLY' : 'ATTEMPTS_EXHAUSTED', 'FAILURE', change.error, {
          generation: change.generation,
          attempts: change.attempts,
        }),
      };
    case 'regenerationFailed':
      // The link people have stays: the row keeps its URL and event, and says why no new one came.
      return {
        session: { meetingStatus: 'ACTIVE', meetingError: change.error },
        audit: audit('REGENERATION_FAILED', 'FAILURE', change.error, { generation: change.generation, attempts: change.attempts }),
      };
    case 'regenerationRequested':
      return {
        session: {},
        audit: audit('REGENERATION_REQUESTED', 'INFO', null, { generation: change.generation, reason: change.reason }, change.actor),
      };
    case 'regenerationMerged':
      return {
        session: {},
        audit: audit('REGENERATION_MERGED', 'INFO', null, { generation: change.generation, reason: change.reason }, change.actor),
      };
    case 'rescheduled':
      return {
        session: { startTime: new Date(change.startTime), endTime: new Date(change.endTime), meetingJoinableAt: null },
        audit: audit('RESCHEDULED', 'SUCCESS', null, { startTime: change.startTime, endTime: change.endTime }, change.actor),
      };
    case 'cancelled':
      return {
        session: { meetingStatus: 'CANCELLED', bookingStatus: 'CANCELLED', meetingUrl: null, meetingJoinableAt: null },
        audit: audit('CANCELLED', 'SUCCESS', null, { reason: change.reason }, change.actor),
      };
    case 'joinable':
      return { session: { meetingJoinableAt: now }, audit: audit('MEETING_JOINABLE', 'INFO', null, {}) };
    case 'reminderSkipped':
      return { session: {}, audit: audit('REMINDER_SKIPPED', 'INFO', null, { reminder: change.reminder, why: change.why }) };
    case 'signalRejected':
      return { session: {}, audit: audit('SIGNAL_REJECTED', 'FAILURE', change.problem, { signal: change.signal }, change.actor) };
    case 'signalIgnored':
      return { session: {}, audit: audit('SIGNAL_IGNORED', 'INFO', null, { signal: change.signal, why: change.why }, change.actor) };
    case 'emailFailed':
      return { session: {}, audit: audit('EMAIL_FAILED', 'FAILURE', change.error, { email: change.email }) };
  }
}

function audit(action: string, outcome: AuditEntry['outcome'], error: string | null, detail: AuditEntry['detail'], actor = SYSTEM): AuditEntry {
  return { action, actor, outcome, error, detail };
}

/** Failures identified by their generation and attempts: their error text is only their wording. */
const FAILURES_OF_AN_ATTEMPT: ReadonlySet<MeetingChange['kind']> = new Set(['attemptFailed', 'creationFailed', 'regenerationFailed']);

/**
 * What makes two writes one change, for its audit row. A failure of an attempt (and the failure of
 * a generation it decides) is one change however its tries worded the error: an attempt started in
 * a local activity runs again when the workflow task that ran it was lost, and can fail the second
 * time with other words.
 */
export function changeIdentity(change: MeetingChange): object {
  if (!FAILURES_OF_AN_ATTEMPT.has(change.kind) || !('error' in change)) return change;
  const { error: _wording, ...identity } = change;
  return identity;
}

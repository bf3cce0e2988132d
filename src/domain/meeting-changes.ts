import type { MeetingStatus } from '../workflows/contract';

/** Something that happened to a session's meeting, as the workflow reports it to the read model. */
export type MeetingChange =
  | { kind: 'attemptStarted'; generation: number; attempt: number }
  | { kind: 'attemptFailed'; generation: number; attempt: number; error: string; retryInMs: number }
  | { kind: 'meetingActive'; generation: number; attempt: number; eventId: string; meetingUrl: string }
  | { kind: 'creationFailed'; generation: number; attempts: number; error: string; permanent: boolean };

export interface SessionMeetingUpdate {
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
  detail: Record<string, string | number | boolean>;
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
        session: { meetingStatus: 'CREATING', meetingRetryCount: change.attempt - 1, meetingLastAttemptAt: now },
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
  }
}

function audit(action: string, outcome: AuditEntry['outcome'], error: string | null, detail: AuditEntry['detail']): AuditEntry {
  return { action, actor: SYSTEM, outcome, error, detail };
}

/**
 * What a chaos run leaves behind, gathered from sources that do not depend on the worker's own
 * bookkeeping: the booking service's journal, the workflow histories (what Temporal recorded), the
 * Session rows, and what the Calendar and Resend stand-ins received. Plain data, so the checker is a
 * plain function with its own tests.
 */

export interface ActivityRecord {
  type: string;
  args: unknown[];
  outcome: 'completed' | 'failed' | 'timed-out' | 'cancelled' | 'pending';
  /** Set when the last failure said another try could not succeed. */
  nonRetryable: boolean;
}

export interface SessionEvidence {
  sessionId: string;
  teacherEmail: string;
  studentEmail: string;
  row: {
    meetingStatus: string;
    bookingStatus: string;
    meetingUrl: string | null;
    meetingEventId: string | null;
    startTime: string;
  } | null;
  workflow: {
    status: string;
    /** Activities scheduled and not yet done (retrying, or waiting for a worker). */
    pendingActivities: number;
    /** The attempt of a workflow task still to complete (> 1: it has been failing). */
    pendingWorkflowTaskAttempt: number;
    /** Signals in the order the history recorded them, with their payloads. */
    signals: Array<{ name: string; input: unknown }>;
    activities: ActivityRecord[];
  } | null;
  /** The workflow's `status` query. */
  query: { meetingStatus: string; meetingUrl: string | null } | null;
}

export interface CalendarEventRecord {
  id: string;
  deleted: boolean;
  attendees: string[];
  meetingUrl: string | null;
}

export interface EmailRecord {
  to: string[];
  subject: string;
  text: string;
}

export interface AuditRecord {
  /** Null for fleet-wide rows (the health monitor's alerts). */
  sessionId: string | null;
  action: string;
  detail: unknown;
}

export interface RunEvidence {
  /** Creation attempts a link generation gets before it counts as failed (the retry schedule + 1). */
  attemptsPerGeneration: number;
  adminEmail: string;
  /** Every session the booking service wrote (its journal). */
  bookedSessionIds: string[];
  sessions: SessionEvidence[];
  calendarEvents: CalendarEventRecord[];
  emails: EmailRecord[];
  audit: AuditRecord[];
}

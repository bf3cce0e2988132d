// Names that the booking service, admins and the worker share. Imports nothing with I/O, so both the
// client and the workflow bundle can use it.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SerialisedMeetingState } from './meeting/session-meeting-state';

export const SESSION_MEETING_WORKFLOW_TYPE = 'SessionMeetingWorkflow';
export const DEFAULT_TASK_QUEUE = 'session-meetings';

export const MEETING_STATUSES = ['PENDING', 'CREATING', 'ACTIVE', 'FAILED', 'CANCELLED'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

/** Ids only: names and email addresses stay out of workflow history. */
export interface SessionMeetingInput {
  sessionId: string;
  /** Set only by the workflow itself when it continues as new: the meeting's state, carried over. */
  state?: SerialisedMeetingState;
}

export interface MeetingStatusView {
  sessionId: string;
  meetingStatus: MeetingStatus;
  meetingUrl: string | null;
  meetingEventId: string | null;
  /** Creation attempts made for the current link. */
  attempts: number;
  lastError: string | null;
  startTime: string | null;
  endTime: string | null;
  nextReminderAt: string | null;
  /** A new link is being made while people keep the current one (a regeneration); absent from older runs. */
  newLinkPending?: boolean;
}

export const statusQuery = defineQuery<MeetingStatusView>('status');

/** Signal payloads: JSON objects as a person types them in the Temporal UI or CLI (or none at all). */
export interface CancelRequest {
  reason?: string;
  actor?: string;
}
export interface RegenerateRequest {
  reason?: string;
  actor?: string;
}
export interface RescheduleRequest {
  /** ISO-8601 with an offset, e.g. 2026-12-01T15:00:00Z. */
  startTime: string;
  endTime: string;
  actor?: string;
}

// Payloads are typed `unknown` on the receiving side: the workflow validates what people send.
export const cancelSignal = defineSignal<[CancelRequest?]>('cancel');
export const regenerateSignal = defineSignal<[RegenerateRequest?]>('regenerate');
export const rescheduleSignal = defineSignal<[RescheduleRequest]>('reschedule');

export const meetingStatusSearchAttribute = defineSearchAttributeKey('MeetingStatus', SearchAttributeType.KEYWORD);
export const sessionStartTimeSearchAttribute = defineSearchAttributeKey('SessionStartTime', SearchAttributeType.DATETIME);
export const SEARCH_ATTRIBUTES = [meetingStatusSearchAttribute, sessionStartTimeSearchAttribute];

/** Calls to Google go through their own task queue, whose rate limit holds across all workers. */
export function googleTaskQueue(taskQueue: string): string {
  return `${taskQueue}-google`;
}

/** The health monitor: a Temporal Schedule that runs `MeetingHealthWorkflow` on the same task queue. */
export const HEALTH_SCHEDULE_ID = 'session-meetings-health';
export const MEETING_HEALTH_WORKFLOW_TYPE = 'MeetingHealthWorkflow';

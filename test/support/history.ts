import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';

const { EventType } = temporal.api.enums.v1;

export interface ScheduledActivity {
  type: string;
  args: unknown[];
  /** Server time of scheduling: on the time-skipping server, the skipped-to time. */
  at: number;
}

/** The activities the session's workflow scheduled, with their inputs and when. */
export async function scheduledActivities(client: Client, sessionId: string): Promise<ScheduledActivity[]> {
  const history = await client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .map((event) => {
      const attributes = event.activityTaskScheduledEventAttributes;
      const seconds = Number(event.eventTime?.seconds ?? 0);
      const nanos = event.eventTime?.nanos ?? 0;
      return {
        type: attributes?.activityType?.name ?? '',
        args: (attributes?.input?.payloads ?? []).map((payload) => defaultPayloadConverter.fromPayload(payload)),
        at: seconds * 1000 + Math.floor(nanos / 1e6),
      };
    });
}

/** The timers the workflow started, in seconds. */
export async function timerSeconds(client: Client, sessionId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)
    .map((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0));
}

import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';

const { EventType } = temporal.api.enums.v1;

export interface ScheduledActivity {
  type: string;
  /** Null for a local activity: its marker records its result, not its inputs. */
  args: unknown[] | null;
  /** Server time of scheduling (a local activity: of its record): on the time-skipping server, the skipped-to time. */
  at: number;
}

function eventTimeMs(event: temporal.api.history.v1.IHistoryEvent): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
}

/** The activity type of a local activity's marker (null for other markers). */
function localActivityType(event: temporal.api.history.v1.IHistoryEvent): string | null {
  const marker = event.markerRecordedEventAttributes;
  const data = marker?.markerName === 'core_local_activity' ? marker.details?.['data']?.payloads?.[0] : undefined;
  return data ? (defaultPayloadConverter.fromPayload<{ activity_type?: string }>(data).activity_type ?? null) : null;
}

/** The events of the session's workflow's (latest) run so far. */
export async function sessionHistoryEvents(client: Client, sessionId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).fetchHistory()).events ?? [];
}

/** The activities the session's workflow ran, on the server (with their inputs) and local, in order and when. */
export async function scheduledActivities(client: Client, sessionId: string): Promise<ScheduledActivity[]> {
  return (await sessionHistoryEvents(client, sessionId)).flatMap((event): ScheduledActivity[] => {
    const local = localActivityType(event);
    if (local !== null) return [{ type: local, args: null, at: eventTimeMs(event) }];
    if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) return [];
    const attributes = event.activityTaskScheduledEventAttributes;
    const args = (attributes?.input?.payloads ?? []).map((payload) => defaultPayloadConverter.fromPayload(payload));
    return [{ type: attributes?.activityType?.name ?? '', args, at: eventTimeMs(event) }];
  });
}

/** The timers the workflow started, in seconds. */
export async function timerSeconds(client: Client, sessionId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)
    .map((e) => Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0));
}

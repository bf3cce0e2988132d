import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PrismaClient } from '../src/adapters/database';
import { sessionMeetingWorkflowId } from '../src/domain/meeting-ids';
import type { GoogleCalendarStandin } from '../src/standins/google-calendar';
import type { ResendStandin } from '../src/standins/resend';
import { statusQuery } from '../src/workflows/contract';
import type { ActivityRecord, CalendarEventRecord, RunEvidence, SessionEvidence } from './evidence';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function decode(payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map((payload) => defaultPayloadConverter.fromPayload(payload));
}

/** Signals and activities as the history recorded them, with each activity's last outcome. */
export function summariseHistory(events: HistoryEvent[]): { signals: Array<{ name: string; input: unknown }>; activities: ActivityRecord[] } {
  const signals: Array<{ name: string; input: unknown }> = [];
  const activities = new Map<string, ActivityRecord>();
  const outcome = (scheduledEventId: unknown, result: ActivityRecord['outcome'], nonRetryable = false) => {
    const activity = activities.get(String(scheduledEventId));
    if (activity) Object.assign(activity, { outcome: result, nonRetryable });
  };
  for (const event of events) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        const attributes = event.workflowExecutionSignaledEventAttributes;
        signals.push({ name: attributes?.signalName ?? '', input: decode(attributes?.input)[0] });
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const attributes = event.activityTaskScheduledEventAttributes;
        activities.set(String(event.eventId), { type: attributes?.activityType?.name ?? '', args: decode(attributes?.input), outcome: 'pending', nonRetryable: false });
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        outcome(event.activityTaskCompletedEventAttributes?.scheduledEventId, 'completed');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: {
        const failure = event.activityTaskFailedEventAttributes?.failure;
        outcome(event.activityTaskFailedEventAttributes?.scheduledEventId, 'failed', Boolean(failure?.applicationFailureInfo?.nonRetryable));
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        outcome(event.activityTaskTimedOutEventAttributes?.scheduledEventId, 'timed-out');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        outcome(event.activityTaskCanceledEventAttributes?.scheduledEventId, 'cancelled');
        break;
      default:
        break;
    }
  }
  return { signals, activities: [...activities.values()] };
}

async function mapConcurrently<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
    }),
  );
  return results;
}

/**
 * The emails the workflow queued, as `sendMeetingEmails` records, one per occasion: since
 * `lean-start` it is a local activity, whose history marker keeps no arguments, so the outbox is
 * where what was queued is written. Delivered when the outbox sent all of that occasion's emails.
 */
async function queuedEmails(prisma: PrismaClient, sessionId: string): Promise<ActivityRecord[]> {
  const rows = await prisma.emailOutbox.findMany({ where: { sessionId, recipient: { in: ['teacher', 'student'] } }, select: { kind: true, occurrence: true, status: true }, orderBy: { id: 'asc' } });
  const occasions = new Map<string, ActivityRecord>();
  for (const row of rows) {
    const key = `${row.kind}\n${row.occurrence}`;
    const sent = row.status === 'SENT';
    const known = occasions.get(key);
    if (known) known.outcome = known.outcome === 'completed' && sent ? 'completed' : 'pending';
    else occasions.set(key, { type: 'sendMeetingEmails', args: [sessionId, row.kind, row.occurrence], outcome: sent ? 'completed' : 'pending', nonRetryable: false });
  }
  return [...occasions.values()];
}

async function sessionEvidence(client: Client, prisma: PrismaClient, sessionId: string): Promise<SessionEvidence> {
  const row = await prisma.session.findUnique({ where: { id: sessionId }, include: { teacher: true, student: true } });
  const handle = client.workflow.getHandle(sessionMeetingWorkflowId(sessionId));
  let workflow: SessionEvidence['workflow'] = null;
  let query: SessionEvidence['query'] = null;
  try {
    const description = await handle.describe();
    const history = await handle.fetchHistory();
    workflow = {
      status: description.status.name,
      pendingActivities: description.raw.pendingActivities?.length ?? 0,
      pendingWorkflowTaskAttempt: description.raw.pendingWorkflowTask?.attempt ?? 0,
      ...summariseHistory(history.events ?? []),
    };
    workflow.activities.push(...(await queuedEmails(prisma, sessionId)));
    const view = await handle.query(statusQuery);
    query = { meetingStatus: view.meetingStatus, meetingUrl: view.meetingUrl };
  } catch (error) {
    if (workflow === null && (error as Error).name !== 'WorkflowNotFoundError') throw error;
  }
  return {
    sessionId,
    teacherEmail: row?.teacher.email ?? '',
    studentEmail: row?.student.email ?? '',
    row: row && {
      meetingStatus: row.meetingStatus,
      bookingStatus: row.bookingStatus,
      meetingUrl: row.meetingUrl,
      meetingEventId: row.meetingEventId,
      startTime: row.startTime.toISOString(),
    },
    workflow,
    query,
  };
}

function calendarEvents(google: GoogleCalendarStandin): CalendarEventRecord[] {
  return google.events().map((event) => {
    const resource = event.resource as { attendees?: Array<{ email?: string }>; conferenceData?: { entryPoints?: Array<{ entryPointType?: string; uri?: string }> } };
    return {
      id: event.resource.id,
      deleted: event.deleted,
      attendees: (resource.attendees ?? []).map((attendee) => attendee.email ?? ''),
      meetingUrl: resource.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri ?? null,
    };
  });
}

export async function collectEvidence(options: {
  client: Client;
  prisma: PrismaClient;
  google: GoogleCalendarStandin;
  resend: ResendStandin;
  bookedSessionIds: string[];
  attemptsPerGeneration: number;
  adminEmail: string;
}): Promise<RunEvidence> {
  const { client, prisma } = options;
  const rows = await prisma.session.findMany({ select: { id: true } });
  const ids = [...new Set([...options.bookedSessionIds, ...rows.map((row) => row.id)])];
  const sessions = await mapConcurrently(ids, 16, (id) => sessionEvidence(client, prisma, id));
  const audit = await prisma.meetingAuditEvent.findMany({ select: { sessionId: true, action: true, detail: true } });
  return {
    attemptsPerGeneration: options.attemptsPerGeneration,
    adminEmail: options.adminEmail,
    bookedSessionIds: options.bookedSessionIds,
    sessions,
    calendarEvents: calendarEvents(options.google),
    emails: options.resend.emails().map((email) => ({ to: email.to, subject: email.subject, text: email.text ?? '' })),
    audit,
  };
}

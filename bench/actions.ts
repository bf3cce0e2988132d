// What Temporal does for a workflow, counted from its history: the figures the bench reports per
// session, and the "billable actions" (what a session costs on Temporal Cloud).
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The SDK's marker name for a local activity's result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

export interface HistoryCounts {
  events: number;
  workflowTasks: number;
  /** Activities scheduled on the server (task queues). */
  activities: number;
  localActivities: number;
  timers: number;
  signals: number;
  upserts: number;
  /** Runs started: the first, and one per continue-as-new. */
  starts: number;
  /** History events up to and including the first timer started; null when no timer was started. */
  eventsToFirstTimer: number | null;
  /** starts + activities (server and local) + timers + signals + upserts. */
  billableActions: number;
}

function eventMs(event: HistoryEvent): number | undefined {
  const time = event.eventTime;
  if (!time) return undefined;
  return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

/**
 * Counts one history's events; with `window`, only the events whose time lies within it (to share a
 * long-lived workflow's work, such as an outbox drainer's, out over the sessions of one phase).
 */
export function countHistory(events: readonly HistoryEvent[], window?: { fromMs: number; toMs: number }): HistoryCounts {
  const counts: HistoryCounts = { events: 0, workflowTasks: 0, activities: 0, localActivities: 0, timers: 0, signals: 0, upserts: 0, starts: 0, eventsToFirstTimer: null, billableActions: 0 };
  for (const event of events) {
    const at = eventMs(event);
    if (window && (at === undefined || at < window.fromMs || at > window.toMs)) continue;
    counts.events += 1;
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        counts.starts += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        counts.workflowTasks += 1;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        counts.activities += 1;
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        if (event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) counts.localActivities += 1;
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        counts.timers += 1;
        if (counts.eventsToFirstTimer === null) counts.eventsToFirstTimer = counts.events;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        counts.signals += 1;
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        counts.upserts += 1;
        break;
      default:
        break;
    }
  }
  counts.billableActions = counts.starts + counts.activities + counts.localActivities + counts.timers + counts.signals + counts.upserts;
  return counts;
}

/** The mean of each figure over several histories (eventsToFirstTimer over those that have one). */
export function meanCounts(all: readonly HistoryCounts[]): Record<keyof HistoryCounts, number | null> {
  const keys = ['events', 'workflowTasks', 'activities', 'localActivities', 'timers', 'signals', 'upserts', 'starts', 'eventsToFirstTimer', 'billableActions'] as const;
  const mean = (values: number[]) => (values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100);
  return Object.fromEntries(keys.map((key) => [key, mean(all.map((counts) => counts[key]).filter((value): value is number => value !== null))])) as Record<keyof HistoryCounts, number | null>;
}

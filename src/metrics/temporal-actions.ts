// What a workflow's history costs in Temporal: the events it holds, the round-trips its worker made
// (workflow tasks, activities scheduled on the server), and its billable actions. Plain functions of
// the history's events, for tests and the benchmark.
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/** The marker the SDK records for each local activity that completed (`core_patch` marks a patch). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

export interface HistoryCost {
  events: number;
  /** Workflow tasks completed: each one a round-trip between the worker and the server. */
  workflowTasks: number;
  /** Activities scheduled on the server (each a task on a task queue); retries not included. */
  serverActivities: number;
  /** Tries of server activities beyond each one's first (Temporal bills each try). */
  activityRetries: number;
  /** Local activities run by the workflow's own worker and recorded as markers. */
  localActivities: number;
  timers: number;
  signals: number;
  upserts: number;
  /** Runs started (one per run's history: a run continued as new has its own). */
  starts: number;
}

function isLocalActivityMarker(event: HistoryEvent): boolean {
  return event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER;
}

export function historyCost(events: readonly HistoryEvent[]): HistoryCost {
  const count = (type: temporal.api.enums.v1.EventType) => events.filter((event) => event.eventType === type).length;
  const activityRetries = events
    .filter((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
    .reduce((sum, event) => sum + Math.max(0, (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1), 0);
  return {
    events: events.length,
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    serverActivities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    activityRetries,
    localActivities: events.filter(isLocalActivityMarker).length,
    timers: count(EventType.EVENT_TYPE_TIMER_STARTED),
    signals: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    upserts: count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
    starts: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
  };
}

/**
 * Billable actions in the history: starts, activities (server, with their retries, and local),
 * timers, signals and search-attribute upserts. On Temporal Cloud actions are what a session costs;
 * this counts each local activity as one (Cloud may count those of one workflow task together), so
 * it does not undercount. Pass each run's events once: a run continued as new starts the next.
 */
export function billableActions(events: readonly HistoryEvent[]): number {
  const cost = historyCost(events);
  return cost.starts + cost.serverActivities + cost.activityRetries + cost.localActivities + cost.timers + cost.signals + cost.upserts;
}

/** The events up to and including the first timer started (all of them when there is none). */
export function untilFirstTimer(events: readonly HistoryEvent[]): HistoryEvent[] {
  const index = events.findIndex((event) => event.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
  return index === -1 ? [...events] : events.slice(0, index + 1);
}

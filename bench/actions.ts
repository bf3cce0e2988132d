// What Temporal does for a workflow, counted from its history (src/metrics/temporal-actions.ts), as
// the bench reports it per session: with the events up to the first timer, within a time window, and
// averaged over a sample.
import { temporal } from '@temporalio/proto';
import { billableActions, historyCost, untilFirstTimer, type HistoryCost } from '../src/metrics/temporal-actions';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface HistoryCounts extends HistoryCost {
  /** History events up to and including the first timer started; null when no timer was started. */
  eventsToFirstTimer: number | null;
  /** starts + activities (server with their retries, and local) + timers + signals + upserts. */
  billableActions: number;
}

function eventMs(event: HistoryEvent): number | undefined {
  const time = event.eventTime;
  return time ? Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6) : undefined;
}

/**
 * Counts one history's events; with `window`, only the events whose time lies within it (to share a
 * long-lived workflow's work, such as an outbox drainer's, out over the sessions of one phase).
 */
export function countHistory(events: readonly HistoryEvent[], window?: { fromMs: number; toMs: number }): HistoryCounts {
  const within = window
    ? events.filter((event) => {
        const at = eventMs(event);
        return at !== undefined && at >= window.fromMs && at <= window.toMs;
      })
    : events;
  const hasTimer = within.some((event) => event.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
  return { ...historyCost(within), eventsToFirstTimer: hasTimer ? untilFirstTimer(within).length : null, billableActions: billableActions(within) };
}

const KEYS = ['events', 'workflowTasks', 'serverActivities', 'activityRetries', 'localActivities', 'timers', 'signals', 'upserts', 'starts', 'eventsToFirstTimer', 'billableActions'] as const;

/** The mean of each figure over several histories (eventsToFirstTimer over those that have one). */
export function meanCounts(all: readonly HistoryCounts[]): Record<(typeof KEYS)[number], number | null> {
  const mean = (values: number[]) => (values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100);
  return Object.fromEntries(KEYS.map((key) => [key, mean(all.map((counts) => counts[key]).filter((value): value is number => value !== null))])) as Record<(typeof KEYS)[number], number | null>;
}

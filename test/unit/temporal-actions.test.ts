import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { billableActions, historyCost, untilFirstTimer } from '../../src/metrics/temporal-actions';

const { EventType } = temporal.api.enums.v1;
type Event = temporal.api.history.v1.IHistoryEvent;

const event = (eventType: temporal.api.enums.v1.EventType, attributes: Partial<Event> = {}): Event => ({ eventType, ...attributes });
const workflowTask = () => [event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED), event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED), event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)];
const marker = (markerName: string) => event(EventType.EVENT_TYPE_MARKER_RECORDED, { markerRecordedEventAttributes: { markerName } });

test('billable actions: starts, server activities with their retries, local activities, timers, signals and upserts; nothing else', () => {
  const events = [
    event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
    ...workflowTask(),
    marker('core_patch'),
    marker('core_local_activity'),
    event(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, { activityTaskStartedEventAttributes: { attempt: 3 } }),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
    event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    ...workflowTask(),
    marker('core_local_activity'),
    event(EventType.EVENT_TYPE_TIMER_STARTED),
    event(EventType.EVENT_TYPE_TIMER_FIRED),
  ];
  expect(historyCost(events)).toEqual({ events: 17, workflowTasks: 2, serverActivities: 1, activityRetries: 2, localActivities: 2, timers: 1, signals: 1, upserts: 1, starts: 1 });
  // 1 start + (1 activity + 2 retries) + 2 local activities + 1 timer + 1 signal + 1 upsert
  expect(billableActions(events)).toBe(9);
  expect(untilFirstTimer(events)).toHaveLength(16);
  expect(untilFirstTimer(events.slice(0, 5))).toHaveLength(5);
});

function recordedEvents(name: string): Event[] {
  return historyFromJSON(JSON.parse(readFileSync(path.join(__dirname, '../replay/histories', `${name}.json`), 'utf8'))).events ?? [];
}

test('a booked session until it first sleeps, as recorded: the lean start costs less than the entity’s first shape', () => {
  const before = historyCost(untilFirstTimer(recordedEvents('created.entity')));
  const lean = historyCost(untilFirstTimer(recordedEvents('created')));
  expect(before).toMatchObject({ events: 53, workflowTasks: 8, serverActivities: 7, localActivities: 0, upserts: 5, timers: 1 });
  expect(lean.workflowTasks).toBeLessThanOrEqual(3);
  expect(lean.serverActivities).toBeLessThanOrEqual(3);
  expect(lean.events).toBeLessThanOrEqual(20);
  expect(billableActions(untilFirstTimer(recordedEvents('created')))).toBeLessThan(billableActions(untilFirstTimer(recordedEvents('created.entity'))));
});

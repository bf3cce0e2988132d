import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { countHistory, meanCounts } from '../../bench/actions';
import { parseBenchArgs } from '../../bench/args';
import { distribution, peakInWindow, percentile, sustainedRate } from '../../bench/stats';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const event = (eventType: temporal.api.enums.v1.EventType, ms = 0, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ eventType, eventTime: msToTs(ms), ...extra });
const localActivity = (ms = 0) => event(EventType.EVENT_TYPE_MARKER_RECORDED, ms, { markerRecordedEventAttributes: { markerName: 'core_local_activity' } });

describe('bench: Temporal actions counted from a history', () => {
  // A start path: start, a workflow task with an upsert, a local activity, a server activity, a timer; then a signal.
  const history: HistoryEvent[] = [
    event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 10),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 20),
    localActivity(20),
    event(EventType.EVENT_TYPE_MARKER_RECORDED, 20, { markerRecordedEventAttributes: { markerName: 'core_patch' } }),
    event(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, 20),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 20),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, 30),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, 40),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 40),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 50),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 60),
    event(EventType.EVENT_TYPE_TIMER_STARTED, 60),
    event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, 5_000),
    event(EventType.EVENT_TYPE_TIMER_STARTED, 5_100),
  ];

  test('counts each kind, the events up to the first timer, and the billable actions', () => {
    expect(countHistory(history)).toEqual({
      events: 16,
      workflowTasks: 2,
      serverActivities: 1,
      activityRetries: 0,
      localActivities: 1,
      timers: 2,
      signals: 1,
      upserts: 1,
      starts: 1,
      eventsToFirstTimer: 14,
      // start 1 + activity 1 + local activity 1 + timers 2 + signal 1 + upsert 1; patch markers are free
      billableActions: 7,
    });
  });

  test('with a time window, only the events within it count (a drainer shared out over a phase)', () => {
    const counts = countHistory(history, { fromMs: 1_000, toMs: 10_000 });
    expect(counts).toMatchObject({ events: 2, signals: 1, timers: 1, starts: 0, billableActions: 2, eventsToFirstTimer: 2 });
  });

  test('a history without a timer has no events-to-first-timer; means skip it', () => {
    const noTimer = countHistory(history.slice(0, 10));
    expect(noTimer.eventsToFirstTimer).toBeNull();
    expect(meanCounts([noTimer, countHistory(history)])).toMatchObject({ eventsToFirstTimer: 14, events: 13 });
  });
});

describe('bench: statistics', () => {
  test('percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBeNull();
    expect(distribution([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
  });

  test('the sustained rate leaves out the first and last tenth', () => {
    // 10 per second for 10 s, then one straggler 100 s later.
    const times = [...Array.from({ length: 100 }, (_, i) => i * 100), 110_000];
    expect(sustainedRate(times)).toBeCloseTo(10, 0);
    expect(sustainedRate([1, 2, 3])).toBeNull();
  });

  test('the peak within any one second', () => {
    expect(peakInWindow([0, 100, 900, 1_000, 1_050, 5_000], 1_000)).toBe(4);
    expect(peakInWindow([], 1_000)).toBe(0);
  });
});

describe('bench: flags', () => {
  test('quick is CI-sized; phases run in their fixed order', () => {
    const plan = parseBenchArgs(['--quick', '--phases', 'ceiling,steady']);
    expect(plan).toMatchObject({ quick: true, phases: ['steady', 'ceiling'], sessions: 50, workers: 1, steady: { durationMs: 20_000 }, topOfHour: { sessions: 10 }, resting: { sessions: 50 } });
  });

  test('the full run: 1,000 sessions, 10,000 resting, 3 minutes of steady bookings', () => {
    expect(parseBenchArgs(['--temporal-db', 'memory'])).toMatchObject({ temporalDb: 'memory' });
    expect(parseBenchArgs([])).toMatchObject({ temporalDb: 'file', sessions: 1000, resting: { sessions: 10_000 }, steady: { perMinute: 100, durationMs: 180_000 }, topOfHour: { sessions: 1000 } });
    expect(parseBenchArgs(['--sessions', '500', '--workers', '2'])).toMatchObject({ sessions: 500, workers: 2, resting: { sessions: 5_000 } });
  });

  test('bad flags are refused with the flag named', () => {
    expect(() => parseBenchArgs(['--sessions', 'many'])).toThrow('--sessions must be a whole number of at least 10');
    expect(() => parseBenchArgs(['--phases', 'steady,nap'])).toThrow('--phases: unknown phase nap');
    expect(() => parseBenchArgs(['--fast'])).toThrow('unknown flag --fast');
    expect(() => parseBenchArgs(['--temporal-db', 'disk'])).toThrow('--temporal-db must be file or memory, not disk');
  });
});

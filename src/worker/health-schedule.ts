import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { HealthMonitorConfig } from '../config/worker-config';
import type { MeetingHealthInput } from '../workflows/health';
import { HEALTH_SCHEDULE_ID, MEETING_HEALTH_WORKFLOW_TYPE } from '../workflows/contract';

/** A run missed by more than this (the server was down) is skipped, not made up. */
const CATCHUP_WINDOW_MS = 60_000;
/**
 * A run that cannot finish (say, a deploy whose code cannot replay it) ends after this, since the
 * schedule skips its runs while one is still going.
 */
const RUN_TIMEOUT_MS = 30 * 60_000;

export type HealthScheduleOutcome = 'created' | 'updated' | 'deleted' | 'absent';

/**
 * Puts the health monitor's schedule in line with this worker's settings: creates it, or updates its
 * interval and action while keeping its state (an operator's pause stays). `off` deletes it, so that
 * no monitor runs.
 */
export async function ensureHealthSchedule(client: Client, taskQueue: string, config: HealthMonitorConfig): Promise<HealthScheduleOutcome> {
  const handle = client.schedule.getHandle(HEALTH_SCHEDULE_ID);
  if (config.intervalMs === null) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return 'absent';
      throw error;
    }
  }
  const input: MeetingHealthInput = { failureRate: config.failureRate };
  const spec: ScheduleSpec = { intervals: [{ every: config.intervalMs }] };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: MEETING_HEALTH_WORKFLOW_TYPE,
    workflowId: HEALTH_SCHEDULE_ID, // the server appends each run's time
    taskQueue,
    args: [input],
    workflowRunTimeout: RUN_TIMEOUT_MS,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW_MS };
  try {
    await client.schedule.create({ scheduleId: HEALTH_SCHEDULE_ID, spec, action, policies });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await handle.update((previous) => ({ ...previous, spec, action, policies }));
  return 'updated';
}

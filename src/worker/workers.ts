import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createGoogleActivities, createMainActivities, type ActivityDeps } from '../activities';
import { SessionMeetings } from '../client/session-meetings';
import { DEFAULT_WORKER_LIMITS, type MeetingPolicy, type WorkerLimits } from '../config/worker-config';
import { googleTaskQueue } from '../workflows/contract';

export interface SessionMeetingWorkersOptions {
  connection: NativeConnection;
  /** A client of the same namespace: the health monitor's reconciler starts workflows with it. */
  client: Client;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Calls to Google per second, across every worker polling the Google task queue. */
  googleCallsPerSecond: number;
  /** A prebuilt workflow bundle (tests build one once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How long a stop waits for running activities before cancelling them (default: none). */
  shutdownGraceTimeMs?: number;
  /** The sticky cache and the task slots (default: `DEFAULT_WORKER_LIMITS`). */
  limits?: WorkerLimits;
}

/**
 * A stop's grace time that covers the longest activity: an attempt's wait for its conference (its
 * timeout is the conference wait + 30 s) or an email batch (1 min), plus a little for the final heartbeat and report.
 */
export function shutdownGraceMs(policy: Pick<MeetingPolicy, 'conferenceWaitMs'>): number {
  return Math.max(policy.conferenceWaitMs + 30_000, 60_000) + 5_000;
}

/**
 * The worker's two halves: workflows with database and email activities on the main task queue, and
 * the Google Calendar activities on their own queue, whose server-side rate limit holds for all
 * workers together, so a burst of bookings never becomes a storm of Google rate-limit errors.
 */
export async function createSessionMeetingWorkers(options: SessionMeetingWorkersOptions): Promise<Worker[]> {
  const { connection, namespace, taskQueue, deps } = options;
  const shutdown = options.shutdownGraceTimeMs === undefined ? {} : { shutdownGraceTime: options.shutdownGraceTimeMs };
  const limits = options.limits ?? DEFAULT_WORKER_LIMITS;
  const main = await Worker.create({
    connection,
    namespace,
    taskQueue,
    ...shutdown,
    maxCachedWorkflows: limits.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: limits.maxConcurrentWorkflowTasks,
    maxConcurrentActivityTaskExecutions: limits.maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: limits.maxConcurrentLocalActivities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createMainActivities({ ...deps, meetings: new SessionMeetings(options.client, taskQueue) }),
  });
  const google = await Worker.create({
    connection,
    namespace,
    taskQueue: googleTaskQueue(taskQueue),
    ...shutdown,
    maxConcurrentActivityTaskExecutions: limits.maxConcurrentActivities,
    activities: createGoogleActivities(deps),
    maxTaskQueueActivitiesPerSecond: options.googleCallsPerSecond,
  });
  return [main, google];
}

/** Runs the workers until all have stopped; a stop of one (SIGTERM, a fatal error) drains the others. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const runs = workers.map((worker) => worker.run());
  try {
    await Promise.race(runs);
  } finally {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.allSettled(runs);
  }
  await Promise.all(runs);
}

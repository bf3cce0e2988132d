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
  /** `deps.googleBudget` is the Google call rate shared by every worker; it also sizes the Google worker. */
  deps: ActivityDeps;
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

/** The shared Google budget's name: one per task queue, so every worker of a deployment shares it. */
export function googleBudgetName(taskQueue: string): string {
  return `google-calendar/${taskQueue}`;
}

/** Seconds of the budget's calls one worker may hold waiting for their slots. */
const GOOGLE_SLOT_SECONDS = 2;

/**
 * How many Google activities one worker runs at once, for a budget of `callsPerSecond` across all
 * workers. Every Calendar call takes a slot of the shared budget (`callGoogle`), so the budget, not
 * Temporal, is what keeps Google under its rate limit; this bound only keeps the wait for a slot
 * short. Each running activity waits for at most one slot at a time, so with W workers a call waits
 * at most about W × 2 s: far inside the create activity's 1 minute and the conference activity's
 * 30 s heartbeat timeout, while two seconds' worth of activities per worker is enough to keep the
 * budget busy (an activity's cycle is a call's latency plus a poll's sleep, under 2 s). The rest of
 * a burst waits in the task queue, where waiting costs nothing and times nothing out. Unlimited: the
 * SDK's default.
 */
export function googleActivitySlots(callsPerSecond: number): number | undefined {
  return Number.isFinite(callsPerSecond) ? Math.max(1, Math.ceil(callsPerSecond * GOOGLE_SLOT_SECONDS)) : undefined;
}

/**
 * The worker's two halves: workflows with database and email activities on the main task queue, and
 * the Google Calendar activities on their own queue. Every Google call counts against one budget
 * shared in PostgreSQL by all workers, so a burst of bookings never becomes a storm of Google
 * rate-limit errors. The queue has no server-side activity rate (`maxTaskQueueActivitiesPerSecond`):
 * it counted activities, not calls (a creation is an insert and its polls), and a second limiter in
 * front of the budget could only leave part of it unused.
 */
export async function createSessionMeetingWorkers(options: SessionMeetingWorkersOptions): Promise<Worker[]> {
  const { connection, namespace, taskQueue, deps } = options;
  const googleSlots = googleActivitySlots(deps.googleBudget.perSecond);
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
    // The fewer of the worker's activity limit and two seconds of the budget.
    maxConcurrentActivityTaskExecutions: Math.min(limits.maxConcurrentActivities, googleSlots ?? Infinity),
    activities: createGoogleActivities(deps),
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

// The session workflow on the time-skipping server with activities that only record their calls and
// answer as a test scripts them: races and storms in seconds, without PostgreSQL or the stand-ins.
import { Context } from '@temporalio/activity';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { MeetingChange } from '../../src/domain/meeting-changes';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { findTemporalExecutable } from '../../src/local/temporal-binaries';
import { ensureSearchAttributes } from '../../src/worker/search-attributes';
import { cancelSignal, SESSION_MEETING_WORKFLOW_TYPE, googleTaskQueue, type MeetingStatusView, type SessionMeetingInput } from '../../src/workflows/contract';

export const HOUR = 3_600_000;

export interface Call {
  name: string;
  args: unknown[];
  /** The server's (skipped) time when the activity ran. */
  at: number;
}

/** A Calendar insert as the test decides: a link, a retryable error, or wait for `release`. */
export type InsertAnswer = { url: string } | { error: string; retryable: boolean } | { gate: Promise<{ url: string }> };

export interface MockedMeetings {
  env: TestWorkflowEnvironment;
  calls: Call[];
  /** What each insert (an attempt's quick start `startMeetingLink`, `makeMeetingLink`, or `createMeetingEvent` on older paths) answers, in order; `{ url }` of the generation when none is left. */
  inserts: InsertAnswer[];
  start(sessionId: string, startsIn: number, minutes?: number, booking?: BookingAtStart): Promise<WorkflowHandleWithFirstExecutionRunId>;
  callsTo(name: string): Call[];
  changes(kind: MeetingChange['kind']): MeetingChange[];
  status(sessionId: string): Promise<MeetingStatusView>;
  workflowBundle: WorkflowBundleWithSourceMap;
}

/** The booking as the workflow's load finds it: cancelled already, and the booking service's cancel sent with the start. */
export interface BookingAtStart {
  cancelled?: boolean;
  cancelSignalWithStart?: { actor?: string; reason?: string };
}

let runtimeInstalled = false;

/** Starts the server and a worker for the test file; closes them after it; forgets the calls before each test. */
export function useMockedMeetings(): MockedMeetings {
  const mocked = { calls: [] as Call[], inserts: [] as InsertAnswer[] } as MockedMeetings;
  const schedules = new Map<string, { startTime: string; endTime: string; bookingCancelled?: true }>();
  let worker: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();

  beforeAll(async () => {
    if (!runtimeInstalled) Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: findTemporalExecutable('test-server') } });
    await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
    const taskQueue = `mocked-${randomUUID()}`;
    // The server's (skipped) time at which the running activity was scheduled.
    const now = () => Context.current().info.currentAttemptScheduledTimestampMs;
    const record = (name: string) => async (...args: unknown[]) => {
      mocked.calls.push({ name, args, at: now() });
    };
    const loadMeetingSession = async (sessionId: string) => {
      mocked.calls.push({ name: 'loadMeetingSession', args: [sessionId], at: now() });
      const schedule = schedules.get(sessionId);
      if (!schedule) throw ApplicationFailure.nonRetryable(`no session ${sessionId}`, 'InvalidSession');
      return schedule;
    };
    const meetingPolicy = async () => ({ retryBackoffMs: [30_000, 120_000, 480_000], conferenceWaitMs: 60_000 });
    const main = {
      loadMeetingSession,
      meetingPolicy,
      loadMeetingStart: async (sessionId: string) => ({ schedule: await loadMeetingSession(sessionId), policy: await meetingPolicy() }),
      recordMeetingChange: record('recordMeetingChange'),
      recordSignalRejections: record('recordSignalRejections'),
      sendMeetingEmails: record('sendMeetingEmails'),
      alertAdmin: record('alertAdmin'),
      // A gated insert stands for a Google too slow for an attempt's quick start (or a budget booked
      // ahead): the attempt goes to the Google queue, where the gate holds it.
      startMeetingLink: async (sessionId: string, generation: number, attempt: number, eventId: string) => {
        const next = mocked.inserts[0];
        if (next !== undefined && 'gate' in next) return { kind: 'budget-busy' as const };
        return { kind: 'link' as const, ...(await insert('startMeetingLink', sessionId, generation, attempt, eventId)) };
      },
    };
    const insert = async (name: string, sessionId: string, generation: number, attempt: number, eventId: string) => {
      mocked.calls.push({ name, args: [sessionId, generation, attempt, eventId], at: now() });
      const answer = mocked.inserts.shift() ?? { url: `https://meet.google.com/${sessionId}-g${generation}` };
      const settled = 'gate' in answer ? await answer.gate : answer;
      if ('error' in settled) {
        throw settled.retryable ? ApplicationFailure.retryable(settled.error, 'GoogleCalendarError') : ApplicationFailure.nonRetryable(settled.error, 'GoogleCalendarError');
      }
      return { eventId, meetingUrl: settled.url };
    };
    const google = {
      createMeetingEvent: (sessionId: string, generation: number, attempt: number, eventId: string) => insert('createMeetingEvent', sessionId, generation, attempt, eventId),
      makeMeetingLink: (sessionId: string, generation: number, attempt: number, eventId: string) => insert('makeMeetingLink', sessionId, generation, attempt, eventId),
      awaitConference: async () => {
        throw ApplicationFailure.nonRetryable('not used: inserts answer with the link', 'Unexpected');
      },
      moveMeetingEvent: async (...args: unknown[]) => (await record('moveMeetingEvent')(...args), 'moved' as const),
      deleteMeetingEvent: async (...args: unknown[]) => (await record('deleteMeetingEvent')(...args), 'deleted' as const),
    };
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
    worker = [
      await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, workflowBundle, activities: main }),
      await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue: googleTaskQueue(taskQueue), activities: google }),
    ];
    running = Promise.all(worker.map((w) => w.run()));
    Object.assign(mocked, {
      env,
      workflowBundle,
      async start(sessionId: string, startsIn: number, minutes = 60, booking: BookingAtStart = {}) {
        const start = (await env.currentTimeMs()) + startsIn;
        const schedule = { startTime: new Date(start).toISOString(), endTime: new Date(start + minutes * 60_000).toISOString() };
        schedules.set(sessionId, booking.cancelled ? { ...schedule, bookingCancelled: true } : schedule);
        const options = { taskQueue, workflowId: sessionMeetingWorkflowId(sessionId), args: [{ sessionId }] as [SessionMeetingInput] };
        if (!booking.cancelSignalWithStart) return env.client.workflow.start(SESSION_MEETING_WORKFLOW_TYPE, options);
        return env.client.workflow.signalWithStart(SESSION_MEETING_WORKFLOW_TYPE, { ...options, signal: cancelSignal, signalArgs: [booking.cancelSignalWithStart] });
      },
      callsTo: (name: string) => mocked.calls.filter((call) => call.name === name),
      changes: (kind: MeetingChange['kind']) =>
        mocked.calls.filter((call) => call.name === 'recordMeetingChange').map((call) => call.args[1] as MeetingChange).filter((change) => change.kind === kind),
      status: (sessionId: string) => env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).query<MeetingStatusView>('status'),
    });
  }, 60_000);

  afterAll(async () => {
    for (const w of worker) if (w.getState() === 'RUNNING') w.shutdown();
    await running.catch(() => undefined);
    await mocked.env?.teardown();
  });

  beforeEach(() => {
    mocked.calls.length = 0;
    mocked.inserts.length = 0;
  });

  return mocked;
}

/** A promise and the function that settles it: an insert that answers when the test says. */
export function gate<T>(): { promise: Promise<T>; release: (value: T) => void } {
  let release!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (release = resolve));
  return { promise, release };
}

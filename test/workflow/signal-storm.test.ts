import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { cancelSignal, rescheduleSignal } from '../../src/workflows/contract';
import { HOUR, useMockedMeetings } from '../support/mocked-meeting';
import { waitFor } from '../support/wait';

// A storm of signals to one session, with mocked activities on the time-skipping server: the session
// keeps working, each run's history stays far below Temporal's limits, and the continued runs replay.

const m = useMockedMeetings();
const { EventType } = temporal.api.enums.v1;
const SIGNALS = 10_000;
const BURST = 1_000;
/** Temporal warns at this many events in one run's history (and terminates the run at 51,200). */
const HISTORY_WARNING_EVENTS = 10_240;

test(`${SIGNALS.toLocaleString('en')} malformed reschedules: still working, every run's history bounded, all audited, the runs replay`, async () => {
  const sessionId = `storm-${Date.now()}`;
  const workflowId = sessionMeetingWorkflowId(sessionId);
  const started = await m.start(sessionId, 3 * 24 * HOUR);
  await waitFor(() => m.status(sessionId), (view) => view.meetingStatus === 'ACTIVE');
  const latest = m.env.client.workflow.getHandle(workflowId);
  // In bursts: Temporal refuses a continue-as-new while new signals keep arriving during the
  // workflow task that asks for it, so a run can only end in a pause of the storm.
  for (let sent = 0; sent < SIGNALS; sent += BURST) {
    await Promise.all(Array.from({ length: BURST }, () => latest.signal(rescheduleSignal, { startTime: 'soon', endTime: 'later' })));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }

  // A valid request after the storm is acted on, in whatever run is current.
  const moveTo = (await m.env.currentTimeMs()) + 4 * 24 * HOUR;
  await latest.signal(rescheduleSignal, { startTime: new Date(moveTo).toISOString(), endTime: new Date(moveTo + HOUR).toISOString(), actor: 'booking' });
  await waitFor(async () => m.callsTo('moveMeetingEvent'), (list) => list.length === 1, 60_000);
  expect(await m.status(sessionId)).toMatchObject({ meetingStatus: 'ACTIVE', startTime: new Date(moveTo).toISOString() });
  await latest.signal(cancelSignal, { actor: 'ops' });
  expect(await latest.result()).toMatchObject({ meetingStatus: 'CANCELLED' });

  // Every rejection is audited: kept ones one by one, the rest counted, in few activities.
  const batches = m.callsTo('recordSignalRejections').map((call) => call.args[1] as { rejected: unknown[]; uncounted: number });
  expect(batches.reduce((sum, batch) => sum + batch.rejected.length + batch.uncounted, 0)).toBe(SIGNALS);
  expect(batches.length).toBeLessThan(SIGNALS / 10);

  // Follow the chain of runs: each continued as new below the warning limit, and each replays.
  const runs: number[] = [];
  for (let runId: string | undefined = started.firstExecutionRunId; runId; ) {
    const history: temporal.api.history.v1.IHistory = await m.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.push(events.length);
    // What a run carries into the next is small: the state's lists and texts are capped.
    const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data?.length ?? 0;
    expect(input).toBeLessThan(16 * 1024);
    await Worker.runReplayHistory({ workflowBundle: m.workflowBundle, replayName: `storm run ${runs.length}` }, history, workflowId);
    const last: temporal.api.history.v1.IHistoryEvent | undefined = events.at(-1);
    runId = last?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW ? (last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined) : undefined;
  }
  // A run continues as new at 4,000 events once idle; signals that keep coming until then add to it.
  // How many runs 10,000 signals fill depends on where the storm's pauses fall against that mark
  // (two or three here), so the test asks for a chain, not for its length.
  expect(runs.length).toBeGreaterThanOrEqual(2);
  for (const length of runs) expect(length).toBeLessThan(HISTORY_WARNING_EVENTS);
}, 300_000);

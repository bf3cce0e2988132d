import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { SESSION_MEETING_WORKFLOW_TYPE } from '../../src/workflows/contract';

// Histories recorded from the real dev server (`npm run record-histories`) for the main paths.
// Replaying them against today's workflow code fails when a change would break sessions already
// running: such a change needs `patched()` (see README, "Changing the workflow").

Runtime.install({ logger: new DefaultLogger('WARN') });

const HISTORIES = path.join(__dirname, 'histories');
const recorded = readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ name: file.replace(/\.json$/, ''), history: JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')) as unknown }));

interface RecordedHistory {
  events: Array<{ workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string }; input?: { payloads?: Array<{ data?: string }> } } }>;
}

/**
 * The workflow id a history ran under. Histories do not carry it, and the workflow checks it against
 * its input, so each replays under its real one (the SDK's default, `fake`, would fail that check).
 */
function workflowIdOf(history: unknown): string | undefined {
  const started = (history as RecordedHistory).events[0]?.workflowExecutionStartedEventAttributes;
  if (started?.workflowType?.name !== SESSION_MEETING_WORKFLOW_TYPE) return undefined;
  const data = started.input?.payloads?.[0]?.data ?? '';
  return sessionMeetingWorkflowId((JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { sessionId: string }).sessionId);
}

function workflowBundle() {
  const codePath = process.env.SESSION_MEETINGS_WORKFLOW_BUNDLE;
  return codePath ? { workflowBundle: { codePath } } : { workflowsPath: require.resolve('../../src/workflows') };
}

// Paths added behind `patched()` are recorded twice: by the code before the patch (what running
// workflows hold when the patch is deployed; they must replay on its old path) and after it.
const PATCHED_PATHS = ['booked-minutes-before', 'cancelled-in-temporal', 'invalid-session', 'regeneration-failed', 'rescheduled'];

const MAIN_PATHS = ['cancelled', 'created', 'failed-then-regenerated', ...PATCHED_PATHS];

// Sessions started before the entity reshape run the frozen V1 code: their histories are `.v1` (and
// `.before-patch`); the entity's first shape (before `lean-start`) are `.entity`, with the continued
// run; the lean shape's (before `local-link`) are `.lean`; the current shape's are recorded under the
// scenario's own name.
const ENTITY_PATHS = [...MAIN_PATHS, 'continued'];

// Paths the lean shapes have: their load answers a booking cancelled before the meeting was made.
const LEAN_PATHS = [...ENTITY_PATHS, 'booking-cancelled-at-start'];

test('the main paths are all recorded, on V1 (each patched path from before and after its patch), on the entity, on the lean shape before local-link and on the current code', () => {
  expect(recorded.map((r) => r.name).sort()).toEqual(
    [
      'health-run',
      ...MAIN_PATHS.map((name) => `${name}.v1`),
      ...PATCHED_PATHS.map((name) => `${name}.before-patch`),
      ...ENTITY_PATHS.map((name) => `${name}.entity`),
      ...LEAN_PATHS.map((name) => `${name}.lean`),
      ...LEAN_PATHS,
    ].sort(),
  );
});

/** The patch ids a history recorded (Temporal's `core_patch` markers). */
function patchesOf(history: unknown): string[] {
  const events = (history as { events: Array<{ markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: string }> }> } }> }).events;
  return events.flatMap((event) => {
    const data = event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id] : [];
  });
}

/** Which shape of the workflow a history ran, by its file name. */
function shapeOf(name: string): 'v1' | 'entity' | 'lean' | 'local-link' {
  if (/\.(v1|before-patch)$/.test(name)) return 'v1';
  if (name.endsWith('.entity')) return 'entity';
  return name.endsWith('.lean') ? 'lean' : 'local-link';
}

test('V1 histories take the V1 path, the entity ones its first shape, the lean ones the lean start, the others a local link; the continued runs start from a carried state', () => {
  for (const { name, history } of recorded.filter((r) => r.name !== 'health-run')) {
    const patches = patchesOf(history);
    const shape = patches.includes('local-link') ? 'local-link' : patches.includes('lean-start') ? 'lean' : patches.includes('entity-v2') ? 'entity' : 'v1';
    expect([name, shape]).toEqual([name, shapeOf(name)]);
  }
  for (const name of ['continued', 'continued.lean', 'continued.entity']) {
    const continued = recorded.find((r) => r.name === name)?.history as RecordedHistory;
    const input = JSON.parse(Buffer.from(continued.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data ?? '', 'base64').toString('utf8')) as { state?: { status?: string } };
    expect([name, input.state?.status]).toEqual([name, 'ACTIVE']);
  }
});

test.each(recorded)('$name replays on the current workflow code', async ({ name, history }) => {
  await Worker.runReplayHistory({ ...workflowBundle(), replayName: name }, history, workflowIdOf(history));
});

test('a change that reorders the workflow is caught by replay', async () => {
  const created = recorded.find((r) => r.name === 'created');
  const reordered = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/reordered-workflow'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  await expect(Worker.runReplayHistory({ workflowBundle: reordered, replayName: 'reordered' }, created?.history, workflowIdOf(created?.history))).rejects.toThrow(DeterminismViolationError);
}, 60_000);

// The table a bench run prints at its end: per phase, the figures the issue asks for.
import type { PhaseResult } from './phases';

type Row = [string, string];

/** The figure at a dotted path of a phase's result, for the table. */
function at(result: PhaseResult, dotted: string): unknown {
  let value: unknown = result;
  for (const key of dotted.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '–';
  if (typeof value === 'object') {
    const d = value as Record<string, unknown>;
    if ('p50' in d) return `p50 ${show(d.p50)}  p95 ${show(d.p95)}  p99 ${show(d.p99)}  max ${show(d.max)}  (n=${show(d.count)})`;
    if ('expected' in d) return `${show(d.delivered)} of ${show(d.expected)} (lost ${show(d.lost)}, doubled ${show(d.duplicates)})`;
    return Object.entries(d)
      .map(([key, inner]) => `${key} ${show(inner)}`)
      .join(', ');
  }
  return String(value);
}

const FIGURES: Record<string, Array<[string, string]>> = {
  steady: [
    ['sessions', 'sessions'],
    ['time to link (s)', 'timeToLinkSeconds'],
    ['Google calls / session', 'api.googleCallsPerSession'],
    ['rate-limit answers (Google, Resend)', 'rateLimits'],
    ['billable Temporal actions / session', 'temporal.billableActionsPerSession'],
    ['confirmation emails', 'confirmations'],
  ],
  burst: [
    ['sessions, workers', 'sessionsAndWorkers'],
    ['drain (s)', 'drainSeconds'],
    ['sessions/s', 'sessionsPerSecond'],
    ['time to link (s)', 'timeToLinkSeconds'],
    ['Google calls / session', 'api.googleCallsPerSession'],
    ['Google budget used, peak calls in 1 s', 'budget'],
    ['Google limit', 'googleLimit'],
    ['rate-limit answers (Google, Resend)', 'rateLimits'],
    ['workflow tasks / server activities / local / upserts', 'shape'],
    ['history events to the first timer', 'temporal.perSession.eventsToFirstTimer'],
    ['billable Temporal actions / session', 'temporal.billableActionsPerSession'],
    ['duplicate Calendar events', 'duplicateEvents'],
    ['confirmation emails', 'confirmations'],
  ],
  'top-of-hour': [
    ['sessions (same start)', 'sessions'],
    ['"starting soon" lateness (s)', 'latenessSeconds'],
    ['early', 'early'],
    ['sessions linked after the moment (no "starting soon")', 'linkedAfterTheMoment'],
    ['"starting soon" emails', 'startingSoon'],
    ['Resend limit', 'resendLimit'],
    ['Resend 429 answers', 'api.resendRateLimitAnswers'],
    ['Resend peak requests in 1 s', 'api.resendPeakRequestsPerSecond'],
  ],
  ceiling: [
    ['sessions, workers', 'sessionsAndWorkers'],
    ['sustained sessions/s', 'sessionsPerSecond'],
    ['CPU cores busy', 'cpu.coresBusy'],
    ['CPU ms / session (all processes)', 'cpu.cpuMsPerSession'],
    ['naive loop sessions/s (concurrency)', 'naiveRate'],
    ['naive loop CPU cores busy', 'naive.cpu.coresBusy'],
    ['naive loop CPU ms / session', 'naive.cpu.cpuMsPerSession'],
    ['ratio to the naive loop', 'ratioToNaive'],
    ['billable Temporal actions / session', 'temporal.billableActionsPerSession'],
  ],
  resting: [
    ['sessions asleep', 'sessions'],
    ['worker RSS after booking them (MB)', 'workerRssMb'],
    ['worker RSS after a restart (MB)', 'afterRestart.workerRssMb'],
    ['Temporal server RSS (MB)', 'temporalRssMb'],
    ['database (MB)', 'databaseMb'],
    ['history events / workflow', 'historyEventsPerWorkflow'],
    ['after a restart: s to ACTIVE (worker ready s)', 'restart'],
  ],
};

/** Figures made of several others, so that each row of the table reads as one thing. */
function derived(result: PhaseResult): PhaseResult {
  const perSession = (at(result, 'temporal.perSession') ?? {}) as Record<string, unknown>;
  return {
    ...result,
    rateLimits: `${show(at(result, 'api.googleRateLimitAnswers'))}, ${show(at(result, 'api.resendRateLimitAnswers'))}`,
    sessionsAndWorkers: `${show(result.sessions)}, ${show(result.workers)}`,
    budget: `${show(result.budgetUsed)}, ${show(at(result, 'api.googlePeakCallsPerSecond'))}`,
    shape: `${show(perSession.workflowTasks)} / ${show(perSession.serverActivities)} / ${show(perSession.localActivities)} / ${show(perSession.upserts)}`,
    naiveRate: `${show(at(result, 'naive.sessionsPerSecond'))} (${show(at(result, 'naive.concurrency'))})`,
    restart: `${show(at(result, 'afterRestart.secondsToActive'))} (${show(at(result, 'afterRestart.workerReadySeconds'))})`,
  };
}

export function printTable(phases: Record<string, PhaseResult>, breaks: readonly string[]): void {
  const lines: string[] = [];
  for (const [phase, result] of Object.entries(phases)) {
    const rows: Row[] = 'error' in result ? [['failed', String(result.error)]] : (FIGURES[phase] ?? []).map(([label, key]): Row => [label, show(at(derived(result), key))]);
    const width = Math.max(...rows.map(([label]) => label.length));
    lines.push(phase, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`));
  }
  lines.push(breaks.length === 0 ? 'budgets: all kept' : `budgets broken (${breaks.length}):`, ...breaks.map((line) => `  ! ${line}`));
  console.log(lines.join('\n'));
}

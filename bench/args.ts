// `npm run bench` flags, and the sizes of each phase they give.

export const PHASES = ['steady', 'burst', 'top-of-hour', 'ceiling', 'resting'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchPlan {
  quick: boolean;
  phases: Phase[];
  workers: number;
  /** Where the dev server the run starts keeps its state: its SQLite file (as the issue measured) or memory. */
  temporalDb: 'file' | 'memory';
  /** Bookings of the burst and ceiling phases (and the naive loop). */
  sessions: number;
  steady: { perMinute: number; durationMs: number; pendingMs: { min: number; max: number } };
  burst: { googleCallsPerSecond: number; enforceCallsPerSecond: number };
  topOfHour: { sessions: number; resendRequestsPerSecond: number };
  resting: { sessions: number };
}

function wholeNumber(flag: string, text: string | undefined, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${flag} must be a whole number of at least ${min}`);
  return value;
}

export function parseBenchArgs(args: readonly string[]): BenchPlan {
  const known = new Set(['--quick', '--sessions', '--workers', '--phases', '--top-sessions', '--resting-sessions', '--temporal-db']);
  const values = new Map<string, string | undefined>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? '';
    if (!known.has(flag)) throw new Error(`unknown flag ${flag} (known: ${[...known].join(', ')})`);
    if (flag === '--quick') values.set(flag, 'yes');
    else values.set(flag, args[++i]);
  }
  const quick = values.has('--quick');
  const phases = (values.get('--phases') ?? PHASES.join(',')).split(',').map((name) => name.trim());
  for (const phase of phases) if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`--phases: unknown phase ${phase} (known: ${PHASES.join(', ')})`);
  const temporalDb = values.get('--temporal-db') ?? 'file';
  if (temporalDb !== 'file' && temporalDb !== 'memory') throw new Error(`--temporal-db must be file or memory, not ${temporalDb}`);
  const sessions = values.has('--sessions') ? wholeNumber('--sessions', values.get('--sessions'), 10) : quick ? 50 : 1000;
  return {
    quick,
    // Always in the order of PHASES: phases that share a worker configuration run one after another.
    phases: PHASES.filter((phase) => phases.includes(phase)),
    workers: values.has('--workers') ? wholeNumber('--workers', values.get('--workers'), 1) : 1,
    temporalDb,
    sessions,
    steady: { perMinute: 100, durationMs: quick ? 20_000 : 180_000, pendingMs: { min: 1_000, max: 2_000 } },
    burst: { googleCallsPerSecond: 50, enforceCallsPerSecond: 60 },
    topOfHour: { sessions: values.has('--top-sessions') ? wholeNumber('--top-sessions', values.get('--top-sessions'), 1) : quick ? 10 : sessions, resendRequestsPerSecond: 2 },
    resting: { sessions: values.has('--resting-sessions') ? wholeNumber('--resting-sessions', values.get('--resting-sessions'), 1) : quick ? 50 : sessions * 10 },
  };
}

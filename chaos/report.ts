export interface FaultCount {
  fault: string;
  fired: number;
  /** What it did, where that is worth saying (calls cut, connections held). */
  effect: string;
}

interface Result {
  sessions: number;
  byStatus: Record<string, number>;
  violations: Record<string, number>;
  faults: FaultCount[];
  faultedShare: Record<'google' | 'resend', { calls: number; faulted: number; share: number }>;
  booking: { workerSelfRestarts: number; startsRetried: number; signalsRetried: number; googleCalls: number; resendCalls: number };
  resendRateLimited: number;
  secondsToSettleAfterLastFault: number | null;
  totalSeconds: number;
  firstViolations: Array<{ kind: string; sessionId: string; detail: string }>;
}

function rows(title: string, entries: Array<[string, string | number]>): string[] {
  const width = Math.max(...entries.map(([name]) => name.length), title.length);
  return [title, ...entries.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`)];
}

export function printTable(result: Result): void {
  const lines = [
    ...rows('sessions', [
      ['booked and checked', result.sessions],
      ...Object.entries(result.byStatus).map(([status, n]): [string, number] => [status, n]),
      ['starts retried by the booker', result.booking.startsRetried],
      ['worker exits restarted by the supervisor', result.booking.workerSelfRestarts],
      ['signals retried by the booker', result.booking.signalsRetried],
      ['Google / Resend calls', `${result.booking.googleCalls} / ${result.booking.resendCalls}`],
      ['Resend requests over its 2/s (429 by the stand-in)', result.resendRateLimited],
      ...(['google', 'resend'] as const).map((api): [string, string] => {
        const { calls, faulted, share } = result.faultedShare[api];
        return [`${api} calls failed while faults were on`, `${faulted} of ${calls} (${(share * 100).toFixed(1)} %)`];
      }),
    ]),
    ...rows('faults fired', result.faults.map((fault): [string, string] => [fault.fault, `${fault.fired}${fault.effect ? `  (${fault.effect})` : ''}`])),
    ...rows('broken promises (all must be 0)', Object.entries(result.violations)),
    ...rows('time', [
      ['settled after the last fault', result.secondsToSettleAfterLastFault === null ? 'never' : `${result.secondsToSettleAfterLastFault.toFixed(1)} s`],
      ['whole run', `${result.totalSeconds.toFixed(1)} s`],
    ]),
  ];
  console.log(lines.join('\n'));
  for (const violation of result.firstViolations) console.log(`  ! ${violation.kind} ${violation.sessionId}: ${violation.detail}`);
}

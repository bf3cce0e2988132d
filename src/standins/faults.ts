/** A fault to inject into a stand-in's answers. */
export interface FaultRule {
  /** The operation it applies to (`insert`, `get`, `patch`, `delete`, `token`, `send`, `post`) or `*` for all. */
  operation: string;
  /** Status to answer with; ignored when `dropResponseAfterWrite` is set. */
  status?: number;
  /** The API's error reason (Google's `errors[0].reason`, Resend's `name`). */
  reason?: string;
  message?: string;
  /** Applies to the first N matching calls only. */
  times?: number;
  /** Applies to each matching call with this probability (0..1). */
  rate?: number;
  /** Do the write, then cut the connection before answering: the client never learns it worked. */
  dropResponseAfterWrite?: boolean;
  /** Do the call, then hold the answer this long: a latency spike that outlasts the caller's timeout. */
  delayMs?: number;
  /** Take the request and never answer (until the stand-in closes): a hung API. */
  hang?: boolean;
}

export interface RecordedRequest {
  at: string;
  operation: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  status: number | 'dropped' | 'hung';
  /** Set when a latency-spike fault held the answer back. */
  delayedMs?: number;
}

/** The fault rules of one stand-in, consumed as calls arrive. */
export class FaultPlan {
  private rules: Array<FaultRule & { remaining: number }> = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRule): void {
    if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) throw new Error('rate must be between 0 and 1');
    if (rule.delayMs !== undefined && !(rule.delayMs > 0)) throw new Error('delayMs must be a positive number of milliseconds');
    if (!rule.dropResponseAfterWrite && !rule.hang && rule.delayMs === undefined && (rule.status === undefined || rule.status < 400 || rule.status > 599)) {
      throw new Error('a fault needs a status from 400 to 599, dropResponseAfterWrite, delayMs or hang');
    }
    this.rules.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this call, if any; a matching rule with `times` is used up by it. */
  take(operation: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || (rule.operation !== '*' && rule.operation !== operation)) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      rule.remaining -= 1;
      return rule;
    }
    return undefined;
  }
}

import { z } from 'zod';

/**
 * Google's limits on Calendar calls, as the stand-in enforces them: a rate over every call of the
 * project, and a usage quota per organizer (the calendar the events are written to).
 */
export interface CallLimitSettings {
  /** At most this many calls in any 1-second sliding window; beyond it, 403 `rateLimitExceeded`. */
  enforceCallsPerSecond?: number;
  /** At most `calls` calls to one calendar in any `perMs` sliding window; beyond it, 403 `quotaExceeded`. */
  organizerQuota?: { calls: number; perMs: number };
}

/** How many calls each limit refused. */
export interface RateLimitCounts {
  rateLimitExceeded: number;
  quotaExceeded: number;
}

export type CallRefusal = keyof RateLimitCounts;

/** The settings as sent to the control endpoint; `null` turns a limit off. */
export const callLimitSettingsInput = z
  .object({
    enforceCallsPerSecond: z.number().positive().nullable().optional(),
    organizerQuota: z.object({ calls: z.number().int().positive(), perMs: z.number().int().positive() }).strict().nullable().optional(),
  })
  .strict();

/**
 * The windows of calls a stand-in has admitted. A refused call is counted, and does not use up the
 * window: a caller that backs off gets in again once its earlier calls have aged out.
 */
export class CallLimits {
  private settings: CallLimitSettings;
  private admitted: number[] = [];
  private readonly byOrganizer = new Map<string, number[]>();
  private refused: RateLimitCounts = { rateLimitExceeded: 0, quotaExceeded: 0 };

  constructor(
    private readonly initial: CallLimitSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.settings = { ...initial };
  }

  /** Admits a call to `organizer` now, or says which limit it is beyond (and counts it). */
  admit(organizer: string): CallRefusal | undefined {
    const now = this.now();
    const { enforceCallsPerSecond: perSecond, organizerQuota: quota } = this.settings;
    this.admitted = withinWindow(this.admitted, now, 1_000);
    if (perSecond !== undefined && this.admitted.length >= perSecond) return this.refuse('rateLimitExceeded');
    const organizerCalls = quota ? withinWindow(this.byOrganizer.get(organizer) ?? [], now, quota.perMs) : [];
    if (quota && organizerCalls.length >= quota.calls) return this.refuse('quotaExceeded');
    this.admitted.push(now);
    if (quota) this.byOrganizer.set(organizer, [...organizerCalls, now]);
    return undefined;
  }

  /** Changes the limits from now on; a field set to null turns its limit off, one left out stays. */
  configure(next: z.infer<typeof callLimitSettingsInput>): void {
    const merged = { ...this.settings, ...next };
    this.settings = { enforceCallsPerSecond: merged.enforceCallsPerSecond ?? undefined, organizerQuota: merged.organizerQuota ?? undefined };
  }

  current(): CallLimitSettings {
    return { ...this.settings };
  }

  rateLimited(): RateLimitCounts {
    return { ...this.refused };
  }

  /** Back to the limits it was started with, no calls seen. */
  reset(): void {
    this.settings = { ...this.initial };
    this.admitted = [];
    this.byOrganizer.clear();
    this.refused = { rateLimitExceeded: 0, quotaExceeded: 0 };
  }

  private refuse(reason: CallRefusal): CallRefusal {
    this.refused[reason] += 1;
    return reason;
  }
}

function withinWindow(times: number[], now: number, windowMs: number): number[] {
  const from = times.findIndex((at) => at > now - windowMs);
  return from === -1 ? [] : from === 0 ? times : times.slice(from);
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '@prisma/client';

/**
 * A call rate held across every process on one PostgreSQL database (DESIGN.md "Rate"). Each call
 * reserves the next free slot in one atomic statement and waits for it, so calls leave evenly
 * spaced, `1 / perSecond` apart, with no burst: however many workers ask at once, any second holds
 * at most `perSecond` of them (plus the jitter of their own timers), and a steady demand uses all of
 * it. The database's clock is the one clock they share; waiting callers cost no queries.
 */
export interface RateBudget {
  readonly name: string;
  /** Calls per second; `Infinity` for no limit. */
  readonly perSecond: number;
  /**
   * Waits until a call may go. Resolves with the slot reserved (ms since the epoch, the database's
   * clock), or null when unlimited; rejects if `signal` aborts first (the slot is then lost).
   */
  take(signal?: AbortSignal): Promise<number | null>;
}

export function sharedRateBudget(prisma: PrismaClient, name: string, perSecond: number): RateBudget {
  if (!(perSecond > 0)) throw new RangeError(`rate budget ${name}: calls per second must be positive, not ${perSecond}`);
  if (perSecond === Infinity) return { name, perSecond, take: async () => null };
  const intervalMs = 1_000 / perSecond;
  return {
    name,
    perSecond,
    async take(signal) {
      signal?.throwIfAborted();
      // The slot is the later of now and the next free one; the next free one moves one interval on.
      const [reserved] = await prisma.$queryRaw<Array<{ slotMs: number; waitMs: number }>>`
        WITH clock AS (SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS "nowMs")
        INSERT INTO "RateBudget" AS budget ("name", "nextSlotMs")
        SELECT ${name}, clock."nowMs" + ${intervalMs}::float8 FROM clock
        ON CONFLICT ("name") DO UPDATE
          SET "nextSlotMs" = GREATEST(budget."nextSlotMs" + ${intervalMs}::float8, EXCLUDED."nextSlotMs")
        RETURNING budget."nextSlotMs" - ${intervalMs}::float8 AS "slotMs",
                  budget."nextSlotMs" - ${intervalMs}::float8 - (SELECT "nowMs" FROM clock) AS "waitMs"`;
      if (!reserved) throw new Error(`rate budget ${name}: the database reserved no slot`);
      if (reserved.waitMs > 0) await waitFor(reserved.waitMs, signal);
      return reserved.slotMs;
    },
  };
}

/** Rejects with the abort's own reason (an activity's cancellation), not a generic AbortError. */
async function waitFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}

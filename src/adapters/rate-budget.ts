import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '@prisma/client';

/**
 * A call rate held across every process on one PostgreSQL database (DESIGN.md "Rate").
 *
 * Each call first reserves the next free slot in one atomic statement and sleeps until it, so calls
 * are spaced `1 / perSecond` apart however many workers ask, with no saved-up burst, and a steady
 * demand uses all of the rate; waiting costs no queries. A process that stalls (a long GC, a busy
 * machine) wakes its callers late and together, though, and they would then go at once. So at its
 * slot a call is also admitted against a log of when the latest calls went: it goes only if fewer
 * than a second's worth went in the last second, and otherwise waits until one has aged out. The
 * database's clock is the one clock all processes share.
 */
export interface RateBudget {
  readonly name: string;
  /** Calls per second; `Infinity` for no limit. */
  readonly perSecond: number;
  /**
   * Waits until a call may go. Resolves with when it was let go (ms since the epoch, the database's
   * clock), or null when unlimited; rejects with the abort's reason if `signal` aborts first.
   * `whileWaiting` is called before each wait: an activity heartbeats there, since waiting its turn
   * is not being lost.
   */
  take(signal?: AbortSignal, whileWaiting?: () => void): Promise<number | null>;
  /**
   * `take`, if the call's slot comes within `maxWaitMs`: false (and no slot reserved, so the budget
   * loses nothing) when the budget is booked further ahead than that.
   */
  takeWithin(maxWaitMs: number, signal?: AbortSignal): Promise<boolean>;
}

const WINDOW_MS = 1_000;
/** `reserve`'s bound when there is none: far beyond any real wait (a float8 parameter, not Infinity). */
const UNBOUNDED_WAIT_MS = 1e15;

export function sharedRateBudget(prisma: PrismaClient, name: string, perSecond: number): RateBudget {
  if (!(perSecond > 0)) throw new RangeError(`rate budget ${name}: calls per second must be positive, not ${perSecond}`);
  if (perSecond === Infinity) return { name, perSecond, take: async () => null, takeWithin: async () => true };
  const intervalMs = WINDOW_MS / perSecond;
  const perWindow = Math.ceil(perSecond);

  /**
   * The slot is the later of now and the next free one; the next free one moves one interval on.
   * Answers how long until the slot, or null (nothing reserved) when it is more than `maxWaitMs` away.
   */
  async function reserve(maxWaitMs = UNBOUNDED_WAIT_MS): Promise<number | null> {
    const [reserved] = await prisma.$queryRaw<Array<{ waitMs: number }>>`
      WITH clock AS (SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS "nowMs")
      INSERT INTO "RateBudget" AS budget ("name", "nextSlotMs")
      SELECT ${name}, clock."nowMs" + ${intervalMs}::float8 FROM clock
      ON CONFLICT ("name") DO UPDATE
        SET "nextSlotMs" = GREATEST(budget."nextSlotMs" + ${intervalMs}::float8, EXCLUDED."nextSlotMs")
        WHERE budget."nextSlotMs" - (EXCLUDED."nextSlotMs" - ${intervalMs}::float8) <= ${maxWaitMs}::float8
      RETURNING budget."nextSlotMs" - ${intervalMs}::float8 - (SELECT "nowMs" FROM clock) AS "waitMs"`;
    return reserved?.waitMs ?? null;
  }

  /** Sleeps until the reserved slot, then until the last second's log lets the call go. */
  async function goAfter(waitMs: number, signal: AbortSignal | undefined, whileWaiting: (() => void) | undefined): Promise<number> {
    if (waitMs > 0) {
      whileWaiting?.();
      await waitFor(waitMs, signal);
    }
    for (;;) {
      const decision = await admit();
      if ('wentAtMs' in decision) return decision.wentAtMs;
      whileWaiting?.();
      await waitFor(Math.max(decision.waitMs, 1), signal);
    }
  }

  /**
   * Lets the call go if fewer than `perWindow` went in the last second (and logs it); else says how
   * long until one ages out. The log keeps the last second's sends only: it is rewritten with each
   * call, and a generous budget must not make every call rewrite a long one.
   */
  async function admit(): Promise<{ wentAtMs: number } | { waitMs: number }> {
    const [decided] = await prisma.$queryRaw<Array<{ admitted: boolean; nowMs: number; oldestMs: number | null }>>`
      WITH latest AS (
        SELECT budget."name", budget."recentSentMs"[cardinality(budget."recentSentMs") - ${perWindow}::int + 1] AS "oldestMs"
        FROM "RateBudget" AS budget WHERE budget."name" = ${name} FOR UPDATE
      ), decision AS (
        SELECT latest."name", latest."oldestMs", (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS "nowMs" FROM latest
      )
      UPDATE "RateBudget" AS budget
      SET "recentSentMs" = CASE
        WHEN decision."oldestMs" IS NULL OR decision."oldestMs" <= decision."nowMs" - ${WINDOW_MS}::float8
        THEN ARRAY(
          SELECT sent FROM unnest(budget."recentSentMs") WITH ORDINALITY AS log(sent, position)
          WHERE sent > decision."nowMs" - ${WINDOW_MS}::float8 ORDER BY position
        ) || decision."nowMs"
        ELSE budget."recentSentMs" END
      FROM decision WHERE budget."name" = decision."name"
      RETURNING (decision."oldestMs" IS NULL OR decision."oldestMs" <= decision."nowMs" - ${WINDOW_MS}::float8) AS "admitted",
                decision."nowMs", decision."oldestMs"`;
    if (!decided) throw new Error(`rate budget ${name}: the database has no such budget`);
    return decided.admitted ? { wentAtMs: decided.nowMs } : { waitMs: decided.oldestMs! + WINDOW_MS - decided.nowMs };
  }

  return {
    name,
    perSecond,
    async take(signal, whileWaiting) {
      signal?.throwIfAborted();
      const waitMs = await reserve();
      if (waitMs === null) throw new Error(`rate budget ${name}: the database reserved no slot`);
      return goAfter(waitMs, signal, whileWaiting);
    },
    async takeWithin(maxWaitMs, signal) {
      signal?.throwIfAborted();
      const waitMs = await reserve(maxWaitMs);
      if (waitMs === null) return false;
      await goAfter(waitMs, signal, undefined);
      return true;
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

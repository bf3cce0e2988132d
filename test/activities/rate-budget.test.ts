import { createPrismaClient } from '../../src/adapters/database';
import { sharedRateBudget } from '../../src/adapters/rate-budget';
import { TEST_DATABASE_URL } from '../support/env';

// The shared rate budget on PostgreSQL, taken from two clients at once as two workers would.

const workerA = createPrismaClient(TEST_DATABASE_URL);
const workerB = createPrismaClient(TEST_DATABASE_URL);
afterAll(async () => Promise.all([workerA.$disconnect(), workerB.$disconnect()]));

const budgetName = (label: string) => `test-${label}-${process.pid}-${Date.now()}`;

/** The most calls that went in any one second. */
function busiestSecond(wentAt: number[]): number {
  const sorted = [...wentAt].sort((a, b) => a - b);
  return Math.max(...sorted.map((start) => sorted.filter((at) => at >= start && at < start + 1_000).length));
}

test('calls from two workers at once never go more than the budget in any second, and none goes early', async () => {
  const name = budgetName('spacing');
  const perSecond = 100;
  const budgets = [sharedRateBudget(workerA, name, perSecond), sharedRateBudget(workerB, name, perSecond)];
  const calls = 150;
  const startedAt = Date.now();
  const wentAt = await Promise.all(Array.from({ length: calls }, async (_, index) => (await budgets[index % 2]!.take())!));
  expect(busiestSecond(wentAt)).toBeLessThanOrEqual(perSecond);
  // 150 calls at 100/s cannot all have gone within the first second.
  expect(Math.max(...wentAt)).toBeGreaterThanOrEqual(startedAt + 1_000 - 50);
});

test('callers that wake late together (a stalled process) still go no more than the budget in any second', async () => {
  const name = budgetName('stall');
  const perSecond = 20;
  const budget = sharedRateBudget(workerA, name, perSecond);
  const calls = Array.from({ length: 60 }, () => budget.take());
  // Let the reservations land, then stall this process past many of their slots, as a long pause would.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stallUntil = Date.now() + 1_500;
  while (Date.now() < stallUntil);
  const wentAt = (await Promise.all(calls)).map((at) => at!);
  expect(busiestSecond(wentAt)).toBeLessThanOrEqual(perSecond);
});

test('a budget nobody used for a while lets the next call go at once, without a burst saved up', async () => {
  const budget = sharedRateBudget(workerA, budgetName('idle'), 2);
  const first = (await budget.take())!;
  const second = (await budget.take())!;
  // Its slot is one interval after the first's; the first went a moment after its own slot.
  expect(second - first).toBeGreaterThanOrEqual(450);
});

test('a call that waits its turn says so before each wait (an activity heartbeats there); one that goes at once does not', async () => {
  const budget = sharedRateBudget(workerA, budgetName('waiting'), 5);
  let waits = 0;
  await budget.take(undefined, () => (waits += 1));
  expect(waits).toBe(0);
  await budget.take(undefined, () => (waits += 1)); // its slot is 200 ms after the first's
  expect(waits).toBeGreaterThanOrEqual(1);
});

test('the send log keeps the last second only, however generous the budget (each call rewrites it)', async () => {
  const name = budgetName('log');
  const budget = sharedRateBudget(workerA, name, 100_000);
  for (let call = 0; call < 50; call++) await budget.take();
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await budget.take();
  const [row] = await workerA.$queryRaw<Array<{ logged: number }>>`SELECT cardinality("recentSentMs") AS logged FROM "RateBudget" WHERE "name" = ${name}`;
  expect(row?.logged).toBe(1);
});

test('an aborted wait rejects, and an unlimited budget never asks the database', async () => {
  const budget = sharedRateBudget(workerA, budgetName('abort'), 1);
  await budget.take();
  const controller = new AbortController();
  const waiting = budget.take(controller.signal);
  controller.abort(new Error('activity cancelled'));
  await expect(waiting).rejects.toThrow('activity cancelled');
  await expect(sharedRateBudget(workerA, 'unlimited', Infinity).take()).resolves.toBeNull();
  expect(() => sharedRateBudget(workerA, 'zero', 0)).toThrow('calls per second must be positive');
});

test('a bounded take goes when its slot comes in time, and otherwise reserves nothing, so the budget loses no slot', async () => {
  const name = budgetName('within');
  const budget = sharedRateBudget(workerA, name, 10); // a slot every 100 ms
  await budget.take();
  expect(await budget.takeWithin(150)).toBe(true); // its slot: about 100 ms on
  const booked = (n: number) => Array.from({ length: n }, () => budget.take());
  const queued = booked(5); // the next 500 ms are booked
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await budget.takeWithin(150)).toBe(false);
  const [row] = await workerA.$queryRaw<Array<{ aheadMs: number }>>`
    SELECT "nextSlotMs" - EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS "aheadMs" FROM "RateBudget" WHERE "name" = ${name}`;
  // Booked to about 600 ms ahead by the five and the two before them, not one interval more.
  expect(row!.aheadMs).toBeLessThan(650);
  await Promise.all(queued);
  expect(await budget.takeWithin(150)).toBe(true);
  await expect(sharedRateBudget(workerA, 'unlimited', Infinity).takeWithin(0)).resolves.toBe(true);
});

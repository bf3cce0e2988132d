import { createPrismaClient } from '../../src/adapters/database';
import { sharedRateBudget } from '../../src/adapters/rate-budget';
import { TEST_DATABASE_URL } from '../support/env';

// The shared rate budget on PostgreSQL, taken from two clients at once as two workers would.

const workerA = createPrismaClient(TEST_DATABASE_URL);
const workerB = createPrismaClient(TEST_DATABASE_URL);
afterAll(async () => Promise.all([workerA.$disconnect(), workerB.$disconnect()]));

const budgetName = (label: string) => `test-${label}-${process.pid}-${Date.now()}`;

test('calls from two workers at once get slots one interval apart, and none goes before its slot', async () => {
  const name = budgetName('spacing');
  const perSecond = 100;
  const budgets = [sharedRateBudget(workerA, name, perSecond), sharedRateBudget(workerB, name, perSecond)];
  const calls = 150;
  const taken = await Promise.all(
    Array.from({ length: calls }, async (_, index) => {
      const slot = await budgets[index % 2]!.take();
      return { slot: slot!, wentAt: Date.now() };
    }),
  );
  const slots = taken.map((call) => call.slot).sort((a, b) => a - b);
  const gaps = slots.slice(1).map((slot, index) => slot - slots[index]!);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1_000 / perSecond - 1e-6);
  // Any second of slots holds at most the budget.
  const busiest = Math.max(...slots.map((start) => slots.filter((slot) => slot >= start && slot < start + 1_000).length));
  expect(busiest).toBeLessThanOrEqual(perSecond);
  // The database's clock and this process's are the machine's; a timer may fire a millisecond early.
  for (const call of taken) expect(call.wentAt).toBeGreaterThanOrEqual(Math.floor(call.slot) - 2);
});

test('a budget nobody used for a while lets the next call go at once, without a burst saved up', async () => {
  const budget = sharedRateBudget(workerA, budgetName('idle'), 2);
  const first = (await budget.take())!;
  const second = (await budget.take())!;
  expect(second - first).toBeGreaterThanOrEqual(500 - 1e-6);
});

test('a caller that wakes long after its slot (its process stalled) takes a new slot instead of going out bunched with the next ones', async () => {
  const name = budgetName('late');
  const budget = sharedRateBudget(workerA, name, 2); // slots 500 ms apart; a call may go up to 500 ms late
  const first = (await budget.take())!;
  const reservedUpTo = async () => Number((await workerB.rateBudget.findUniqueOrThrow({ where: { name } })).nextSlotMs);
  const late = budget.take();
  // Once the second slot is reserved and the caller sleeps towards it, this process stalls well past it.
  while ((await reservedUpTo()) < first + 1_000 - 1e-6) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const stallUntil = Date.now() + 1_500;
  while (Date.now() < stallUntil); // a synchronous stall: no timer fires meanwhile
  const slot = (await late)!;
  expect(slot - first).toBeGreaterThanOrEqual(2 * 500 - 1e-6); // not the second slot, which passed while stalled
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

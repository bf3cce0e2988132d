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

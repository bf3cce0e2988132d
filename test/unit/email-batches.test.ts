import { batchIdempotencyKey, batchOutcome, keyMayBeForgotten, MAX_BATCH_EMAILS, nextBatch, RESEND_KEY_SAFE_MS } from '../../src/domain/email-batches';

const email = (key: string) => ({ key, from: 'a@example.com', to: 'b@example.com', subject: 'Hi', text: 'hello', html: '<p>hello</p>' });

test('a batch key covers its exact contents: same emails and order, same key; anything else, another', () => {
  const key = batchIdempotencyKey([email('k1'), email('k2')]);
  expect(batchIdempotencyKey([email('k1'), email('k2')])).toBe(key);
  expect(batchIdempotencyKey([email('k2'), email('k1')])).not.toBe(key);
  expect(batchIdempotencyKey([email('k1'), { ...email('k2'), subject: 'Other' }])).not.toBe(key);
  expect(key).toMatch(/^session-meetings\/batch\/[0-9a-f]{64}$/);
});

test('the next batch: the oldest emails up to 100, stopping before one that must go alone; a lone one goes by itself', () => {
  const queued = (alone: boolean[]) => alone.map((lone, id) => ({ id, alone: lone }));
  expect(nextBatch(queued(Array(150).fill(false)))).toHaveLength(MAX_BATCH_EMAILS);
  expect(nextBatch(queued([false, false, true, false])).map((e) => e.id)).toEqual([0, 1]);
  expect(nextBatch(queued([true, false])).map((e) => e.id)).toEqual([0]);
  expect(nextBatch([])).toEqual([]);
});

test('Resend errors: outages, rate limits, a wrong key and an in-flight key retry later; a refused payload fails', () => {
  expect(batchOutcome(null, undefined, 1)).toEqual({ kind: 'retry', afterMs: 1_000, mayHaveSent: true });
  expect(batchOutcome(429, 'rate_limit_exceeded', 3)).toEqual({ kind: 'retry', afterMs: 4_000, mayHaveSent: false });
  expect(batchOutcome(503, 'application_error', 20)).toEqual({ kind: 'retry', afterMs: 60_000, mayHaveSent: true });
  expect(batchOutcome(401, 'missing_api_key', 1)).toMatchObject({ kind: 'retry', mayHaveSent: false });
  expect(batchOutcome(409, 'concurrent_idempotent_requests', 5)).toEqual({ kind: 'retry', afterMs: 1_000, mayHaveSent: true });
  expect(batchOutcome(409, 'invalid_idempotent_request', 1)).toEqual({ kind: 'refused' });
  expect(batchOutcome(422, 'validation_error', 1)).toEqual({ kind: 'refused' });
});

test('a batch that may have reached Resend goes again under its key only within 23 h of that try; one that never did, at any age', () => {
  const hour = 3_600_000;
  expect(RESEND_KEY_SAFE_MS).toBe(23 * hour); // an hour inside Resend's 24, for clocks
  expect(keyMayBeForgotten(null)).toBe(false);
  expect(keyMayBeForgotten(0)).toBe(false);
  expect(keyMayBeForgotten(23 * hour - 1)).toBe(false);
  expect(keyMayBeForgotten(23 * hour)).toBe(true);
  expect(keyMayBeForgotten(30 * 24 * hour)).toBe(true);
});

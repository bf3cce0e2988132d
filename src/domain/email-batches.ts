import { createHash } from 'node:crypto';

/** Resend's batch endpoint takes at most this many emails a request. */
export const MAX_BATCH_EMAILS = 100;

/** An email as the batch request carries it; `key` is its own outbox key (sent as a header). */
export interface BatchEmail {
  key: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The header carrying each email's own outbox key (Resend's way to keep email clients from threading them). */
export const EMAIL_KEY_HEADER = 'X-Entity-Ref-ID';

/** The request body of one batch, in the order the emails were claimed. */
export function batchPayload(emails: readonly BatchEmail[]) {
  return emails.map(({ key, from, to, subject, text, html }) => ({ from, to: [to], subject, text, html, headers: { [EMAIL_KEY_HEADER]: key } }));
}

/**
 * One idempotency key per batch, covering its exact contents: the same emails in the same order
 * always give the same key, any other contents another one (Resend answers a reused key with another
 * payload 409).
 */
export function batchIdempotencyKey(emails: readonly BatchEmail[]): string {
  return `session-meetings/batch/${createHash('sha256').update(JSON.stringify(batchPayload(emails))).digest('hex')}`;
}

/**
 * Which of the oldest queued emails (oldest first, at most MAX_BATCH_EMAILS) go into the next batch:
 * an email whose batch was refused as a whole goes alone, so one bad address cannot hold back others.
 */
export function nextBatch<T extends { alone: boolean }>(oldestFirst: readonly T[]): T[] {
  const [first] = oldestFirst;
  if (!first) return [];
  if (first.alone) return [first];
  const batch: T[] = [];
  for (const email of oldestFirst.slice(0, MAX_BATCH_EMAILS)) {
    if (email.alone) break;
    batch.push(email);
  }
  return batch;
}

/** What to do about Resend's answer to a batch that was not accepted. */
export type BatchOutcome =
  /**
   * Resend or the network failed, or the rate was exceeded: send the same batch again later.
   * `mayHaveSent`: the answer leaves open whether Resend took it (none came, a 5xx, or another
   * request under its key is still in progress), so its key must still be live when it goes again.
   */
  | { kind: 'retry'; afterMs: number; mayHaveSent: boolean }
  /** The payload itself is refused: nothing of it was sent. */
  | { kind: 'refused' };

const MAX_RETRY_WAIT_MS = 60_000;

/**
 * Resend's error answers (status null: no answer). 409 `concurrent_idempotent_requests` means the same
 * batch is still in flight (a worker whose lease ran out while it waited): its answer decides, so
 * this one waits and looks again. 409 `invalid_idempotent_request` cannot happen while a batch's
 * contents are fixed; were it to, the batch is refused rather than sent under another key. Only a
 * refused payload (400, 422) fails emails; anything else keeps them for a later try. Any other 4xx
 * (429, a wrong API key's 401/403) is Resend declining the request before it takes it.
 */
export function batchOutcome(status: number | null, name: string | undefined, attempts: number): BatchOutcome {
  const backoff = Math.min(1_000 * 2 ** Math.max(0, attempts - 1), MAX_RETRY_WAIT_MS);
  if (status === 409 && name === 'concurrent_idempotent_requests') return { kind: 'retry', afterMs: 1_000, mayHaveSent: true };
  if (status === 400 || status === 422 || status === 409) return { kind: 'refused' };
  // 429 and 5xx pass; 401/403 (a wrong API key) wait for an operator without losing the emails.
  return { kind: 'retry', afterMs: backoff, mayHaveSent: status === null || status >= 500 };
}

/** Resend keeps an idempotency key for 24 hours; a batch is sent again under its key within an hour less, for clocks. */
export const RESEND_KEY_SAFE_MS = 23 * 60 * 60 * 1_000;

/**
 * Whether a batch may no longer be sent again: a try that may have reached Resend (`maybeSentMsAgo`
 * ago; null: none did) is older than Resend's memory of its key, so another try could send its emails
 * twice. Its emails fail, and the admins are told, instead.
 */
export function keyMayBeForgotten(maybeSentMsAgo: number | null): boolean {
  return maybeSentMsAgo !== null && maybeSentMsAgo >= RESEND_KEY_SAFE_MS;
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '@prisma/client';
import type { Logger } from 'pino';
import type { RateBudget } from '../adapters/rate-budget';
import type { Resend } from '../adapters/resend';
import { batchOutcome, batchPayload } from '../domain/email-batches';
import { escapeHtml } from '../domain/email-content';
import { noMetrics, type MeetingMetrics } from '../metrics/recorder';
import { ADMIN_RECIPIENT, claimNewBatch, markBatchSent, outboxHasWork, postponeBatch, refuseBatch, takeUnfinishedBatch, type ClaimedBatch, type ClaimedEmail, type OutboxEmail } from './outbox';

/**
 * The outbox's drainer, one in each worker process (README "Emails"). It costs Temporal nothing: the
 * workflow's only email step is the enqueue, and the state the drainer works on is in PostgreSQL,
 * where batches are leased, so several workers share the work and a crashed one's batch is re-sent
 * by another once its lease runs out. Each request to Resend takes one slot of the shared `resend`
 * rate budget first, so together the workers never exceed RESEND_REQUESTS_PER_SECOND.
 */

export interface EmailDrainerDeps {
  prisma: PrismaClient;
  /** The task queue whose outbox this drains. */
  queue: string;
  resend: Resend;
  /** The `resend` rate budget shared with admin alerts and every other worker. */
  budget: RateBudget;
  from: string;
  adminAlertEmail: string;
  logger: Logger;
  metrics?: MeetingMetrics;
  /** How often an idle drainer looks for queued emails (default 500 ms); a local enqueue wakes it at once. */
  idlePollMs?: number;
  /** How long a batch is its sender's before another worker may send it again (default 30 s). */
  leaseMs?: number;
  /** How long Resend may take to answer one request (default 10 s). */
  sendTimeoutMs?: number;
}

export interface EmailDrainer {
  /** Looks at the outbox now rather than at the next poll (an email was just queued). */
  wake(): void;
  /** Stops after the request under way (if any) is answered and recorded. */
  stop(): Promise<void>;
}

export type DrainStep = 'idle' | 'sent' | 'postponed' | 'refused' | 'raced';

interface ResendErrorLike {
  statusCode?: number | null;
  name?: string;
  message?: string;
}

/** One request's worth of the drainer's work; exported for tests, which drive it step by step. */
export function createDrainStep(deps: EmailDrainerDeps) {
  const { prisma, queue, resend, budget, logger } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const leaseMs = deps.leaseMs ?? 30_000;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 10_000;

  function adminAlert(email: ClaimedEmail): Omit<OutboxEmail, 'queue'> {
    const lines = [
      `The ${email.kind} email to the ${email.recipient} could not be sent: Resend refused it`,
      ...(email.sessionId ? [`Session: ${email.sessionId}`] : []),
    ];
    return {
      sessionId: email.sessionId,
      kind: `email-${email.kind}-failed`,
      occurrence: email.occurrence,
      recipient: ADMIN_RECIPIENT,
      key: `session-meetings/alert/email-failed/${email.key.replace(/\//g, ':')}`,
      from: deps.from,
      to: deps.adminAlertEmail,
      subject: `[session-meetings] ${lines[0]}`,
      text: lines.join('\n'),
      html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
    };
  }

  async function send(batch: ClaimedBatch): Promise<DrainStep> {
    const signal = AbortSignal.timeout(sendTimeoutMs);
    let answer: { ids: string[] } | { error: ResendErrorLike };
    try {
      const { data, error } = await resend.batch.send(batchPayload(batch.emails), { idempotencyKey: batch.idempotencyKey, signal });
      answer = error ? { error: signal.aborted ? { statusCode: null, name: 'timeout', message: `no answer within ${sendTimeoutMs} ms` } : error } : { ids: (data?.data ?? []).map((email) => email.id) };
    } catch (error) {
      answer = { error: { statusCode: null, name: (error as Error).name, message: (error as Error).message } };
    }
    const context = { batchId: String(batch.id), emails: batch.emails.length, attempt: batch.attempts };
    if ('ids' in answer) {
      await markBatchSent(prisma, batch, answer.ids);
      for (const email of batch.emails) metrics.emailSent(email.kind, 'sent');
      logger.info(context, 'email batch sent');
      return 'sent';
    }
    const { statusCode = null, name, message } = answer.error;
    const error = `Resend answered ${statusCode ?? 'nothing'} ${name ?? ''}: ${message ?? ''}`.trim();
    const outcome = batchOutcome(statusCode, name, batch.attempts);
    if (outcome.kind === 'retry') {
      await postponeBatch(prisma, batch.id, outcome.afterMs, error);
      logger.warn({ ...context, status: statusCode, reason: name, retryInMs: outcome.afterMs }, 'email batch not accepted; it will be sent again as it is');
      return 'postponed';
    }
    const failed = await refuseBatch(prisma, batch, error, adminAlert);
    for (const email of failed) {
      metrics.emailSent(email.kind, 'failed');
      if (email.recipient !== ADMIN_RECIPIENT) metrics.adminAlerted(`email-${email.kind}-failed`);
    }
    logger.error({ ...context, status: statusCode, reason: name, failed: failed.length }, failed.length > 0 ? 'email refused by Resend; the admins are alerted' : 'email batch refused; its emails go again one by one');
    return 'refused';
  }

  /**
   * Unfinished batches first (same contents, same key), then a new one of the oldest queued emails.
   * The budget's slot is taken before the batch is made, so the batch holds all that queued meanwhile.
   */
  return async function drainStep(signal?: AbortSignal): Promise<DrainStep> {
    if (!(await outboxHasWork(prisma, queue))) return 'idle';
    await budget.take(signal);
    const batch = (await takeUnfinishedBatch(prisma, queue, leaseMs)) ?? (await claimNewBatch(prisma, queue, leaseMs));
    if (!batch) return 'raced'; // another worker took it; the slot goes unused
    return send(batch);
  };
}

/** Starts the drainer loop; it runs until `stop()`. */
export function startEmailDrainer(deps: EmailDrainerDeps): EmailDrainer {
  const idlePollMs = deps.idlePollMs ?? 500;
  const drainStep = createDrainStep(deps);
  const stopping = new AbortController();
  let nap: AbortController | undefined;

  async function rest(ms: number): Promise<void> {
    nap = new AbortController();
    await sleep(ms, undefined, { signal: AbortSignal.any([nap.signal, stopping.signal]) }).catch(() => undefined);
    nap = undefined;
  }

  const running = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const step = await drainStep(stopping.signal);
        if (step === 'idle') await rest(idlePollMs);
      } catch (error) {
        if (stopping.signal.aborted) break;
        // The database or a bug: nothing is lost (the outbox holds it all); look again shortly.
        deps.logger.error({ err: error }, 'email outbox drain failed; trying again');
        await rest(1_000);
      }
    }
  })();

  return {
    wake: () => nap?.abort(),
    async stop() {
      stopping.abort();
      await running;
    },
  };
}

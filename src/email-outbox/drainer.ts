import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '@prisma/client';
import type { Logger } from 'pino';
import type { RateBudget } from '../adapters/rate-budget';
import type { Resend } from '../adapters/resend';
import { postToSlackWebhook } from '../adapters/slack';
import { batchOutcome, batchPayload, keyMayBeForgotten } from '../domain/email-batches';
import { escapeHtml } from '../domain/email-content';
import { noMetrics, type MeetingMetrics } from '../metrics/recorder';
import {
  ADMIN_RECIPIENT,
  claimNewBatch,
  expireBatch,
  markBatchSent,
  outboxHasWork,
  postponeBatch,
  pruneOutbox,
  voidOverdueEmails,
  refuseBatch,
  takeUnfinishedBatch,
  type AdminAlertEmail,
  type ClaimedBatch,
  type ClaimedEmail,
  type FailedEmails,
} from './outbox';

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
  /** Where the admin alerts it queues are posted too (SLACK_WEBHOOK_URL): they reach someone when Resend refuses everything. */
  slackWebhookUrl?: string | undefined;
  logger: Logger;
  metrics?: MeetingMetrics;
  /** How often an idle drainer looks for queued emails (default 500 ms); a local enqueue wakes it at once. */
  idlePollMs?: number;
  /** How long a batch is its sender's before another worker may send it again (default 30 s). */
  leaseMs?: number;
  /** How long Resend or Slack may take to answer one request (default 10 s). */
  sendTimeoutMs?: number;
}

export interface EmailDrainer {
  /** Looks at the outbox now rather than at the next poll (an email was just queued). */
  wake(): void;
  /** Stops after the request under way (if any) is answered and recorded. */
  stop(): Promise<void>;
}

export type DrainStep = 'idle' | 'sent' | 'postponed' | 'refused' | 'expired' | 'raced';

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

  function adminAlert(about: Pick<AdminAlertEmail, 'sessionId' | 'kind' | 'occurrence' | 'key'>, lines: [string, ...string[]]): AdminAlertEmail {
    return {
      ...about,
      recipient: ADMIN_RECIPIENT,
      from: deps.from,
      to: deps.adminAlertEmail,
      subject: `[session-meetings] ${lines[0]}`,
      text: lines.join('\n'),
      html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
    };
  }

  function refusedAlert(email: ClaimedEmail): AdminAlertEmail {
    const about = { sessionId: email.sessionId, kind: `email-${email.kind}-failed`, occurrence: email.occurrence, key: `session-meetings/alert/email-failed/${email.key.replace(/\//g, ':')}` };
    return adminAlert(about, [`The ${email.kind} email to the ${email.recipient} could not be sent: Resend refused it`, ...(email.sessionId ? [`Session: ${email.sessionId}`] : [])]);
  }

  function expiredAlert(batch: ClaimedBatch, hoursAgo: number, emails: readonly ClaimedEmail[]): AdminAlertEmail {
    const sessions = new Set(emails.map((email) => email.sessionId));
    const [onlySession] = sessions.size === 1 ? sessions : [null];
    const about = { sessionId: onlySession ?? null, kind: 'email-batch-expired', occurrence: `b${batch.id}`, key: `session-meetings/alert/email-batch-expired/${batch.id}` };
    const listed = emails.slice(0, 20).map((email) => `- the ${email.kind} email to the ${email.recipient}${email.sessionId ? ` of session ${email.sessionId}` : ''}`);
    return adminAlert(about, [
      `${emails.length} ${emails.length === 1 ? 'email' : 'emails'} may not have reached their recipients: Resend never answered for certain, and they cannot be sent again safely`,
      `Their batch may have reached Resend ${hoursAgo} hours ago. Resend keeps its idempotency key 24 hours, so another try now could send each email twice.`,
      ...listed,
      ...(emails.length > listed.length ? [`- and ${emails.length - listed.length} more`] : []),
    ]);
  }

  /** Posts the alerts just queued to Slack too, once each (audited); one that cannot be posted still goes by email. */
  async function postToSlack(alerts: readonly AdminAlertEmail[]): Promise<void> {
    const { slackWebhookUrl } = deps;
    if (!slackWebhookUrl) return;
    for (const alert of alerts) {
      const posted = await postToSlackWebhook(slackWebhookUrl, alert.text, { timeoutMs: sendTimeoutMs });
      if (!posted.ok) {
        logger.warn({ kind: alert.kind, status: posted.status, error: posted.message }, 'admin alert not posted to Slack; it goes by email');
        continue;
      }
      await prisma.meetingAuditEvent.createMany({
        data: [{ sessionId: alert.sessionId, action: 'ADMIN_ALERTED', actor: 'system', outcome: 'INFO', detail: { kind: alert.kind, occurrence: alert.occurrence, channel: 'slack' }, dedupeKey: `outbox/${alert.key}/slack` }],
        skipDuplicates: true,
      });
    }
  }

  /** Counts emails that failed for good and the alerts about them, and posts those to Slack. */
  async function reportFailures({ failed: emails, alerts }: FailedEmails): Promise<void> {
    for (const email of emails) metrics.emailSent(email.kind, 'failed');
    for (const alert of alerts) metrics.adminAlerted(alert.kind);
    await postToSlack(alerts);
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
      await postponeBatch(prisma, batch, outcome.afterMs, error, outcome.mayHaveSent);
      logger.warn({ ...context, status: statusCode, reason: name, retryInMs: outcome.afterMs }, 'email batch not accepted; it will be sent again as it is');
      return 'postponed';
    }
    const refused = await refuseBatch(prisma, batch, error, refusedAlert);
    logger.error(
      { ...context, status: statusCode, reason: name, failed: refused.failed.length },
      refused.failed.length > 0 ? 'email refused by Resend; the admins are alerted' : 'email batch refused; its emails go again one by one',
    );
    await reportFailures(refused);
    return 'refused';
  }

  async function expire(batch: ClaimedBatch): Promise<DrainStep> {
    const hours = Math.floor((batch.maybeSentMsAgo ?? 0) / 3_600_000);
    const error = `not sent again: a try may have reached Resend ${hours} h ago, and Resend keeps the batch's idempotency key 24 h, so another try could send it twice`;
    const expired = await expireBatch(prisma, batch, error, (emails) => expiredAlert(batch, hours, emails));
    logger.error({ batchId: String(batch.id), emails: batch.emails.length, attempt: batch.attempts, maybeSentHoursAgo: hours }, 'email batch too old to send again; its emails failed and the admins are alerted');
    await reportFailures(expired);
    return 'expired';
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
    return keyMayBeForgotten(batch.maybeSentMsAgo) ? expire(batch) : send(batch);
  };
}

const PRUNE_EVERY_MS = 60 * 60 * 1_000;

/**
 * Starts the drainer loop; it runs until `stop()`. At start and hourly it also voids queued emails
 * whose sessions are over, and deletes finished emails older than `retentionMs` (EMAIL_OUTBOX_RETENTION).
 */
export function startEmailDrainer(deps: EmailDrainerDeps & { retentionMs: number }): EmailDrainer {
  const idlePollMs = deps.idlePollMs ?? 500;
  const drainStep = createDrainStep(deps);
  let pruneAt = Date.now();
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
        if (Date.now() >= pruneAt) {
          pruneAt = Date.now() + PRUNE_EVERY_MS;
          const voided = await voidOverdueEmails(deps.prisma, deps.queue);
          if (voided > 0) deps.logger.warn({ voided }, 'queued emails voided: their sessions were over before Resend could take them');
          const pruned = await pruneOutbox(deps.prisma, deps.queue, deps.retentionMs);
          if (pruned > 0) deps.logger.info({ pruned }, 'finished emails past their retention deleted from the outbox');
        }
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

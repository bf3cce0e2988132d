import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '@prisma/client';
import type { RateBudget } from '../adapters/rate-budget';
import type { Resend } from '../adapters/resend';
import { postToSlackWebhook } from '../adapters/slack';
import { outageAlertKey } from '../domain/admin-alerts';
import { emailIdempotencyKey, emailUsefulUntil, escapeHtml, renderMeetingEmail, type MeetingEmailKind } from '../domain/email-content';
import { enqueueEmails } from '../email-outbox/outbox';
import { activityExecutionKey, auditedByEarlierTry, claimAlert, insertAudit } from './audit';
import { loadSessionDetails } from './session-details';
import { noMetrics, type MeetingMetrics } from '../metrics/recorder';

export interface NotificationDeps {
  prisma: PrismaClient;
  resend: Resend;
  /** Resend's request budget (RESEND_REQUESTS_PER_SECOND), shared with the email outbox's drainers. */
  resendBudget: RateBudget;
  /** Tells this process's outbox drainer that emails were queued (it also polls). */
  wakeEmailDrainer?: () => void;
  from: string;
  adminAlertEmail: string;
  slackWebhookUrl: string | undefined;
  fetch?: typeof globalThis.fetch;
  metrics?: MeetingMetrics;
  /** How long Resend or Slack may take to answer one request (default 10 s): a hung call fails, to be retried. */
  deliveryTimeoutMs?: number;
}

export interface AdminAlert {
  /** The session it is about; absent for what concerns no one session (the failure rate). */
  sessionId?: string;
  /** What went wrong, e.g. `creation-failed` (audited). */
  kind: string;
  /** Which instance of it: the link generation, the start time, ... (audited). */
  occurrence: string;
  summary: string;
  error: string | null;
}

interface ResendErrorLike {
  statusCode?: number | null;
  name?: string;
  message?: string;
}

/**
 * A failed delivery. Resend and Slack both answer 429 for rate limits and 5xx (or nothing at all) when
 * they or the network are down: those are worth another try; any other answer is not.
 */
function deliveryFailure(type: string, message: string, status: number | null): ApplicationFailure {
  const retryable = status === null || status === 429 || status >= 500;
  return ApplicationFailure.create({ message, type, nonRetryable: !retryable, details: [{ status }] });
}

function resendFailure(what: string, error: ResendErrorLike): ApplicationFailure {
  const status = error.statusCode ?? null;
  return deliveryFailure('ResendError', `${what}: Resend answered ${status ?? 'nothing'} ${error.name ?? ''}: ${error.message ?? ''}`.trim(), status);
}

const DELIVERY_TIMEOUT_MS = 10_000;

export function createNotificationActivities(deps: NotificationDeps) {
  const { prisma, resend, from } = deps;
  const fetchFn = deps.fetch ?? globalThis.fetch;
  const metrics = deps.metrics ?? noMetrics;
  const timeoutMs = deps.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS;

  /**
   * Sends one email of `kind` (the metric's label) and counts it, sent or failed. It waits for a slot
   * of the Resend budget that the outbox's batches use too.
   */
  async function send(kind: string, what: string, idempotencyKey: string, email: { to: string; subject: string; text: string; html: string }): Promise<string> {
    await deps.resendBudget.take(Context.current().cancellationSignal);
    let id: string;
    try {
      // The SDK sets no timeout of its own: without this a Resend that never answers holds the activity.
      const signal = AbortSignal.timeout(timeoutMs);
      const { data, error } = await resend.emails.send({ from, ...email }, { idempotencyKey, signal });
      if (error && signal.aborted) throw deliveryFailure('ResendError', `${what}: Resend gave no answer within ${timeoutMs} ms`, null);
      if (error) throw resendFailure(what, error);
      if (!data?.id) throw ApplicationFailure.retryable(`${what}: Resend answered without an email id`, 'ResendError');
      id = data.id;
    } catch (error) {
      metrics.emailSent(kind, 'failed');
      throw error;
    }
    metrics.emailSent(kind, 'sent');
    return id;
  }

  async function postToSlack(webhookUrl: string, text: string): Promise<void> {
    const posted = await postToSlackWebhook(webhookUrl, text, { timeoutMs, fetch: fetchFn });
    if (!posted.ok) throw deliveryFailure('SlackError', posted.message, posted.status);
  }

  /**
   * Whether this activity execution sends an alert that one outage raises for many sessions: the
   * first execution to claim its key (kind, task queue and hour) in PostgreSQL does, across all
   * workers; its own retries still do. Alerts of other kinds always go out.
   */
  async function winsOutageClaim(alert: AdminAlert): Promise<boolean> {
    const key = outageAlertKey(alert.kind, Context.current().info.taskQueue, new Date());
    if (key === undefined) return true;
    if (await claimAlert(prisma, alert.kind, key)) return true;
    await insertAudit(prisma, alert.sessionId ?? null, {
      action: 'ADMIN_ALERT_SHARED',
      actor: 'system',
      outcome: 'INFO',
      error: alert.error,
      detail: { kind: alert.kind, occurrence: alert.occurrence, claim: key },
    });
    return false;
  }

  return {
    /**
     * Queues the emails to teacher and student, each with the time in their own zone, in the email
     * outbox; the drainer sends them (README "Emails"). A fast database write, safe to repeat: each
     * email's key (per session, kind, occurrence and recipient) is unique, so a re-run queues nothing
     * twice, and an email already sent is not sent again. The `EMAIL_SENT` audit comes when Resend
     * has accepted it.
     */
    async sendMeetingEmails(sessionId: string, kind: MeetingEmailKind, occurrence: string, meetingUrl?: string | null): Promise<void> {
      const stored = await loadSessionDetails(prisma, sessionId);
      // The workflow passes the link it knows; emails scheduled before it did read the row's.
      const session = meetingUrl === undefined ? stored : { ...stored, meetingUrl };
      if (!session.meetingUrl && (kind === 'confirmation' || kind === 'regenerated')) {
        throw ApplicationFailure.nonRetryable(`session ${sessionId} has no meeting link to send`, 'NoMeetingLink');
      }
      const parties = [
        { role: 'teacher' as const, person: session.teacher, other: session.student },
        { role: 'student' as const, person: session.student, other: session.teacher },
      ];
      await enqueueEmails(
        prisma,
        parties.map(({ role, person, other }) => ({
          queue: Context.current().info.taskQueue,
          sessionId,
          kind,
          occurrence,
          recipient: role,
          key: emailIdempotencyKey(sessionId, kind, occurrence, role),
          sendBefore: emailUsefulUntil(kind, session),
          from,
          to: person.email,
          ...renderMeetingEmail(
            kind,
            { title: session.title, startTime: session.startTime, endTime: session.endTime, meetingUrl: session.meetingUrl, otherPartyName: other.name },
            { role, ...person },
          ),
        })),
      );
      deps.wakeEmailDrainer?.();
    },

    /**
     * Tells the admins on every channel they have: an email to ADMIN_ALERT_EMAIL, and Slack when a
     * webhook is configured. Each channel is tried even when the other fails (Slack is how an alert
     * gets out while Resend is down), and a retry skips a channel an earlier try delivered to (Slack
     * has no idempotency key of its own). Fails, after trying all, when any channel did. An alert
     * that one outage raises for every session (`credentials`) goes out once per hour; the other
     * sessions are audited as `ADMIN_ALERT_SHARED`.
     */
    async alertAdmin(alert: AdminAlert): Promise<void> {
      if (!(await winsOutageClaim(alert))) return;
      // Counted once per alert, not once per try.
      if (Context.current().info.attempt === 1) metrics.adminAlerted(alert.kind);
      const summary = [alert.summary, ...(alert.sessionId ? [`Session: ${alert.sessionId}`] : []), ...(alert.error ? [`Error: ${alert.error}`] : [])];
      const channels: Array<{ name: string; deliver: () => Promise<unknown> }> = [
        {
          name: 'email',
          deliver: () =>
            // Keyed by this activity execution: its retries send nothing twice, and no other alert,
            // however alike, is mistaken for a repeat (Resend would refuse it as a changed payload).
            send('admin-alert', 'admin alert', `session-meetings/alert/${activityExecutionKey()}`, {
              to: deps.adminAlertEmail,
              subject: `[session-meetings] ${alert.summary}`,
              text: summary.join('\n'),
              html: summary.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
            }),
        },
      ];
      const { slackWebhookUrl } = deps;
      if (slackWebhookUrl) channels.push({ name: 'slack', deliver: () => postToSlack(slackWebhookUrl, summary.join('\n')) });

      const failures: ApplicationFailure[] = [];
      for (const channel of channels) {
        if (await auditedByEarlierTry(prisma, channel.name)) continue;
        try {
          await channel.deliver();
        } catch (error) {
          failures.push(error instanceof ApplicationFailure ? error : deliveryFailure('AlertError', `${channel.name}: ${String(error)}`, null));
          continue;
        }
        await insertAudit(
          prisma,
          alert.sessionId ?? null,
          { action: 'ADMIN_ALERTED', actor: 'system', outcome: 'INFO', error: alert.error, detail: { kind: alert.kind, occurrence: alert.occurrence, channel: channel.name } },
          channel.name,
        );
      }
      if (failures.length > 0) {
        throw ApplicationFailure.create({
          message: `admin alert not delivered on every channel: ${failures.map((failure) => failure.message).join('; ')}`,
          type: 'AdminAlertError',
          nonRetryable: failures.every((failure) => failure.nonRetryable),
        });
      }
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;

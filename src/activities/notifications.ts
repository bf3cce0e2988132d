import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '@prisma/client';
import type { Resend } from '../adapters/resend';
import { emailIdempotencyKey, escapeHtml, renderMeetingEmail, type MeetingEmailKind } from '../domain/email-content';
import { insertAudit } from './audit';
import { loadSessionDetails } from './session-details';

export interface NotificationDeps {
  prisma: PrismaClient;
  resend: Resend;
  from: string;
  adminAlertEmail: string;
  slackWebhookUrl: string | undefined;
  fetch?: typeof globalThis.fetch;
}

export interface AdminAlert {
  sessionId: string;
  /** What went wrong, e.g. `creation-failed`; with `occurrence` it keys the alert's idempotency. */
  kind: string;
  /** Which instance of it: the link generation, the start time, ... */
  occurrence: string;
  summary: string;
  error: string | null;
}

interface ResendErrorLike {
  statusCode?: number | null;
  name?: string;
  message?: string;
}

// Resend answers 429 for rate limits and 5xx (or no status at all) when it or the network is down.
function resendFailure(what: string, error: ResendErrorLike): ApplicationFailure {
  const status = error.statusCode ?? null;
  const retryable = status === null || status === 429 || status >= 500;
  return ApplicationFailure.create({
    message: `${what}: Resend answered ${status ?? 'nothing'} ${error.name ?? ''}: ${error.message ?? ''}`.trim(),
    type: 'ResendError',
    nonRetryable: !retryable,
    details: [{ status, name: error.name ?? null }],
  });
}

export function createNotificationActivities(deps: NotificationDeps) {
  const { prisma, resend, from } = deps;
  const fetchFn = deps.fetch ?? globalThis.fetch;

  async function send(what: string, idempotencyKey: string, email: { to: string; subject: string; text: string; html: string }): Promise<string> {
    const { data, error } = await resend.emails.send({ from, ...email }, { idempotencyKey });
    if (error) throw resendFailure(what, error);
    if (!data?.id) throw ApplicationFailure.retryable(`${what}: Resend answered without an email id`, 'ResendError');
    return data.id;
  }

  return {
    /**
     * Emails teacher and student, each with the time in their own zone. Each email has its own
     * idempotency key, so a retry after a partial failure never sends anyone a second copy.
     */
    async sendMeetingEmails(sessionId: string, kind: MeetingEmailKind, occurrence: string): Promise<void> {
      const session = await loadSessionDetails(prisma, sessionId);
      if (!session.meetingUrl && (kind === 'confirmation' || kind === 'regenerated')) {
        throw ApplicationFailure.nonRetryable(`session ${sessionId} has no meeting link to send`, 'NoMeetingLink');
      }
      const parties = [
        { role: 'teacher' as const, person: session.teacher, other: session.student },
        { role: 'student' as const, person: session.student, other: session.teacher },
      ];
      for (const { role, person, other } of parties) {
        const content = renderMeetingEmail(
          kind,
          { title: session.title, startTime: session.startTime, endTime: session.endTime, meetingUrl: session.meetingUrl, otherPartyName: other.name },
          { role, ...person },
        );
        const emailId = await send(`${kind} email to the ${role}`, emailIdempotencyKey(sessionId, kind, occurrence, role), {
          to: person.email,
          ...content,
        });
        await insertAudit(
          prisma,
          sessionId,
          { action: 'EMAIL_SENT', actor: 'system', outcome: 'SUCCESS', error: null, detail: { kind, occurrence, recipient: role, emailId } },
          role,
        );
      }
    },

    /** Tells the admins: an email to ADMIN_ALERT_EMAIL, and Slack when a webhook is configured. */
    async alertAdmin(alert: AdminAlert): Promise<void> {
      const subject = `[session-meetings] ${alert.summary}`;
      const lines = [alert.summary, `Session: ${alert.sessionId}`, ...(alert.error ? [`Error: ${alert.error}`] : [])];
      await send('admin alert', emailIdempotencyKey(alert.sessionId, `alert-${alert.kind}`, alert.occurrence, 'admin'), {
        to: deps.adminAlertEmail,
        subject,
        text: lines.join('\n'),
        html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
      });
      if (deps.slackWebhookUrl) {
        const response = await fetchFn(deps.slackWebhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: lines.join('\n') }),
        });
        if (!response.ok) throw ApplicationFailure.retryable(`Slack webhook answered ${response.status}`, 'SlackError');
      }
      await insertAudit(prisma, alert.sessionId, {
        action: 'ADMIN_ALERTED',
        actor: 'system',
        outcome: 'INFO',
        error: alert.error,
        detail: { kind: alert.kind, occurrence: alert.occurrence, slack: Boolean(deps.slackWebhookUrl) },
      });
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;

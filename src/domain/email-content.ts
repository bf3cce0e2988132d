import { formatSessionTime } from './time-zones';

export const MEETING_EMAIL_KINDS = ['confirmation', 'regenerated', 'rescheduled', 'reminder-24h', 'starting-soon', 'cancelled'] as const;
export type MeetingEmailKind = (typeof MEETING_EMAIL_KINDS)[number];

/**
 * Until when an email about a session is worth sending: a link, a reminder or a new time is of no use
 * once the session is over (sent after an outage, it would only confuse); a cancellation still informs.
 */
export function emailUsefulUntil(kind: MeetingEmailKind, session: { endTime: Date }): Date | null {
  return kind === 'cancelled' ? null : session.endTime;
}

export interface EmailRecipient {
  role: 'teacher' | 'student';
  name: string;
  email: string;
  timeZone: string;
}

export interface MeetingEmailFacts {
  title: string;
  startTime: Date;
  endTime: Date;
  /** The current link; null when there is none (yet, or any more). */
  meetingUrl: string | null;
  otherPartyName: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

interface KindText {
  subject: (title: string) => string;
  opening: (title: string, withWhom: string) => string;
  /** Whether the email carries the link (when there is one). */
  withLink: boolean;
  footer: string;
}

const DASHBOARD_NOTE = 'The link is also on your dashboard. It works from 10 minutes before the start.';

const KINDS: Record<MeetingEmailKind, KindText> = {
  confirmation: {
    subject: (title) => `Your session "${title}" is confirmed: Google Meet link inside`,
    opening: (title, withWhom) => `Your session "${title}" with ${withWhom} is confirmed.`,
    withLink: true,
    footer: DASHBOARD_NOTE,
  },
  regenerated: {
    subject: (title) => `New Google Meet link for "${title}"`,
    opening: (title, withWhom) => `Your session "${title}" with ${withWhom} has a new meeting link. The old link no longer works.`,
    withLink: true,
    footer: DASHBOARD_NOTE,
  },
  rescheduled: {
    subject: (title) => `"${title}" has moved to a new time`,
    opening: (title, withWhom) => `Your session "${title}" with ${withWhom} has moved to a new time. The meeting link stays the same.`,
    withLink: true,
    footer: DASHBOARD_NOTE,
  },
  'reminder-24h': {
    subject: (title) => `Tomorrow: "${title}"`,
    opening: (title, withWhom) => `A reminder: your session "${title}" with ${withWhom} is in 24 hours.`,
    withLink: true,
    footer: DASHBOARD_NOTE,
  },
  'starting-soon': {
    subject: (title) => `Starting soon: "${title}"`,
    opening: (title, withWhom) => `Your session "${title}" with ${withWhom} starts in 10 minutes. You can join now.`,
    withLink: true,
    footer: 'Join from the link above or from your dashboard.',
  },
  cancelled: {
    subject: (title) => `Cancelled: "${title}"`,
    opening: (title, withWhom) => `Your session "${title}" with ${withWhom} has been cancelled. Its meeting link no longer works.`,
    withLink: false,
    footer: 'If this is unexpected, please contact support.',
  },
};

export function renderMeetingEmail(kind: MeetingEmailKind, facts: MeetingEmailFacts, to: EmailRecipient): RenderedEmail {
  const text = KINDS[kind];
  const withWhom = to.role === 'teacher' ? `your student ${facts.otherPartyName}` : `your teacher ${facts.otherPartyName}`;
  const link = text.withLink ? facts.meetingUrl : null;
  const greeting = `Hi ${to.name},`;
  const lines = [text.opening(facts.title, withWhom), `When: ${formatSessionTime(facts.startTime, facts.endTime, to.timeZone)}`];
  return {
    subject: text.subject(facts.title),
    text: [greeting, '', ...lines, '', ...(link ? [`Join with Google Meet: ${link}`, ''] : []), text.footer].join('\n'),
    html: [
      `<p>${escapeHtml(greeting)}</p>`,
      ...lines.map((line) => `<p>${escapeHtml(line)}</p>`),
      ...(link ? [`<p><a href="${escapeHtml(link)}">Join with Google Meet</a><br>${escapeHtml(link)}</p>`] : []),
      `<p>${escapeHtml(text.footer)}</p>`,
    ].join('\n'),
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Resend keeps an idempotency key for 24 hours. One per session, kind, occurrence (the link
 * generation, the start time a reminder is for, or the change it reports) and recipient.
 */
export function emailIdempotencyKey(sessionId: string, kind: string, occurrence: string, recipient: string): string {
  return `session-meetings/${sessionId}/${kind}/${occurrence}/${recipient}`;
}

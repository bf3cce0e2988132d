import { formatSessionTime } from './time-zones';

export type MeetingEmailKind = 'confirmation';

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
  meetingUrl: string;
  otherPartyName: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderMeetingEmail(kind: MeetingEmailKind, facts: MeetingEmailFacts, to: EmailRecipient): RenderedEmail {
  const when = formatSessionTime(facts.startTime, facts.endTime, to.timeZone);
  const withWhom = to.role === 'teacher' ? `your student ${facts.otherPartyName}` : `your teacher ${facts.otherPartyName}`;
  switch (kind) {
    case 'confirmation':
      return compose({
        subject: `Your session "${facts.title}" is confirmed: Google Meet link inside`,
        greeting: `Hi ${to.name},`,
        lines: [`Your session "${facts.title}" with ${withWhom} is confirmed.`, `When: ${when}`],
        link: facts.meetingUrl,
        footer: 'The link is also on your dashboard. It works from 10 minutes before the start.',
      });
  }
}

interface EmailParts {
  subject: string;
  greeting: string;
  lines: string[];
  link: string;
  footer: string;
}

function compose(parts: EmailParts): RenderedEmail {
  const text = [parts.greeting, '', ...parts.lines, '', `Join with Google Meet: ${parts.link}`, '', parts.footer].join('\n');
  const html = [
    `<p>${escapeHtml(parts.greeting)}</p>`,
    ...parts.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p><a href="${escapeHtml(parts.link)}">Join with Google Meet</a><br>${escapeHtml(parts.link)}</p>`,
    `<p>${escapeHtml(parts.footer)}</p>`,
  ].join('\n');
  return { subject: parts.subject, text, html };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Resend keeps an idempotency key for 24 hours: one per session, kind, link generation and recipient. */
export function emailIdempotencyKey(sessionId: string, kind: string, generation: number, recipient: string): string {
  return `session-meetings/${sessionId}/${kind}/g${generation}/${recipient}`;
}

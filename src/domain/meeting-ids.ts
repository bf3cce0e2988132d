// Google Calendar event ids use base32hex (RFC 4648 §7, lower case: 0-9 and a-v), 5 to 1024 chars.
const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** Session ids we accept: what the platform's cuids and uuids look like, nothing that could smuggle text. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/** What is wrong with a session id, or undefined when it is one. Echoes at most 40 characters of it. */
export function sessionIdProblem(sessionId: unknown): string | undefined {
  if (typeof sessionId === 'string' && SESSION_ID_PATTERN.test(sessionId)) return undefined;
  const shown = JSON.stringify(sessionId) ?? String(sessionId);
  const echo = shown.length > 40 ? `${shown.slice(0, 40)}... (${typeof sessionId === 'string' ? sessionId.length : shown.length} characters)` : shown;
  return `sessionId must be 1-100 letters, digits, '-' or '_' (got ${echo})`;
}

/** A session id that cannot be one, refused before anything is sent. */
export class InvalidSessionIdError extends TypeError {
  constructor(problem: string) {
    super(problem);
    this.name = 'InvalidSessionIdError';
  }
}

export function assertSessionId(sessionId: unknown): string {
  const problem = sessionIdProblem(sessionId);
  if (problem) throw new InvalidSessionIdError(problem);
  return sessionId as string;
}

export function base32hex(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The Calendar event id for a session's link generation. Chosen by us, not Google, so that a retried
 * insert whose first response was lost answers 409 instead of creating a second event. The session id
 * cannot contain ':', so the encoding is one-to-one and decodes back to `<sessionId>:<generation>`.
 */
export function meetingEventId(sessionId: string, generation: number): string {
  return base32hex(new TextEncoder().encode(`${assertSessionId(sessionId)}:${generation}`));
}

/** The conference `requestId`: one per session and link generation, so a repeat never makes a second Meet. */
export function conferenceRequestId(sessionId: string, generation: number): string {
  return `session-meeting-${assertSessionId(sessionId)}-g${generation}`;
}

/** The Temporal workflow id: one workflow per session, ever. */
export function sessionMeetingWorkflowId(sessionId: string): string {
  return `session-meeting-${assertSessionId(sessionId)}`;
}

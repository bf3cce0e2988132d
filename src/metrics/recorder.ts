/**
 * What the activities report for the project's metrics. Activities take one through their deps; the
 * default records nothing, so code and tests that do not care about metrics need not pass one.
 */
export interface MeetingMetrics {
  /** A creation (first link or a regeneration) ended; `secondsToLink` when it ended with a link. */
  creationEnded(outcome: 'active' | 'failed', secondsToLink?: number): void;
  /** One Calendar API call: its method, the HTTP status (or `network`) and Google's error reason. */
  googleRequest(method: GoogleMethod, code: string, reason: string): void;
  emailSent(kind: string, outcome: 'sent' | 'failed'): void;
  adminAlerted(kind: string): void;
}

export type GoogleMethod = 'insert' | 'get' | 'patch' | 'delete';

export const noMetrics: MeetingMetrics = {
  creationEnded: () => undefined,
  googleRequest: () => undefined,
  emailSent: () => undefined,
  adminAlerted: () => undefined,
};

import { isEmailAddress } from './email-address';
import { isValidTimeZone } from './time-zones';

/** The parts of a stored session that decide whether it can get a meeting. */
export interface SessionForValidation {
  id: string;
  title: string;
  startTime: Date;
  endTime: Date;
  bookingStatus: string;
  teacher: { email: string | null; timeZone: string };
  student: { email: string | null; timeZone: string };
}

/** Every reason this session cannot get a meeting; empty when it can. */
export function sessionMeetingProblems(session: SessionForValidation, now: Date): string[] {
  const problems: string[] = [];
  if (session.bookingStatus !== 'CONFIRMED') problems.push(`booking status is ${session.bookingStatus}, not CONFIRMED`);
  for (const role of ['teacher', 'student'] as const) {
    const email = session[role].email;
    if (!email) problems.push(`the ${role} has no email address`);
    else if (!isEmailAddress(email)) problems.push(`the ${role}'s email address "${email}" is not valid`);
    if (!isValidTimeZone(session[role].timeZone)) problems.push(`the ${role}'s time zone "${session[role].timeZone}" is not an IANA time zone`);
  }
  if (!(session.endTime.getTime() > session.startTime.getTime())) problems.push('the end time is not after the start time');
  else if (session.endTime.getTime() <= now.getTime()) problems.push(`the session already ended at ${session.endTime.toISOString()}`);
  return problems;
}

/**
 * What a session's workflow starts from: a meeting to make; a booking cancelled before its meeting
 * was made, to end as cancelled rather than as failed (a first workflow task lost after it wrote the
 * cancel runs the load again; a booking service may write its row before it signals); or the reasons
 * it cannot get a meeting. A cancelled booking that is also invalid stays invalid: its cancellation
 * emails could not go out either.
 */
export type SessionStartDecision = { kind: 'book' } | { kind: 'booking-cancelled' | 'invalid'; problems: string[] };

export function sessionStartDecision(session: SessionForValidation, now: Date): SessionStartDecision {
  const problems = sessionMeetingProblems(session, now);
  if (problems.length === 0) return { kind: 'book' };
  const cancelledOnly = session.bookingStatus === 'CANCELLED' && sessionMeetingProblems({ ...session, bookingStatus: 'CONFIRMED' }, now).length === 0;
  return { kind: cancelledOnly ? 'booking-cancelled' : 'invalid', problems };
}

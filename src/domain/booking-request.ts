import { MAX_SESSION_MINUTES, parseInstant, parseTypedInstant, sessionTimeProblems } from './instants';
import { isEmailAddress } from './email-address';
import { isValidTimeZone } from './time-zones';

/** A confirmed booking as the booking service (or the CLI's `book`) hands it over. */
export interface BookingRequest {
  title: string;
  description: string | null;
  teacher: { email: string; name: string; timeZone: string };
  student: { email: string; name: string; timeZone: string };
  startTime: Date;
  endTime: Date;
}

export interface BookingInput {
  title?: string;
  description?: string;
  teacherEmail?: string;
  teacherName?: string;
  teacherTimeZone?: string;
  studentEmail?: string;
  studentName?: string;
  studentTimeZone?: string;
  start?: string;
  minutes?: string;
  end?: string;
}

export class BookingError extends Error {
  constructor(readonly problems: string[]) {
    super(`the booking is not valid: ${problems.join('; ')}`);
    this.name = 'BookingError';
  }
}

// Line breaks and other control characters in a one-line field could add headers to an email.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Checks a booking and says every problem at once; nothing is written unless this passes. */
export function parseBooking(input: BookingInput, now: Date): BookingRequest {
  const problems: string[] = [];
  const title = input.title?.trim() ?? '';
  if (!title) problems.push('--title is required');
  if (title.length > 200) problems.push('--title is longer than 200 characters');
  if (CONTROL_CHARACTERS.test(title)) problems.push('--title must be one line: no line breaks or control characters');

  const person = (role: 'teacher' | 'student', email: string | undefined, name: string | undefined, timeZone: string | undefined) => {
    const address = email?.trim().toLowerCase() ?? '';
    if (!address) problems.push(`--${role}-email is required`);
    else if (!isEmailAddress(address)) problems.push(`--${role}-email ${JSON.stringify(email)} is not an email address`);
    if (name !== undefined && CONTROL_CHARACTERS.test(name)) problems.push(`--${role}-name must be one line: no line breaks or control characters`);
    if (name !== undefined && name.length > 200) problems.push(`--${role}-name is longer than 200 characters`);
    const zone = timeZone?.trim() || 'UTC';
    if (!isValidTimeZone(zone)) problems.push(`--${role}-tz ${JSON.stringify(timeZone)} is not an IANA time zone (e.g. Europe/Berlin)`);
    return { email: address, name: name?.trim() || address.split('@')[0] || role, timeZone: zone };
  };
  const teacher = person('teacher', input.teacherEmail, input.teacherName, input.teacherTimeZone);
  const student = person('student', input.studentEmail, input.studentName, input.studentTimeZone);
  if (teacher.email && teacher.email === student.email) problems.push('the teacher and the student must be different people');

  const startTime = parseTypedInstant(input.start, now);
  if (!input.start) problems.push('--start is required');
  else if (!startTime) problems.push(`--start "${input.start}" is neither an ISO-8601 time with an offset (e.g. 2026-12-01T15:00:00Z) nor a time from now (e.g. +2d)`);

  let endTime: Date | undefined;
  if (input.end !== undefined && input.minutes !== undefined) problems.push('give --minutes or --end, not both');
  else if (input.end !== undefined) {
    endTime = parseInstant(input.end);
    if (!endTime) problems.push(`--end "${input.end}" is not an ISO-8601 time with an offset`);
  } else {
    const minutes = Number(input.minutes ?? '60');
    if (!Number.isInteger(minutes) || minutes <= 0 || minutes > MAX_SESSION_MINUTES) problems.push(`--minutes must be a whole number from 1 to ${MAX_SESSION_MINUTES}`);
    else if (startTime) endTime = new Date(startTime.getTime() + minutes * 60_000);
  }
  if (startTime && endTime) problems.push(...sessionTimeProblems(startTime, endTime, now));
  if (problems.length > 0 || !startTime || !endTime) throw new BookingError(problems);
  return { title, description: input.description?.trim() || null, teacher, student, startTime, endTime };
}

import { emailIdempotencyKey, emailUsefulUntil, escapeHtml, MEETING_EMAIL_KINDS, renderMeetingEmail } from '../../src/domain/email-content';
import { formatSessionTime, isValidTimeZone } from '../../src/domain/time-zones';

const start = new Date('2026-12-01T15:00:00Z');
const end = new Date('2026-12-01T16:00:00Z');

test('times are shown in the recipient’s own zone, with the zone named', () => {
  expect(formatSessionTime(start, end, 'Europe/Berlin')).toBe('Tuesday, December 1, 2026, 4:00 – 5:00 PM GMT+1 (Europe/Berlin)');
  expect(formatSessionTime(start, end, 'America/New_York')).toBe('Tuesday, December 1, 2026, 10:00 – 11:00 AM EST (America/New_York)');
  expect(formatSessionTime(start, end, 'UTC')).toBe('Tuesday, December 1, 2026, 3:00 – 4:00 PM UTC (UTC)');
});

test('a session that crosses midnight locally shows both days', () => {
  const text = formatSessionTime(new Date('2026-12-01T23:30:00Z'), new Date('2026-12-02T00:30:00Z'), 'Asia/Tokyo');
  expect(text).toContain('December 2, 2026');
  expect(text).toContain('8:30');
});

test('daylight saving is applied for the date of the session, not today', () => {
  expect(formatSessionTime(new Date('2026-07-01T15:00:00Z'), new Date('2026-07-01T16:00:00Z'), 'Europe/Berlin')).toContain('5:00 – 6:00 PM GMT+2');
});

test('IANA zones are recognised; anything else is not', () => {
  expect(isValidTimeZone('Europe/Berlin')).toBe(true);
  expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  expect(isValidTimeZone('')).toBe(false);
});

test('the confirmation email carries the link and the local time, and escapes HTML', () => {
  const email = renderMeetingEmail(
    'confirmation',
    { title: 'Algebra <basics>', startTime: start, endTime: end, meetingUrl: 'https://meet.google.com/abc-defg-hij', otherPartyName: 'Sam' },
    { role: 'student', name: 'Ana', email: 'ana@example.com', timeZone: 'America/New_York' },
  );
  expect(email.subject).toContain('Algebra <basics>');
  expect(email.text).toContain('https://meet.google.com/abc-defg-hij');
  expect(email.text).toContain('10:00 – 11:00 AM EST (America/New_York)');
  expect(email.text).toContain('your teacher Sam');
  expect(email.html).toContain('Algebra &#60;basics&#62;');
  expect(email.html).not.toContain('<basics>');
});

test('idempotency keys differ by session, kind, generation and recipient', () => {
  const keys = [
    emailIdempotencyKey('s', 'confirmation', 'g1', 'teacher'),
    emailIdempotencyKey('s', 'confirmation', 'g1', 'student'),
    emailIdempotencyKey('s', 'confirmation', 'g2', 'teacher'),
    emailIdempotencyKey('t', 'confirmation', 'g1', 'teacher'),
    emailIdempotencyKey('s', 'reminder-24h', 'g1', 'teacher'),
  ];
  expect(new Set(keys).size).toBe(5);
  expect(escapeHtml(`"'&`)).toBe('&#34;&#39;&#38;');
});

describe('every kind of email', () => {
  const facts = { title: 'Algebra', startTime: start, endTime: end, meetingUrl: 'https://meet.google.com/abc-defg-hij', otherPartyName: 'Sam' };
  const to = { role: 'teacher' as const, name: 'Ana', email: 'ana@example.com', timeZone: 'Asia/Kolkata' };

  test.each(MEETING_EMAIL_KINDS.filter((kind) => kind !== 'cancelled'))('%s carries the link and the local time', (kind) => {
    const email = renderMeetingEmail(kind, facts, to);
    expect(email.text).toContain('https://meet.google.com/abc-defg-hij');
    expect(email.text).toContain('(Asia/Kolkata)');
    expect(email.text).toContain('your student Sam');
  });

  test('cancelled carries no link', () => {
    const email = renderMeetingEmail('cancelled', facts, to);
    expect(email.subject).toBe('Cancelled: "Algebra"');
    expect(email.text).not.toContain('meet.google.com');
    expect(email.html).not.toContain('meet.google.com');
  });

  test('with no link yet, a reschedule notice says the new time without a link', () => {
    expect(renderMeetingEmail('rescheduled', { ...facts, meetingUrl: null }, to).text).not.toContain('Join with Google Meet');
  });
});

test('an email about a session is worth sending until the session is over; a cancellation at any time', () => {
  for (const kind of MEETING_EMAIL_KINDS.filter((k) => k !== 'cancelled')) expect(emailUsefulUntil(kind, { endTime: end })).toEqual(end);
  expect(emailUsefulUntil('cancelled', { endTime: end })).toBeNull();
});

import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { meetingStatusSearchAttribute } from '../../src/workflows/contract';
import { startHarness, ADMIN_EMAIL, type Harness } from '../support/harness';
import { waitFor } from '../support/wait';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ server: 'dev-server', policy: { retryBackoffMs: [200, 400, 800] } });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => h.google.reset());

async function untilSettled(sessionId: string) {
  return waitFor(
    () => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }),
    (row) => row.meetingStatus === 'ACTIVE' || row.meetingStatus === 'FAILED',
  );
}

function emailsFor(sessionId: string) {
  return h.resend.emails().filter((email) => email.idempotencyKey?.includes(`/${sessionId}/`));
}

test('a booked session gets its Meet link stored, queryable and emailed to both, within seconds', async () => {
  const sessionId = await h.createSession({ teacherTimeZone: 'Europe/Berlin', studentTimeZone: 'America/New_York' });
  const startedAt = Date.now();
  await h.meetings.startSessionMeeting(sessionId);
  const row = await untilSettled(sessionId);
  const timeToLinkMs = Date.now() - startedAt;
  console.log(`time from start to ACTIVE: ${timeToLinkMs} ms`);

  expect(row.meetingStatus).toBe('ACTIVE');
  const [event] = h.google.events();
  expect(h.google.events()).toHaveLength(1);
  expect(row.meetingUrl).toBe(event?.resource.hangoutLink);
  expect(row.meetingUrl).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  expect(row.meetingEventId).toBe(event?.resource.id);
  expect(row.meetingCreatedAt).not.toBeNull();
  expect(row.meetingRetryCount).toBe(0);
  expect(row.meetingError).toBeNull();
  expect(timeToLinkMs).toBeLessThan(5_000); // NFR-1

  const status = await h.meetings.getMeetingStatus(sessionId);
  expect(status).toMatchObject({ sessionId, meetingStatus: 'ACTIVE', meetingUrl: row.meetingUrl, meetingEventId: row.meetingEventId, attempts: 1, lastError: null });

  const emails = await waitFor(async () => emailsFor(sessionId), (list) => list.length === 2);
  const session = await h.prisma.session.findUniqueOrThrow({ where: { id: sessionId }, include: { teacher: true, student: true } });
  const toTeacher = emails.find((e) => e.to[0] === session.teacher.email);
  const toStudent = emails.find((e) => e.to[0] === session.student.email);
  expect(toTeacher?.text).toContain(row.meetingUrl);
  expect(toStudent?.text).toContain(row.meetingUrl);
  expect(toTeacher?.text).toContain('(Europe/Berlin)');
  expect(toStudent?.text).toContain('(America/New_York)');

  const description = await h.env.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).describe();
  expect(description.typedSearchAttributes.get(meetingStatusSearchAttribute)).toBe('ACTIVE');

  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => a.action)).toEqual(['ATTEMPT_STARTED', 'MEETING_ACTIVE', 'EMAIL_SENT', 'EMAIL_SENT']);
  expect(h.resend.emails().some((e) => e.to.includes(ADMIN_EMAIL) && e.idempotencyKey?.includes(sessionId))).toBe(false);
});

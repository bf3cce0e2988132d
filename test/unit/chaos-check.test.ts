import { checkRun } from '../../chaos/check';
import type { ActivityRecord, RunEvidence, SessionEvidence } from '../../chaos/evidence';

const url = (n: number) => `https://meet.google.com/aaa-bbbb-${String(n).padStart(3, '0')}`;
const done = (type: string, ...args: unknown[]): ActivityRecord => ({ type, args, outcome: 'completed', nonRetryable: false });

function activeSession(n: number): SessionEvidence {
  const sessionId = `s${n}`;
  return {
    sessionId,
    teacherEmail: `t${n}@x.example`,
    studentEmail: `s${n}@x.example`,
    row: { meetingStatus: 'ACTIVE', bookingStatus: 'CONFIRMED', meetingUrl: url(n), meetingEventId: `e${n}`, startTime: '2026-12-01T10:00:00.000Z' },
    workflow: {
      status: 'RUNNING',
      pendingActivities: 0,
      pendingWorkflowTaskAttempt: 0,
      signals: [],
      activities: [done('createMeetingEvent', sessionId, 1, 1), done('awaitConference', `e${n}`), done('sendMeetingEmails', sessionId, 'confirmation', 'g1')],
    },
    query: { meetingStatus: 'ACTIVE', meetingUrl: url(n) },
  };
}

/** Two sessions that came through: one ACTIVE, one cancelled, with exactly what each implies. */
function goodRun(): RunEvidence {
  const active = activeSession(1);
  const cancelled: SessionEvidence = {
    ...activeSession(2),
    row: { meetingStatus: 'CANCELLED', bookingStatus: 'CANCELLED', meetingUrl: null, meetingEventId: 'e2', startTime: '2026-12-01T10:00:00.000Z' },
    query: { meetingStatus: 'CANCELLED', meetingUrl: null },
  };
  cancelled.workflow = {
    ...(cancelled.workflow as NonNullable<SessionEvidence['workflow']>),
    status: 'COMPLETED',
    signals: [{ name: 'cancel', input: { actor: 'ops' } }],
    activities: [done('createMeetingEvent', 's2', 1, 1), done('deleteMeetingEvent', 's2', 1), done('sendMeetingEmails', 's2', 'cancelled', 'once')],
  };
  const email = (to: string, subject: string, text: string) => ({ to: [to], subject, text });
  return {
    attemptsPerGeneration: 4,
    adminEmail: 'ops@x.example',
    bookedSessionIds: ['s1', 's2'],
    sessions: [active, cancelled],
    calendarEvents: [
      { id: 'e1', deleted: false, attendees: ['t1@x.example', 's1@x.example'], meetingUrl: url(1) },
      { id: 'e2', deleted: true, attendees: ['t2@x.example', 's2@x.example'], meetingUrl: url(2) },
    ],
    emails: [
      email('t1@x.example', 'Your session "A" is confirmed: Google Meet link inside', `Hi T\n${url(1)}`),
      email('s1@x.example', 'Your session "A" is confirmed: Google Meet link inside', `Hi S\n${url(1)}`),
      email('t2@x.example', 'Cancelled: "B"', 'Hi T'),
      email('s2@x.example', 'Cancelled: "B"', 'Hi S'),
    ],
    audit: [
      { sessionId: 's1', action: 'MEETING_ACTIVE', detail: { generation: 1 } },
      { sessionId: 's1', action: 'EMAIL_SENT', detail: { kind: 'confirmation', occurrence: 'g1', recipient: 'teacher', emailId: 'a' } },
    ],
  };
}

describe('the chaos run checker', () => {
  it('passes a run in which everything happened once', () => {
    const summary = checkRun(goodRun());
    expect(summary.violations).toEqual([]);
    expect(summary.byStatus).toEqual({ ACTIVE: 1, CANCELLED: 1 });
  });

  it('fails a run with one duplicate Calendar event', () => {
    const run = goodRun();
    run.calendarEvents.push({ id: 'e1x', deleted: false, attendees: ['t1@x.example', 's1@x.example'], meetingUrl: url(9) });
    expect(checkRun(run).counts['duplicate-event']).toBe(1);
  });

  it('passes a cancelled session whose emails queued before the cancel were voided, or went', () => {
    const run = goodRun();
    const cancelled = run.sessions[1];
    cancelled?.workflow?.activities.unshift(done('sendMeetingEmails', 's2', 'reminder-24h', 's1'));
    expect(checkRun(run).violations).toEqual([]);
    run.emails.push({ to: ['t2@x.example'], subject: 'Tomorrow: "B"', text: 'Hi T' });
    expect(checkRun(run).violations).toEqual([]);
  });

  it('fails a run with one lost email', () => {
    const run = goodRun();
    run.emails.splice(1, 1);
    expect(checkRun(run).violations).toEqual([{ kind: 'lost-email', sessionId: 's1', detail: 's1@x.example: 0 of 1 confirmation emails' }]);
  });

  it('fails a run with an email sent twice', () => {
    const run = goodRun();
    run.emails.push({ ...(run.emails[0] as RunEvidence['emails'][number]) });
    expect(checkRun(run).counts['duplicate-email']).toBe(1);
  });

  it('fails a booked session that has no workflow, and one whose workflow is stuck', () => {
    const run = goodRun();
    run.bookedSessionIds.push('s3');
    const active = run.sessions[0] as SessionEvidence;
    active.workflow = { ...(active.workflow as NonNullable<SessionEvidence['workflow']>), pendingActivities: 1, pendingWorkflowTaskAttempt: 3 };
    const summary = checkRun(run);
    expect(summary.counts['lost-session']).toBe(1);
    expect(summary.counts.stuck).toBe(2);
  });

  it('fails a cancelled session whose event is still live, and a link the row and query disagree on', () => {
    const run = goodRun();
    (run.calendarEvents[1] as RunEvidence['calendarEvents'][number]).deleted = false;
    (run.sessions[0] as SessionEvidence).query = { meetingStatus: 'ACTIVE', meetingUrl: url(7) };
    const summary = checkRun(run);
    expect(summary.counts['live-event-left']).toBe(1);
    expect(summary.counts['link-mismatch']).toBe(1);
  });

  it('fails a session FAILED before its attempts ran out, or without exactly one admin alert', () => {
    const run = goodRun();
    const failed = activeSession(3);
    failed.row = { ...(failed.row as NonNullable<SessionEvidence['row']>), meetingStatus: 'FAILED', meetingUrl: null };
    failed.workflow = { ...(failed.workflow as NonNullable<SessionEvidence['workflow']>), activities: [{ type: 'createMeetingEvent', args: ['s3', 1, 1], outcome: 'failed', nonRetryable: false }] };
    run.sessions.push(failed);
    const summary = checkRun(run);
    expect(summary.counts['failed-too-early']).toBe(1);
    expect(summary.counts['admin-alerts']).toBe(1);
  });

  it('fails a regenerate that made no new link unless the audit says it was merged into the link being made', () => {
    const run = goodRun();
    const active = run.sessions[0] as SessionEvidence;
    active.workflow = { ...(active.workflow as NonNullable<SessionEvidence['workflow']>), signals: [{ name: 'regenerate', input: { actor: 'ops' } }] };
    expect(checkRun(run).counts['wrong-state']).toBe(1);
    run.audit.push({ sessionId: 's1', action: 'REGENERATION_MERGED', detail: { generation: 1, reason: null } });
    expect(checkRun(run).violations).toEqual([]);
  });

  it('fails an audit row written twice for one event', () => {
    const run = goodRun();
    run.audit.push({ sessionId: 's1', action: 'EMAIL_SENT', detail: { kind: 'confirmation', occurrence: 'g1', recipient: 'teacher', emailId: 'b' } });
    expect(checkRun(run).counts['duplicate-audit']).toBe(1);
  });
});

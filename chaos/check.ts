import type { ActivityRecord, AuditRecord, EmailRecord, RunEvidence, SessionEvidence } from './evidence';

/** One broken promise: what kind, which session, what was seen. */
export interface Violation {
  kind:
    | 'lost-session'
    | 'wrong-state'
    | 'duplicate-event'
    | 'live-event-left'
    | 'link-mismatch'
    | 'failed-too-early'
    | 'admin-alerts'
    | 'lost-email'
    | 'duplicate-email'
    | 'unexpected-email'
    | 'duplicate-audit'
    | 'stuck';
  sessionId: string;
  detail: string;
}

export interface CheckSummary {
  sessions: number;
  byStatus: Record<string, number>;
  violations: Violation[];
  counts: Record<Violation['kind'], number>;
}

const EMAIL_KINDS: Array<[string, RegExp]> = [
  ['confirmation', /is confirmed: Google Meet link inside$/],
  ['regenerated', /^New Google Meet link for /],
  ['rescheduled', /has moved to a new time$/],
  ['reminder-24h', /^Tomorrow: /],
  ['starting-soon', /^Starting soon: /],
  ['cancelled', /^Cancelled: /],
];

/** The kind of a meeting email, read from its subject as a recipient would. */
export function emailKind(subject: string): string | undefined {
  return EMAIL_KINDS.find(([, pattern]) => pattern.test(subject))?.[0];
}

/** Audit rows that stand for one event each; a second row with the same detail is a step done twice. */
const ONCE_PER_DETAIL = new Set(['ATTEMPT_STARTED', 'ATTEMPT_FAILED', 'MEETING_ACTIVE', 'ATTEMPTS_EXHAUSTED', 'REGENERATION_FAILED', 'REGENERATION_REQUESTED', 'CANCELLED', 'EMAIL_SENT', 'ADMIN_ALERTED', 'MEETING_JOINABLE']);
/** Fields that differ between two copies of the same event (an email's id at Resend). */
const VOLATILE_DETAIL = new Set(['emailId', 'retryInMs']);

export function checkRun(evidence: RunEvidence): CheckSummary {
  const violations: Violation[] = [];
  const flag = (kind: Violation['kind'], sessionId: string, detail: string) => violations.push({ kind, sessionId, detail });

  const bySessionEmail = new Map<string, { session: SessionEvidence; role: 'teacher' | 'student' }>();
  for (const session of evidence.sessions) {
    bySessionEmail.set(session.teacherEmail, { session, role: 'teacher' });
    bySessionEmail.set(session.studentEmail, { session, role: 'student' });
  }
  const eventsOf = groupBy(evidence.calendarEvents, (event) => event.attendees.map((email) => bySessionEmail.get(email)?.session.sessionId).find(Boolean));
  const emailsTo = groupBy(evidence.emails, (email) => email.to[0]);
  const alertsFor = groupBy(
    evidence.emails.filter((email) => email.to.includes(evidence.adminEmail)),
    (email) => /Session: (\S+)/.exec(email.text)?.[1],
  );
  const auditOf = groupBy(evidence.audit, (row) => row.sessionId);

  const known = new Set(evidence.sessions.map((session) => session.sessionId));
  for (const sessionId of evidence.bookedSessionIds) if (!known.has(sessionId)) flag('lost-session', sessionId, 'booked but not found');

  const byStatus: Record<string, number> = {};
  for (const session of evidence.sessions) {
    const { sessionId, row, workflow } = session;
    if (!row || !workflow) {
      flag('lost-session', sessionId, !row ? 'no Session row' : 'no workflow execution');
      continue;
    }
    byStatus[row.meetingStatus] = (byStatus[row.meetingStatus] ?? 0) + 1;
    const signals = workflow.signals.map((signal) => signal.name);
    const cancelled = signals.includes('cancel');
    const live = (eventsOf.get(sessionId) ?? []).filter((event) => !event.deleted);

    if (workflow.pendingActivities > 0) flag('stuck', sessionId, `${workflow.pendingActivities} activities still pending`);
    if (workflow.pendingWorkflowTaskAttempt > 1) flag('stuck', sessionId, `workflow task failing (attempt ${workflow.pendingWorkflowTaskAttempt})`);
    if (live.length > 1) flag('duplicate-event', sessionId, `${live.length} live Calendar events: ${live.map((event) => event.id).join(', ')}`);

    if (cancelled) {
      if (row.meetingStatus !== 'CANCELLED' || row.bookingStatus !== 'CANCELLED' || workflow.status !== 'COMPLETED') {
        flag('wrong-state', sessionId, `cancel was signalled, but the row is ${row.meetingStatus}/${row.bookingStatus} and the workflow ${workflow.status}`);
      }
      if (live.length > 0) flag('live-event-left', sessionId, `cancelled, but event ${live[0]?.id} is still live`);
    } else {
      checkUncancelled(session, live, alertsFor.get(sessionId) ?? [], auditOf.get(sessionId) ?? [], evidence.attemptsPerGeneration, flag);
    }
    checkEmails(session, cancelled, emailsTo, flag);
    checkAudit(sessionId, auditOf.get(sessionId) ?? [], flag);
  }

  for (const email of evidence.emails) {
    if (email.to.includes(evidence.adminEmail)) continue;
    if (!email.to.some((to) => bySessionEmail.has(to))) flag('unexpected-email', '-', `an email to ${email.to.join(', ')} belongs to no session`);
  }

  const counts = Object.fromEntries(VIOLATION_KINDS.map((kind) => [kind, violations.filter((v) => v.kind === kind).length])) as CheckSummary['counts'];
  return { sessions: evidence.sessions.length, byStatus, violations, counts };
}

export const VIOLATION_KINDS: Array<Violation['kind']> = [
  'lost-session',
  'wrong-state',
  'duplicate-event',
  'live-event-left',
  'link-mismatch',
  'failed-too-early',
  'admin-alerts',
  'lost-email',
  'duplicate-email',
  'unexpected-email',
  'duplicate-audit',
  'stuck',
];

type Flag = (kind: Violation['kind'], sessionId: string, detail: string) => void;

/** A regenerate that came while a link was being made is merged into that link, not made anew (audited so). */
function isMergedRegenerate(row: AuditRecord): boolean {
  const signal = (row.detail as { signal?: unknown } | null)?.signal;
  return row.action === 'REGENERATION_MERGED' || (row.action === 'SIGNAL_IGNORED' && signal === 'regenerate');
}

function checkUncancelled(
  session: SessionEvidence,
  live: RunEvidence['calendarEvents'],
  alerts: EmailRecord[],
  audit: AuditRecord[],
  attemptsPerGeneration: number,
  flag: Flag,
): void {
  const { sessionId, row, workflow, query } = session;
  if (!row || !workflow) return;
  if (workflow.status !== 'RUNNING') flag('wrong-state', sessionId, `the workflow is ${workflow.status}, but the session is days ahead and not cancelled`);
  // The attempts at a link, as (generation, attempt): the server activities that made them (an insert
  // and a later wait, or since `lean-start` both in one), and the ATTEMPT_STARTED audit rows, since
  // `local-link` starts each attempt in a local activity, whose history marker keeps no arguments.
  const creations = workflow.activities.filter((activity) => activity.type === 'createMeetingEvent' || activity.type === 'makeMeetingLink');
  const attemptsMade = [
    ...creations.map((activity) => ({ generation: Number(activity.args[1]), attempt: Number(activity.args[2]) })),
    ...audit.filter((row) => row.action === 'ATTEMPT_STARTED').map((row) => row.detail as { generation: number; attempt: number }),
  ];
  const generations = new Set(attemptsMade.map(({ generation }) => generation));
  const regenerations = workflow.signals.filter((signal) => signal.name === 'regenerate').length;
  const merged = audit.filter(isMergedRegenerate).length;
  if (generations.size + merged < 1 + regenerations) {
    flag('wrong-state', sessionId, `${regenerations} regenerate signals, but links were made for only ${generations.size} generations (${merged} merged)`);
  }
  const lastMove = workflow.signals.filter((signal) => signal.name === 'reschedule').at(-1)?.input as { startTime?: string } | undefined;
  if (lastMove?.startTime && Date.parse(lastMove.startTime) !== Date.parse(row.startTime)) {
    flag('wrong-state', sessionId, `rescheduled to ${lastMove.startTime}, but the row starts at ${row.startTime}`);
  }

  if (row.meetingStatus === 'ACTIVE') {
    const [event] = live;
    if (live.length === 0 || !event) flag('wrong-state', sessionId, 'ACTIVE without a live Calendar event');
    else if (event.id !== row.meetingEventId || event.meetingUrl !== row.meetingUrl || query?.meetingUrl !== row.meetingUrl) {
      flag('link-mismatch', sessionId, `row ${row.meetingEventId} ${row.meetingUrl}, event ${event.id} ${event.meetingUrl}, query ${query?.meetingUrl ?? 'none'}`);
    }
    if (query && query.meetingStatus !== 'ACTIVE') flag('link-mismatch', sessionId, `the row says ACTIVE, the query ${query.meetingStatus}`);
  } else if (row.meetingStatus === 'FAILED') {
    const lastGeneration = Math.max(...generations);
    const attempts = new Set(attemptsMade.filter(({ generation }) => generation === lastGeneration).map(({ attempt }) => attempt));
    const lastFailure = [...workflow.activities].reverse().find((activity) => activity.outcome !== 'completed');
    if (attempts.size < attemptsPerGeneration && !lastFailure?.nonRetryable) {
      flag('failed-too-early', sessionId, `FAILED after ${attempts.size} of ${attemptsPerGeneration} attempts, the last failure retryable`);
    }
    const creationAlerts = alerts.filter((email) => /creation failed/i.test(email.subject)).length;
    if (creationAlerts !== 1) flag('admin-alerts', sessionId, `FAILED with ${creationAlerts} creation-failed admin alerts (expected 1)`);
  } else {
    flag('wrong-state', sessionId, `meeting status ${row.meetingStatus}, not a final state`);
  }
}

/**
 * Each recipient gets one email per occasion the history says was queued: none lost, none twice, none
 * extra. A cancel voids the emails still queued, so for a cancelled session those of other kinds may
 * have gone or not.
 */
function checkEmails(session: SessionEvidence, cancelled: boolean, emailsTo: Map<string | undefined, EmailRecord[]>, flag: Flag): void {
  const sends = session.workflow?.activities.filter((activity) => activity.type === 'sendMeetingEmails') ?? [];
  for (const recipient of [session.teacherEmail, session.studentEmail]) {
    const received = emailsTo.get(recipient) ?? [];
    const seen = new Set<string>();
    for (const email of received) {
      const key = `${email.subject}\n${email.text}`;
      if (seen.has(key)) flag('duplicate-email', session.sessionId, `${recipient} got "${email.subject}" twice`);
      seen.add(key);
    }
    const voidable = (activity: ActivityRecord) => cancelled && String(activity.args[1]) !== 'cancelled';
    const expected = countBy(sends.filter((activity) => isDelivered(activity) && !voidable(activity)), (activity) => String(activity.args[1]));
    const got = countBy([...seen].map((key) => key.split('\n')[0] ?? ''), (subject) => emailKind(subject) ?? 'unknown');
    for (const kind of new Set([...expected.keys(), ...got.keys()])) {
      const want = expected.get(kind) ?? 0;
      const have = got.get(kind) ?? 0;
      const mayHaveGone = sends.filter((activity) => String(activity.args[1]) === kind && (!isDelivered(activity) || voidable(activity))).length;
      if (have < want) flag('lost-email', session.sessionId, `${recipient}: ${have} of ${want} ${kind} emails`);
      if (have > want + mayHaveGone) flag('unexpected-email', session.sessionId, `${recipient}: ${have} ${kind} emails, the history sent ${want}`);
    }
  }
}

function isDelivered(activity: ActivityRecord): boolean {
  return activity.outcome === 'completed';
}

function checkAudit(sessionId: string, rows: AuditRecord[], flag: Flag): void {
  const seen = new Set<string>();
  for (const row of rows) {
    if (!ONCE_PER_DETAIL.has(row.action)) continue;
    const detail = Object.entries((row.detail ?? {}) as Record<string, unknown>).filter(([key]) => !VOLATILE_DETAIL.has(key));
    const key = `${row.action} ${JSON.stringify(detail.sort(([a], [b]) => a.localeCompare(b)))}`;
    if (seen.has(key)) flag('duplicate-audit', sessionId, `audit row written twice: ${key}`);
    seen.add(key);
  }
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

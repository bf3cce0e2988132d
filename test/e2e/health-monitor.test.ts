import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { bookSession } from '../../src/cli/book';
import { MeetingStartUnknownError, SessionMeetings } from '../../src/client/session-meetings';
import { parseBooking } from '../../src/domain/booking-request';
import type { MeetingHealthInput, MeetingHealthWorkflow } from '../../src/workflows/health';
import { prepareDatabase } from '../../src/local/database';
import { sessionMeetingWorkflowId } from '../../src/domain/meeting-ids';
import { HEALTH_SCHEDULE_ID, MEETING_HEALTH_WORKFLOW_TYPE } from '../../src/workflows/contract';
import { ADMIN_EMAIL, useHarness } from '../support/harness';
import { TEST_DATABASE_URL } from '../support/env';
import { spawnEntry } from '../support/processes';
import { startTcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

// The health monitor on the dev server: its schedule as the worker process leaves it, and its runs
// (started directly, for determinism) against a database of this file's own, made afresh each run, so
// that no other test's sessions or creations count in its failure rate or get reconciled.

const MONITOR_DATABASE_URL = (() => {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `${url.pathname}_monitor`;
  return url.toString();
})();

beforeAll(async () => {
  const admin = new URL(MONITOR_DATABASE_URL);
  admin.pathname = '/postgres';
  const pg = new PgClient({ connectionString: admin.toString() });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${new URL(MONITOR_DATABASE_URL).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
  await prepareDatabase(MONITOR_DATABASE_URL);
}, 60_000);

const h = useHarness({ server: 'dev-server', databaseUrl: MONITOR_DATABASE_URL });

function runMonitor(input: MeetingHealthInput = {}) {
  return h.env.client.workflow.execute<typeof MeetingHealthWorkflow>(MEETING_HEALTH_WORKFLOW_TYPE, {
    taskQueue: h.taskQueue,
    workflowId: `health-test-${randomUUID()}`,
    args: [input],
  });
}

const adminSubjects = () => h.resend.emails().filter((email) => email.to.includes(ADMIN_EMAIL)).map((email) => email.subject);

test('the worker creates the schedule, whose run works; a second worker updates it and leaves an operator’s pause alone', async () => {
  const env = {
    DATABASE_URL: MONITOR_DATABASE_URL,
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_TASK_QUEUE: `health-${randomUUID()}`,
    GOOGLE_CALENDAR_BASE_URL: h.google.url,
    RESEND_API_KEY: 're_process_test',
    RESEND_BASE_URL: h.resend.url,
    EMAIL_FROM: 'sessions@example.com',
    ADMIN_ALERT_EMAIL: ADMIN_EMAIL,
    // Long intervals: no run falls into this test.
    MEETING_HEALTH_INTERVAL: '7d',
    MEETING_FAILURE_RATE_MIN_ATTEMPTS: '50',
  };
  const startWorker = async (overrides: Record<string, string>) => {
    const worker = spawnEntry('src/worker/main.ts', [], { ...env, ...overrides });
    await waitFor(async () => worker.output(), (out) => out.includes('worker started'), 45_000, 200);
    return {
      stop: () => {
        worker.child.kill('SIGTERM');
        return worker.finished;
      },
    };
  };
  const schedule = h.env.client.schedule.getHandle(HEALTH_SCHEDULE_ID);

  const firstWorker = await startWorker({});
  // A run of the schedule's own action, on the worker process: nothing to do in an empty database.
  await schedule.trigger();
  const [run] = (await waitFor(() => schedule.describe(), (description) => description.info.recentActions.length > 0)).info.recentActions;
  const report = await h.env.client.workflow.getHandle<typeof MeetingHealthWorkflow>(run?.action.workflow.workflowId ?? 'none').result();
  expect(report).toEqual({ reconciled: [], withoutLink: [], failureRate: { failed: 0, ended: 0, rate: null, action: 'none' } });
  const first = await firstWorker.stop();
  expect(first.stdout).toContain('"schedule":"created"');
  const created = await schedule.describe();
  expect(created.spec.intervals?.map((interval) => interval.every)).toEqual([7 * 86_400_000]);
  expect(created.action).toMatchObject({ type: 'startWorkflow', workflowType: MEETING_HEALTH_WORKFLOW_TYPE, taskQueue: env.TEMPORAL_TASK_QUEUE, workflowRunTimeout: 30 * 60_000 });
  expect(created.action.type === 'startWorkflow' && created.action.args).toEqual([{ failureRate: { windowMs: 3_600_000, alertRate: 0.05, minAttempts: 50 } }]);
  expect(created.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 60_000 });
  expect(created.state.paused).toBe(false);

  await schedule.pause('ops: investigating');
  const second = await (await startWorker({ MEETING_HEALTH_INTERVAL: '6d' })).stop();
  expect(second.stdout).toContain('"schedule":"updated"');
  const updated = await schedule.describe();
  expect(updated.spec.intervals?.map((interval) => interval.every)).toEqual([6 * 86_400_000]);
  expect(updated.state).toMatchObject({ paused: true, note: 'ops: investigating' });
}, 120_000);

test('the failure rate alerts once on crossing (not below the threshold or the minimum count, not twice), and once on recovery', async () => {
  const failureRate = { windowMs: 3_600_000, alertRate: 0.2, minAttempts: 20 };
  // Over already, so that neither the reconciler nor the no-link check takes an interest in it.
  const sessionId = await h.createSession({ startTime: new Date(Date.now() - 2 * 86_400_000) });
  const creationsEnded = (count: number, action: 'MEETING_ACTIVE' | 'ATTEMPTS_EXHAUSTED' | 'REGENERATION_FAILED') =>
    h.prisma.meetingAuditEvent.createMany({
      data: Array.from({ length: count }, () => ({
        sessionId,
        action,
        actor: 'system',
        outcome: action === 'MEETING_ACTIVE' ? ('SUCCESS' as const) : ('FAILURE' as const),
        dedupeKey: `seeded/${randomUUID()}`,
        createdAt: new Date(Date.now() - 5 * 60_000),
      })),
    });
  const failureRateAlerts = async () =>
    (await h.prisma.meetingAuditEvent.findMany({ where: { sessionId: null, action: 'ADMIN_ALERTED' }, orderBy: { id: 'asc' } })).map((row) => row.detail);

  await creationsEnded(3, 'ATTEMPTS_EXHAUSTED');
  await creationsEnded(1, 'REGENERATION_FAILED');
  expect((await runMonitor({ failureRate })).failureRate).toEqual({ failed: 4, ended: 4, rate: 1, action: 'none' }); // too few to say
  await creationsEnded(16, 'MEETING_ACTIVE');
  expect((await runMonitor({ failureRate })).failureRate).toEqual({ failed: 4, ended: 20, rate: 0.2, action: 'none' }); // at, not above
  expect(adminSubjects()).toEqual([]);

  await creationsEnded(1, 'ATTEMPTS_EXHAUSTED');
  // Two overlapping runs see the same state: only one of them alerts.
  const [one, other] = await Promise.all([runMonitor({ failureRate }), runMonitor({ failureRate })]);
  expect([one.failureRate.action, other.failureRate.action].sort()).toEqual(['alert', 'none']);
  expect(adminSubjects()).toEqual(['[session-meetings] Meeting creation failure rate is high: 23.8% of 21 meeting creations failed in the last 1h (alert above 20.0%)']);
  expect(await failureRateAlerts()).toEqual([{ kind: 'failure-rate', occurrence: 'crossed', channel: 'email' }]);

  expect((await runMonitor({ failureRate })).failureRate.action).toBe('none'); // still above, reminded at most once an hour
  expect(adminSubjects()).toHaveLength(1);

  await creationsEnded(10, 'MEETING_ACTIVE');
  expect((await runMonitor({ failureRate })).failureRate).toEqual({ failed: 5, ended: 31, rate: 5 / 31, action: 'recover' });
  expect((await runMonitor({ failureRate })).failureRate.action).toBe('none');
  expect(adminSubjects().slice(1)).toEqual(['[session-meetings] Meeting creation failure rate is back to normal: 16.1% of 31 meeting creations failed in the last 1h (alert above 20.0%)']);
}, 90_000);

test('a confirmed session without a workflow gets one, audited as the reconciler; a failed workflow is not started again', async () => {
  const longAgo = new Date(Date.now() - 10 * 60_000); // booked before the reconciler's grace
  const lost = await h.createSession();
  await h.prisma.session.update({ where: { id: lost }, data: { createdAt: longAgo } });
  // A session whose workflow failed (no student email), its row made to look untouched since.
  const failed = await h.createSession({ studentEmail: null });
  const { runId: failedRunId } = await h.meetings.startSessionMeeting(failed);
  await waitFor(() => h.meetings.workflowStatus(failed), (status) => status === 'FAILED');
  await h.prisma.session.update({ where: { id: failed }, data: { meetingStatus: 'PENDING', createdAt: longAgo } });

  const report = await runMonitor();
  expect(report.reconciled).toEqual([lost]);
  expect(await h.meetings.workflowStatus(lost)).toBe('RUNNING');
  const audit = await h.prisma.meetingAuditEvent.findMany({ where: { sessionId: lost, action: 'WORKFLOW_STARTED' } });
  expect(audit).toMatchObject([{ actor: 'reconciler', detail: { workflowId: sessionMeetingWorkflowId(lost) } }]);
  const failedNow = await h.env.client.workflow.getHandle(sessionMeetingWorkflowId(failed)).describe();
  expect({ runId: failedNow.runId, status: failedNow.status.name }).toEqual({ runId: failedRunId, status: 'FAILED' });

  await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: lost } }), (row) => row.meetingStatus === 'ACTIVE');
  expect((await runMonitor()).reconciled).toEqual([]);
});

test('a session starting within 2 hours without a link, whose workflow is gone, is alerted once', async () => {
  const startTime = new Date(Date.now() + 90 * 60_000);
  const sessionId = await h.createSession({ startTime, teacherEmail: null });
  await h.meetings.startSessionMeeting(sessionId);
  await waitFor(() => h.meetings.workflowStatus(sessionId), (status) => status === 'FAILED');
  const noLinkAlerts = async () =>
    (await h.prisma.meetingAuditEvent.findMany({ where: { sessionId, action: 'ADMIN_ALERTED' } })).filter((row) => (row.detail as { kind: string }).kind === 'no-link-2h');

  expect((await runMonitor()).withoutLink).toEqual([sessionId]);
  expect((await runMonitor()).withoutLink).toEqual([]);
  expect(adminSubjects()).toContain('[session-meetings] The session starts within 2 hours, has no meeting link, and its workflow is not running');
  expect(await noLinkAlerts()).toMatchObject([{ detail: { kind: 'no-link-2h', occurrence: `s${startTime.getTime()}`, channel: 'email' } }]);
});

test('book keeps the session when the answer to its start is lost; a refused start still removes it', async () => {
  const [proxyHost = '', proxyPort = ''] = h.env.address.split(':');
  const proxy = await startTcpProxy(proxyHost, Number(proxyPort));
  // No gRPC retries: the timeout after the lost answer is the client's last word.
  const connection = await Connection.connect({ address: proxy.address, interceptors: [] });
  try {
    const meetings = new SessionMeetings(new Client({ connection }), h.taskQueue);
    const teacher = `t-${randomUUID().slice(0, 8)}@example.com`;
    const booking = parseBooking({ title: 'Algebra', teacherEmail: teacher, studentEmail: `s-${teacher}`, start: '+3d', minutes: '60' }, new Date());

    proxy.loseAnswers();
    const failure = await connection.withDeadline(Date.now() + 3_000, () => bookSession(h.prisma, meetings, booking)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MeetingStartUnknownError);
    const { sessionId } = failure as MeetingStartUnknownError;
    expect(await h.prisma.session.count({ where: { id: sessionId } })).toBe(1);
    // The answer was lost, not the start: the workflow runs, and the reconciler will leave it alone.
    expect(await h.meetings.workflowStatus(sessionId)).toBe('RUNNING');
  } finally {
    await connection.close();
    await proxy.close();
  }

  const refusing = new SessionMeetings(new Client({ connection: h.env.connection, namespace: 'no-such-namespace' }), h.taskQueue);
  const student = `s-${randomUUID().slice(0, 8)}@example.com`;
  const refused = parseBooking({ title: 'Algebra', teacherEmail: `t-${student}`, studentEmail: student, start: '+3d', minutes: '60' }, new Date());
  await expect(bookSession(h.prisma, refusing, refused)).rejects.toThrow(/no-such-namespace/);
  expect(await h.prisma.user.count({ where: { email: student } })).toBe(0);
});

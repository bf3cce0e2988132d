import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSlackWebhookStandin } from '../../src/standins/slack';
import { useHarness } from '../support/harness';
import { TEST_DATABASE_URL } from '../support/env';
import { runEntry, spawnEntry } from '../support/processes';
import { waitFor } from '../support/wait';

// The production entry points as separate processes: `npm run worker` and `npm run cli`, configured by
// the environment alone, against the dev server, the test database and the stand-ins.

const h = useHarness({ server: 'dev-server' });
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  env = {
    DATABASE_URL: TEST_DATABASE_URL,
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_TASK_QUEUE: `processes-${randomUUID()}`,
    GOOGLE_CALENDAR_BASE_URL: h.google.url,
    RESEND_API_KEY: 're_process_test',
    RESEND_BASE_URL: h.resend.url,
    EMAIL_FROM: 'sessions@example.com',
    ADMIN_ALERT_EMAIL: 'ops@example.com',
    LOG_LEVEL: 'info',
    TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'true',
  };
});

test('book with the CLI, the worker process makes the link, status shows it, SIGTERM drains the worker', async () => {
  const worker = spawnEntry('src/worker/main.ts', [], env);
  await waitFor(async () => worker.output(), (out) => out.includes('worker started'), 30_000);

  const teacher = `t-${randomUUID().slice(0, 8)}@example.com`;
  const bookedAt = Date.now();
  const booked = await runEntry(
    'src/cli/main.ts',
    ['book', '--title', 'Algebra basics', '--teacher-email', teacher, '--student-email', `s-${teacher}`, '--start', '+1d', '--minutes', '45', '--teacher-tz', 'Europe/Berlin'],
    env,
  );
  expect(booked.stderr).toBe('');
  expect(booked.code).toBe(0);
  const sessionId = booked.stdout.trim();
  expect(sessionId).toMatch(/^[a-z0-9]{20,}$/);

  const row = await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId }, include: { teacher: true } }), (r) => r.meetingStatus === 'ACTIVE');
  expect(row.teacher).toMatchObject({ email: teacher, timeZone: 'Europe/Berlin', role: 'TEACHER' });
  expect(row.endTime.getTime() - row.startTime.getTime()).toBe(45 * 60_000);
  expect(row.startTime.getTime() - bookedAt).toBeGreaterThanOrEqual(86400_000);
  expect(row.startTime.getTime() - bookedAt).toBeLessThan(86400_000 + 60_000);

  const status = await runEntry('src/cli/main.ts', ['--json', 'status', sessionId], env);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ sessionId, meetingStatus: 'ACTIVE', meetingUrl: row.meetingUrl });

  worker.child.kill('SIGTERM');
  const stopped = await worker.finished;
  expect(stopped.code).toBe(0);
  const lines = stopped.stdout.trim().split('\n');
  expect(lines.every((line) => JSON.parse(line) !== null)).toBe(true); // every line structured
  expect(stopped.stdout).toContain('"msg":"search attributes ensured"'); // already registered: no error
  expect(stopped.stdout).toContain('"msg":"worker stopped"');
  expect(stopped.stdout).toContain('DRAINED');
  expect(stopped.stdout + stopped.stderr).not.toContain('re_process_test');
}, 90_000);

test('the worker process prunes its outbox at start, and when Resend refuses every email its alerts reach Slack', async () => {
  const slack = await startSlackWebhookStandin();
  const queue = `processes-outbox-${randomUUID()}`;
  const aged = await h.prisma.emailOutbox.create({
    data: { queue, sessionId: null, kind: 'admin-alert', occurrence: 'x', recipient: 'admin', key: `aged-${randomUUID()}`, fromAddress: 'a@example.com', toAddress: 'b@example.com', subject: 's', text: 't', html: 'h', status: 'SENT' },
  });
  await h.prisma.$executeRaw`UPDATE "EmailOutbox" SET "updatedAt" = now() - interval '2 days' WHERE "id" = ${aged.id}`;
  const worker = spawnEntry('src/worker/main.ts', [], { ...env, TEMPORAL_TASK_QUEUE: queue, SLACK_WEBHOOK_URL: slack.webhookUrl, EMAIL_OUTBOX_RETENTION: '1d' });
  try {
    await waitFor(async () => worker.output(), (out) => out.includes('worker started'), 30_000);
    await waitFor(() => h.prisma.emailOutbox.count({ where: { id: aged.id } }), (left) => left === 0);

    // Everything refused (an unverified domain, say): the pair, each alone, the two alerts together, each alone.
    h.resend.faults.add({ operation: 'batch', status: 422, times: 6 });
    const teacher = `t-${randomUUID().slice(0, 8)}@example.com`;
    const booked = await runEntry('src/cli/main.ts', ['book', '--title', 'Refused', '--teacher-email', teacher, '--student-email', `s-${teacher}`, '--start', '+1d'], { ...env, TEMPORAL_TASK_QUEUE: queue });
    const sessionId = booked.stdout.trim();
    const messages = await waitFor(async () => slack.messages(), (received) => received.length >= 2, 30_000);
    expect(messages.map((message) => message.text).sort()).toEqual([
      `The confirmation email to the student could not be sent: Resend refused it\nSession: ${sessionId}`,
      `The confirmation email to the teacher could not be sent: Resend refused it\nSession: ${sessionId}`,
    ]);
  } finally {
    h.resend.faults.clear();
    worker.child.kill('SIGTERM');
    await worker.finished;
    await slack.close();
  }
}, 90_000);

test('a bad booking is refused with every problem named, and nothing is written', async () => {
  const student = `s-${randomUUID().slice(0, 8)}@example.com`;
  const result = await runEntry('src/cli/main.ts', ['book', '--title', 'X', '--teacher-email', 'nope', '--student-email', student, '--start', '2020-01-01T10:00:00Z'], env);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--teacher-email "nope" is not an email address');
  expect(result.stderr).toContain('the session would already be over');
  expect(await h.prisma.user.count({ where: { email: student } })).toBe(0);
});

test('status of a session without a workflow says so', async () => {
  const result = await runEntry('src/cli/main.ts', ['status', 'no-such-session'], env);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('no meeting workflow exists for session no-such-session');
});

test('the CLI connects through a temporal.toml profile alone (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'profile-'));
  try {
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(file, `[profile.default]\naddress = "127.0.0.1:1"\n\n[profile.dev]\naddress = "${h.env.address}"\nnamespace = "default"\n`);
    const profileEnv = { ...env, TEMPORAL_ADDRESS: '', TEMPORAL_CONFIG_FILE: file };
    const viaDev = await runEntry('src/cli/main.ts', ['status', 'no-such-session'], { ...profileEnv, TEMPORAL_PROFILE: 'dev' });
    expect(viaDev.stderr).toContain('no meeting workflow exists for session no-such-session');
    expect(viaDev.code).toBe(2);
    const viaDefault = await runEntry('src/cli/main.ts', ['status', 'no-such-session'], profileEnv);
    expect(viaDefault.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
    expect(viaDefault.code).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when the workflow cannot be started, book removes what it wrote', async () => {
  const teacher = `t-${randomUUID().slice(0, 8)}@example.com`;
  const result = await runEntry(
    'src/cli/main.ts',
    ['book', '--title', 'X', '--teacher-email', teacher, '--student-email', `s-${teacher}`, '--start', new Date(Date.now() + 86400_000).toISOString()],
    { ...env, TEMPORAL_NAMESPACE: 'no-such-namespace' },
  );
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/no-such-namespace/);
  const written = { email: { in: [teacher, `s-${teacher}`] } };
  expect(await h.prisma.user.count({ where: written })).toBe(0);
  expect(await h.prisma.session.count({ where: { OR: [{ teacher: written }, { student: written }] } })).toBe(0);
});

test.each([
  ['DATABASE_URL', { DATABASE_URL: '' }],
  ['RESEND_API_KEY', { RESEND_API_KEY: '' }],
  ['MEETING_RETRY_BACKOFF', { MEETING_RETRY_BACKOFF: 'soon' }],
  // Once a crash inside the logger's construction, with no variable named.
  ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
  ['TEMPORAL_CONFIG_FILE', { TEMPORAL_CONFIG_FILE: path.join(tmpdir(), `no-such-${randomUUID()}.toml`) }],
])('the worker refuses to start without a good %s and names it', async (variable, override) => {
  const result = await runEntry('src/worker/main.ts', [], { ...env, ...override });
  expect(result.code).toBe(78);
  expect(JSON.parse(result.stdout.trim())).toMatchObject({ level: 60, variable, msg: expect.stringContaining(`bad configuration: ${variable}`) });
});

test.each([
  ['PostgreSQL', { DATABASE_URL: 'postgresql://worker:s3cret@127.0.0.1:1/session_meetings' }, 'cannot reach PostgreSQL at 127.0.0.1:1/session_meetings: connection refused'],
  ['Temporal', { TEMPORAL_ADDRESS: '127.0.0.1:1' }, 'cannot reach Temporal at 127.0.0.1:1: connection refused'],
])('the worker that cannot reach %s at start says where in one line and exits 69, no stack trace', async (_service, override, message) => {
  const result = await runEntry('src/worker/main.ts', [], { ...env, ...override });
  expect(result.code).toBe(69);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string });
  expect(lines.filter((line) => line.level >= 50)).toEqual([expect.objectContaining({ level: 60, msg: message })]);
  expect(result.stdout + result.stderr).not.toMatch(/s3cret|\n\s+at /);
});

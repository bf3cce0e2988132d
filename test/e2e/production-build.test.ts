import { execFileSync, type ExecFileSyncOptionsWithStringEncoding } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { TEST_DATABASE_URL } from '../support/env';
import { useHarness } from '../support/harness';
import { spawnProcess } from '../support/processes';
import { waitFor } from '../support/wait';

// The production path end to end: `npm run build` in a copy of the project, then a production-only
// install (`npm ci --omit=dev`: no tsx) of what the image holds,
// then `node dist/worker/main.js` and the compiled CLI serve a booking against the dev server.

const ROOT = path.resolve(__dirname, '../..');
const h = useHarness({ server: 'dev-server' });
let workdir: string;

afterAll(() => {
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

function copy(from: string, to: string, entries: string[]): void {
  for (const entry of entries) cpSync(path.join(from, entry), path.join(to, entry), { recursive: true });
}

test('npm run build, a production-only install, then node dist/worker/main.js makes a booking ACTIVE', async () => {
  workdir = mkdtempSync(path.join(tmpdir(), 'session-meetings-prod-'));
  const build = path.join(workdir, 'build');
  const app = path.join(workdir, 'app');
  mkdirSync(build);
  mkdirSync(app);
  const quiet: ExecFileSyncOptionsWithStringEncoding = { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' };

  copy(ROOT, build, ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'prisma.config.ts', 'prisma', 'src']);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(build, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: build, ...quiet });

  // What the image's runtime stage copies.
  copy(ROOT, app, ['package.json', 'package-lock.json', 'prisma.config.ts', 'prisma', 'src/local/defaults.ts', 'bin']);
  cpSync(path.join(build, 'dist'), path.join(app, 'dist'), { recursive: true });
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, ...quiet, env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL } });
  expect(() => require.resolve('tsx/cjs', { paths: [app] })).toThrow();

  const env = {
    DATABASE_URL: TEST_DATABASE_URL,
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_TASK_QUEUE: `production-${randomUUID()}`,
    GOOGLE_CALENDAR_BASE_URL: h.google.url,
    RESEND_API_KEY: 're_production_test',
    RESEND_BASE_URL: h.resend.url,
    EMAIL_FROM: 'sessions@example.com',
    ADMIN_ALERT_EMAIL: 'ops@example.com',
    TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'true',
  };
  const worker = spawnProcess(process.execPath, ['dist/worker/main.js'], { cwd: app, env });
  try {
    const started = await waitFor(async () => worker.output(), (out) => out.includes('worker started'), 30_000);
    expect(started).toContain('workflow code: the prebuilt bundle');

    const teacher = `t-${randomUUID().slice(0, 8)}@example.com`;
    const booked = await spawnProcess(
      process.execPath,
      ['bin/session-meetings', 'book', '--title', 'Production build', '--teacher-email', teacher, '--student-email', `s-${teacher}`, '--start', '+2d', '--minutes', '60'],
      { cwd: app, env },
    ).finished;
    expect(booked.stderr).toBe('');
    expect(booked.code).toBe(0);
    const sessionId = booked.stdout.trim();
    const row = await waitFor(() => h.prisma.session.findUniqueOrThrow({ where: { id: sessionId } }), (r) => r.meetingStatus === 'ACTIVE');
    expect(row.meetingUrl).toMatch(/^https:\/\/meet\.google\.com\//);
  } finally {
    worker.child.kill('SIGTERM');
  }
  const stopped = await worker.finished;
  expect(stopped.code).toBe(0);
  expect(stopped.stdout).toContain('"msg":"worker stopped"');
}, 240_000);

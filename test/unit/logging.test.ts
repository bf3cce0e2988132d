import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** What a fresh process prints for one log line under the given LOG_FORMAT. */
function logLine(logFormat: string | undefined): string {
  const script = "require('./src/logging').createLogger('worker').info({ taskQueue: 'q' }, 'worker started')";
  const env = { ...process.env, LOG_FORMAT: logFormat };
  if (logFormat === undefined) delete env.LOG_FORMAT;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env, encoding: 'utf8' }).stdout;
}

test('logs are JSON lines by default (production), readable lines with LOG_FORMAT=pretty (npm start)', () => {
  expect(JSON.parse(logLine(undefined))).toMatchObject({ name: 'worker', msg: 'worker started', taskQueue: 'q', level: 30 });
  const pretty = logLine('pretty');
  expect(pretty).toMatch(/^\[\d\d:\d\d:\d\d\] INFO \(worker\): worker started\n\s+taskQueue: "q"\n$/);
});

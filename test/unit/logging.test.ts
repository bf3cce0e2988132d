import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** What a fresh process prints for one log line under the given LOG_FORMAT (and LOG_LEVEL). */
function logLine(logFormat: string | undefined, logLevel?: string): string {
  const script = "require('./src/logging').createLogger('worker').info({ taskQueue: 'q' }, 'worker started')";
  const env = { ...process.env, LOG_FORMAT: logFormat, LOG_LEVEL: logLevel };
  if (logFormat === undefined) delete env.LOG_FORMAT;
  if (logLevel === undefined) delete env.LOG_LEVEL;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env, encoding: 'utf8' }).stdout;
}

test('logs are JSON lines by default (production), readable lines with LOG_FORMAT=pretty (npm start)', () => {
  expect(JSON.parse(logLine(undefined))).toMatchObject({ name: 'worker', msg: 'worker started', taskQueue: 'q', level: 30 });
  const pretty = logLine('pretty');
  expect(pretty).toMatch(/^\[\d\d:\d\d:\d\d\] INFO \(worker\): worker started\n\s+taskQueue: "q"\n$/);
});

test('a bad log setting does not stop the logger (the worker refuses it as bad configuration); a good one applies', () => {
  expect(JSON.parse(logLine('xml', 'verbose'))).toMatchObject({ msg: 'worker started', level: 30 });
  expect(logLine(undefined, 'WARN')).toBe('');
});

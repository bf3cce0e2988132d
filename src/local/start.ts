// `npm start`: the whole thing on one machine. A Temporal dev server with its UI (unless
// TEMPORAL_ADDRESS is set), the database migrated, local Google/Resend stand-ins when no credentials
// are set, and the worker.
import './pretty-logs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadOpsConfig } from '../config/ops-config';
import { ConfigError } from '../config/env';
import { loadWorkerConfig } from '../config/worker-config';
import { loadLogSettings } from '../config/log-settings';
import { formatDuration } from '../domain/durations';
import { createLogger } from '../logging';
import { startGoogleCalendarStandin } from '../standins/google-calendar';
import { startResendStandin } from '../standins/resend';
import { runWorkerFromConfig } from '../worker/main';
import { installSdkRuntime } from '../worker/sdk-runtime';
import { HEALTH_SCHEDULE_ID, SEARCH_ATTRIBUTES } from '../workflows/contract';
import { prepareDatabase } from './database';
import {
  LOCAL_DATABASE_URL,
  LOCAL_GOOGLE_STANDIN_PORT,
  LOCAL_HEALTH_ADDRESS,
  LOCAL_METRICS_ADDRESS,
  LOCAL_RESEND_STANDIN_PORT,
  LOCAL_TEMPORAL_PORT,
  LOCAL_TEMPORAL_UI_PORT,
} from './defaults';
import { findTemporalExecutable } from './temporal-binaries';

const logger = createLogger('start');

async function main(): Promise<void> {
  const env = process.env;
  env.METRICS_ADDRESS ??= LOCAL_METRICS_ADDRESS;
  env.HEALTH_ADDRESS ??= LOCAL_HEALTH_ADDRESS;
  const ops = loadOpsConfig(env);
  const logging = loadLogSettings(env);
  // Before the dev server's connection: the runtime is process-wide and installed once.
  const runtime = await installSdkRuntime(logger, { metrics: ops.metricsAddress !== undefined, level: logging.temporalLevel });
  const cleanups: Array<() => Promise<void>> = [];
  const lines: string[] = [];

  env.DATABASE_URL ??= LOCAL_DATABASE_URL;
  await prepareDatabase(env.DATABASE_URL);
  lines.push(`database        ${redactUrl(env.DATABASE_URL)} (migrated)`);

  if (!env.TEMPORAL_ADDRESS) {
    const stateDir = path.resolve('.local');
    mkdirSync(stateDir, { recursive: true });
    const temporal = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: findTemporalExecutable('cli'),
        ip: '127.0.0.1',
        port: LOCAL_TEMPORAL_PORT,
        ui: true,
        uiPort: LOCAL_TEMPORAL_UI_PORT,
        dbFilename: path.join(stateDir, 'temporal.sqlite'), // workflows survive a restart
        searchAttributes: SEARCH_ATTRIBUTES,
        log: { format: 'pretty', level: 'warn' },
      },
    });
    cleanups.push(() => temporal.teardown());
    env.TEMPORAL_ADDRESS = `127.0.0.1:${LOCAL_TEMPORAL_PORT}`;
    lines.push(`Temporal        ${env.TEMPORAL_ADDRESS} (dev server, state in .local/)`);
    lines.push(`Temporal UI     http://localhost:${LOCAL_TEMPORAL_UI_PORT}`);
  } else {
    lines.push(`Temporal        ${env.TEMPORAL_ADDRESS}`);
  }

  if (!env.GOOGLE_CALENDAR_BASE_URL && !env.GOOGLE_SERVICE_ACCOUNT_KEY_PATH && !env.GOOGLE_SERVICE_ACCOUNT_KEY) {
    const google = await startGoogleCalendarStandin({ port: LOCAL_GOOGLE_STANDIN_PORT });
    cleanups.push(() => google.close());
    env.GOOGLE_CALENDAR_BASE_URL = google.url;
    lines.push(`Google Calendar ${google.url} (stand-in; events at ${google.url}/__standin/events)`);
  }
  if (!env.RESEND_API_KEY) {
    const resend = await startResendStandin({ port: LOCAL_RESEND_STANDIN_PORT });
    cleanups.push(() => resend.close());
    env.RESEND_API_KEY = 're_local_standin';
    env.RESEND_BASE_URL = resend.url;
    lines.push(`Resend          ${resend.url} (stand-in; sent emails at ${resend.url}/__standin/emails)`);
  }
  env.EMAIL_FROM ??= 'Sessions <sessions@example.com>';
  env.ADMIN_ALERT_EMAIL ??= 'admin@example.com';

  if (ops.metricsAddress) lines.push(`Metrics         http://${ops.metricsAddress}/metrics`);
  if (ops.healthAddress) lines.push(`Health          http://${ops.healthAddress}/healthz and /readyz`);

  const config = loadWorkerConfig(env);
  lines.push(
    config.health.intervalMs === null
      ? 'Health monitor  off (MEETING_HEALTH_INTERVAL=off)'
      : `Health monitor  every ${formatDuration(config.health.intervalMs)}: schedule ${HEALTH_SCHEDULE_ID} (Temporal UI, Schedules)`,
  );
  process.stdout.write(
    [
      '',
      'session-meetings is running',
      ...lines.map((line) => `  ${line}`),
      '',
      'Book a session (in another terminal):',
      '  npm run cli -- book --title "Algebra basics" --teacher-email t@example.com --student-email s@example.com --start +2d --minutes 60',
      'Then:',
      '  npm run cli -- status <session id>',
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  try {
    await runWorkerFromConfig(config, { ...ops, ...runtime });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => logger.warn({ err: error }, 'cleanup failed'));
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) logger.fatal({ variable: error.variable }, `bad configuration: ${error.message}`);
  else logger.fatal({ err: error }, 'npm start failed');
  process.exit(1);
});

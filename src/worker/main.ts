// `npm run worker`: the production entry point, configured by the environment alone.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createPrismaClient } from '../adapters/database';
import { createCalendarApi } from '../adapters/google-calendar';
import { createResendClient } from '../adapters/resend';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from '../config/worker-config';
import { createLogger } from '../logging';
import { HEALTH_SCHEDULE_ID } from '../workflows/contract';
import { connectionOptions } from './connection-options';
import { ensureHealthSchedule } from './health-schedule';
import { ensureSearchAttributes } from './search-attributes';
import { installSdkLogging } from './sdk-logging';
import { createSessionMeetingWorkers, runWorkers } from './workers';

const logger = createLogger('worker');

export async function runWorkerFromConfig(config: WorkerConfig): Promise<void> {
  const prisma = createPrismaClient(config.databaseUrl);
  const connection = await NativeConnection.connect(connectionOptions(config.temporal));
  let clientConnection: Connection | undefined;
  try {
    // Schedules and the reconciler's starts go through a client, which needs its own connection.
    clientConnection = await Connection.connect(connectionOptions(config.temporal));
    const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
    if (config.temporal.registerSearchAttributes) {
      const searchAttributes = await ensureSearchAttributes(connection, config.temporal.namespace);
      logger.info({ searchAttributes }, 'search attributes ensured');
    }
    const workers = await createSessionMeetingWorkers({
      connection,
      client,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      googleCallsPerSecond: config.google.callsPerSecond,
      deps: {
        prisma,
        calendar: createCalendarApi(config.google),
        calendarId: config.google.calendarId,
        resend: createResendClient(config.resend),
        from: config.email.from,
        adminAlertEmail: config.email.adminAlertEmail,
        slackWebhookUrl: config.email.slackWebhookUrl,
        meetingPolicy: config.meeting,
      },
    });
    try {
      const schedule = await ensureHealthSchedule(client, config.temporal.taskQueue, config.health);
      logger.info({ scheduleId: HEALTH_SCHEDULE_ID, schedule, intervalMs: config.health.intervalMs }, 'health monitor schedule ensured');
    } catch (error) {
      // Meetings do not depend on the monitor: the worker goes on, and says loudly that it runs without.
      logger.error({ err: error, scheduleId: HEALTH_SCHEDULE_ID }, 'health monitor schedule could not be ensured');
    }
    logger.info(
      {
        address: config.temporal.address,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        google: config.google.baseUrl ? `stand-in at ${config.google.baseUrl}` : 'Google Calendar API',
        retryBackoffMs: config.meeting.retryBackoffMs,
      },
      'worker started; SIGTERM or SIGINT drains it',
    );
    // The SDK turns SIGTERM/SIGINT into a graceful shutdown: no new tasks, running ones finish.
    await runWorkers(workers);
    logger.info('worker stopped');
  } finally {
    await clientConnection?.close();
    await connection.close();
    await prisma.$disconnect();
  }
}

if (require.main === module) {
  installSdkLogging(logger);
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal({ variable: error.variable }, `bad configuration: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  runWorkerFromConfig(config).catch((error: unknown) => {
    logger.fatal({ err: error }, 'worker failed');
    process.exit(1);
  });
}

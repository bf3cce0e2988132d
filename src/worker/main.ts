// `npm run worker`: the production entry point, configured by the environment alone.
import { NativeConnection } from '@temporalio/worker';
import { createPrismaClient } from '../adapters/database';
import { createCalendarApi } from '../adapters/google-calendar';
import { createResendClient } from '../adapters/resend';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from '../config/worker-config';
import { createLogger } from '../logging';
import { connectionOptions } from './connection-options';
import { ensureSearchAttributes } from './search-attributes';
import { installSdkLogging } from './sdk-logging';
import { checkDatabase, connectTemporal, UnreachableError } from '../adapters/reachability';
import { createSessionMeetingWorkers, runWorkers } from './workers';

const logger = createLogger('worker');

export async function runWorkerFromConfig(config: WorkerConfig): Promise<void> {
  await checkDatabase(config.databaseUrl);
  const connection = await connectTemporal(config.temporal.address, () => NativeConnection.connect(connectionOptions(config.temporal)));
  const prisma = createPrismaClient(config.databaseUrl);
  try {
    if (config.temporal.registerSearchAttributes) {
      const searchAttributes = await ensureSearchAttributes(connection, config.temporal.namespace);
      logger.info({ searchAttributes }, 'search attributes ensured');
    }
    const workers = await createSessionMeetingWorkers({
      connection,
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
    if (error instanceof UnreachableError) {
      logger.fatal({ service: error.service, address: error.address }, error.message);
      process.exit(69); // EX_UNAVAILABLE
    }
    logger.fatal({ err: error }, 'worker failed');
    process.exit(1);
  });
}

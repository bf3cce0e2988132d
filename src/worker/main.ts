// `npm run worker`: the production entry point, configured by the environment alone.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createPrismaClient } from '../adapters/database';
import { createCalendarApi } from '../adapters/google-calendar';
import { checkDatabase, connectTemporal, UnreachableError } from '../adapters/reachability';
import { sharedRateBudget } from '../adapters/rate-budget';
import { createResendClient } from '../adapters/resend';
import { loadOpsConfig, type OpsConfig } from '../config/ops-config';
import { ConfigError } from '../config/env';
import { loadWorkerConfig, type WorkerConfig } from '../config/worker-config';
import { startEmailDrainer, type EmailDrainer } from '../email-outbox/drainer';
import { createLogger } from '../logging';
import { createProjectMetrics } from '../metrics/registry';
import { startMetricsServer } from '../metrics/server';
import { HEALTH_SCHEDULE_ID } from '../workflows/contract';
import { ensureHealthSchedule } from './health-schedule';
import { startHealthServer } from './health-server';
import type { ListeningServer } from './http-listen';
import { limitHeapGrowth } from './heap-growth';
import { ensureSearchAttributes } from './search-attributes';
import { installSdkRuntime, type SdkRuntime } from './sdk-runtime';
import { workflowBundleForWorker } from './workflow-bundle';
import { createSessionMeetingWorkers, googleBudgetName, runWorkers, shutdownGraceMs } from './workers';

const logger = createLogger('worker');

export async function runWorkerFromConfig(
  config: WorkerConfig,
  ops: OpsConfig & SdkRuntime = { metricsAddress: undefined, healthAddress: undefined, sdkMetricsUrl: undefined },
): Promise<void> {
  limitHeapGrowth(config.limits.heapGrowingPercent);
  await checkDatabase(config.databaseUrl);
  const connection = await connectTemporal(config.temporal.connection.address, () => NativeConnection.connect(config.temporal.connection));
  const prisma = createPrismaClient(config.databaseUrl);
  let clientConnection: Connection | undefined;
  const servers: ListeningServer[] = [];
  let drainer: EmailDrainer | undefined;
  try {
    // Schedules and the reconciler's starts go through a client, which needs its own connection.
    clientConnection = await Connection.connect(config.temporal.connection);
    const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
    if (config.temporal.registerSearchAttributes) {
      const searchAttributes = await ensureSearchAttributes(connection, config.temporal.namespace);
      logger.info({ searchAttributes }, 'search attributes ensured');
    }
    const metrics = ops.metricsAddress ? createProjectMetrics(prisma, config.temporal.taskQueue) : undefined;
    const resend = createResendClient(config.resend);
    const resendBudget = sharedRateBudget(prisma, 'resend', config.resend.requestsPerSecond);
    const email = config.email;
    drainer = startEmailDrainer({ prisma, queue: config.temporal.taskQueue, resend, budget: resendBudget, from: email.from, adminAlertEmail: email.adminAlertEmail, slackWebhookUrl: email.slackWebhookUrl, retentionMs: email.outboxRetentionMs, logger: createLogger('email-outbox'), metrics: metrics?.recorder });
    const workers = await createSessionMeetingWorkers({
      connection,
      client,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: await workflowBundleForWorker(logger),
      shutdownGraceTimeMs: shutdownGraceMs(config.meeting),
      limits: config.limits,
      deps: {
        metrics: metrics?.recorder,
        prisma,
        calendar: createCalendarApi(config.google),
        calendarId: config.google.calendarId,
        googleBudget: sharedRateBudget(prisma, googleBudgetName(config.temporal.taskQueue), config.google.callsPerSecond),
        resend,
        resendBudget,
        wakeEmailDrainer: drainer.wake,
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
    if (metrics && ops.metricsAddress) {
      const server = await startMetricsServer({ address: ops.metricsAddress, registry: metrics.registry, sdkMetricsUrl: ops.sdkMetricsUrl, logger });
      servers.push(server);
      logger.info({ metricsUrl: `${server.url}/metrics` }, 'serving metrics');
    }
    if (ops.healthAddress) {
      const server = await startHealthServer(ops.healthAddress, { workers, connection, prisma });
      servers.push(server);
      logger.info({ healthUrl: server.url }, 'serving /healthz and /readyz');
    }
    logger.info(
      {
        address: config.temporal.connection.address,
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
    // After the workers: the last local activities may still have queued emails.
    await drainer?.stop();
    await clientConnection?.close();
    await Promise.all(servers.map((server) => server.close()));
    await connection.close();
    await prisma.$disconnect();
  }
}

if (require.main === module) {
  let config: WorkerConfig;
  let ops: OpsConfig;
  try {
    config = loadWorkerConfig();
    ops = loadOpsConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal({ variable: error.variable }, `bad configuration: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  installSdkRuntime(logger, { metrics: ops.metricsAddress !== undefined, level: config.logging.temporalLevel })
    .then((runtime) => runWorkerFromConfig(config, { ...ops, ...runtime }))
    .catch((error: unknown) => {
      if (error instanceof ConfigError) {
        logger.fatal({ variable: error.variable }, `bad configuration: ${error.message}`);
        process.exit(78); // EX_CONFIG
      }
      if (error instanceof UnreachableError) {
        logger.fatal({ service: error.service, address: error.address }, error.message);
        process.exit(69); // EX_UNAVAILABLE
      }
      logger.fatal({ err: error }, 'worker failed');
      process.exit(1);
    });
}

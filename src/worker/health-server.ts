import type { PrismaClient } from '@prisma/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { listenOn, type ListeningServer } from './http-listen';

/** How long /readyz waits for Temporal and PostgreSQL: a probe must answer before its own timeout. */
const READINESS_TIMEOUT_MS = 2_000;

export interface HealthChecks {
  workers: Worker[];
  connection: NativeConnection;
  prisma: PrismaClient;
}

type CheckResult = 'ok' | string;

/**
 * `/healthz`: the process and every worker are running (a restart is the cure when not).
 * `/readyz`: Temporal and PostgreSQL answer (the worker can do its work), 503 naming what failed.
 */
export async function startHealthServer(address: string, checks: HealthChecks): Promise<ListeningServer> {
  return listenOn(address, async (request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method !== 'GET' || (path !== '/healthz' && path !== '/readyz')) {
      response.writeHead(404).end();
      return;
    }
    const results: Record<string, CheckResult> =
      path === '/healthz'
        ? { workers: workersRunning(checks.workers) }
        : {
            temporal: await withinTimeout(() => checks.connection.healthService.check({})),
            database: await withinTimeout(() => checks.prisma.$queryRaw`SELECT 1`),
          };
    const healthy = Object.values(results).every((result) => result === 'ok');
    response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    response.end(`${JSON.stringify({ status: healthy ? 'ok' : 'failing', checks: results })}\n`);
  });
}

function workersRunning(workers: Worker[]): CheckResult {
  const notRunning = workers.filter((worker) => worker.getState() !== 'RUNNING');
  return notRunning.length === 0 ? 'ok' : notRunning.map((worker) => `${worker.options.taskQueue}: ${worker.getState()}`).join(', ');
}

async function withinTimeout(check: () => Promise<unknown>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${READINESS_TIMEOUT_MS} ms`), READINESS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => 'ok' as const), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
  } finally {
    clearTimeout(timer);
  }
}

import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from '../logging';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Sends the Temporal SDK's own logs (worker, workflow and activity loggers) through our structured
 * logger, so every line the process writes is JSON. Call before anything else touches Temporal.
 */
export function installSdkLogging(logger: Logger): void {
  const sdk = logger.child({ component: 'temporal' });
  const level = (process.env.TEMPORAL_LOG_LEVEL?.toUpperCase() ?? 'INFO') as keyof typeof LEVELS;
  Runtime.install({
    logger: new DefaultLogger(level in LEVELS ? level : 'INFO', (entry: LogEntry) => {
      sdk[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
  });
}

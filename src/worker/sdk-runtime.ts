import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogSettings } from '../config/log-settings';
import type { Logger } from '../logging';
import { freeLoopbackPort } from './http-listen';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export interface SdkRuntime {
  /** Where the SDK's own Prometheus exporter serves (loopback only), when metrics are on. */
  sdkMetricsUrl: string | undefined;
}

/**
 * Installs the Temporal SDK's process-wide runtime, once, before anything connects: its logs (worker,
 * workflow and activity loggers) go through our structured logger, and with `metrics` its Prometheus
 * exporter listens on a loopback port, read by our `/metrics` server at each scrape.
 */
export async function installSdkRuntime(logger: Logger, options: { metrics: boolean; level: LogSettings['temporalLevel'] }): Promise<SdkRuntime> {
  const sdk = logger.child({ component: 'temporal' });
  const bindAddress = options.metrics ? `127.0.0.1:${await freeLoopbackPort()}` : undefined;
  Runtime.install({
    // The settings allow only the SDK's own levels, in lower case.
    logger: new DefaultLogger(options.level.toUpperCase() as keyof typeof LEVELS, (entry: LogEntry) => {
      sdk[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
    ...(bindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {}),
  });
  return { sdkMetricsUrl: bindAddress ? `http://${bindAddress}/metrics` : undefined };
}

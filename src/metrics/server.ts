import type { Registry } from 'prom-client';
import type { Logger } from '../logging';
import { listenOn, type ListeningServer } from '../worker/http-listen';

const SDK_SCRAPE_TIMEOUT_MS = 5_000;

export interface MetricsServerOptions {
  /** `host:port` to serve `/metrics` on (port 0: any free port). */
  address: string;
  registry: Registry;
  /** The Temporal SDK's own exporter on loopback, whose text is served alongside ours. */
  sdkMetricsUrl: string | undefined;
  logger: Logger;
}

/**
 * Serves Prometheus text at `/metrics`: the Temporal SDK's metrics (fetched from its exporter at each
 * scrape) followed by the project's registry, whose gauges read the database as they are collected.
 * The SDK's exporter cannot compute a value at scrape time, hence this one front door for both.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<ListeningServer> {
  const { registry, sdkMetricsUrl, logger } = options;
  return listenOn(options.address, async (request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    let sdkText = '';
    if (sdkMetricsUrl) {
      try {
        const sdk = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
        sdkText = await sdk.text();
      } catch (error) {
        logger.warn({ err: error }, 'the Temporal SDK metrics could not be read; serving the project metrics alone');
      }
    }
    try {
      const ours = await registry.metrics();
      response.writeHead(200, { 'content-type': registry.contentType });
      response.end(`${sdkText}${sdkText && !sdkText.endsWith('\n') ? '\n' : ''}${ours}`);
    } catch (error) {
      logger.warn({ err: error }, 'metrics could not be collected');
      response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n');
    }
  });
}

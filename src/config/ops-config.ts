import { parseListenAddress } from '../worker/http-listen';
import { ConfigError } from './worker-config';

/** Where the worker serves its operational endpoints; each is off when its variable is unset. */
export interface OpsConfig {
  /** `METRICS_ADDRESS`: Prometheus text at `/metrics`. */
  metricsAddress: string | undefined;
  /** `HEALTH_ADDRESS`: `/healthz` and `/readyz`. */
  healthAddress: string | undefined;
}

export function loadOpsConfig(env: Record<string, string | undefined> = process.env): OpsConfig {
  return { metricsAddress: listenAddress(env, 'METRICS_ADDRESS'), healthAddress: listenAddress(env, 'HEALTH_ADDRESS') };
}

function listenAddress(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  try {
    parseListenAddress(value);
  } catch {
    throw new ConfigError(name, `"${value}" is not host:port (e.g. 127.0.0.1:9464, or 0.0.0.0:9464 in a container)`);
  }
  return value;
}

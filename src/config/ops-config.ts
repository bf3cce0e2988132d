import { type Env, listenAddress, readEnv, section } from './env';

/** Where the worker serves its operational endpoints; each is off when its variable is unset. */
export interface OpsConfig {
  /** `METRICS_ADDRESS`: Prometheus text at `/metrics`. */
  metricsAddress: string | undefined;
  /** `HEALTH_ADDRESS`: `/healthz` and `/readyz`. */
  healthAddress: string | undefined;
}

const ops = section({
  metricsAddress: ['METRICS_ADDRESS', listenAddress()],
  healthAddress: ['HEALTH_ADDRESS', listenAddress()],
});

export function loadOpsConfig(env: Env = process.env): OpsConfig {
  return readEnv(ops, env);
}

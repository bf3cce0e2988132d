import { readFileSync } from 'node:fs';
import type { TemporalConfig } from '../config/worker-config';

/** Connection options for a worker or client: plain, TLS, mTLS, or an API key (Temporal Cloud). */
export function connectionOptions(config: TemporalConfig) {
  return {
    address: config.address,
    apiKey: config.apiKey,
    tls:
      typeof config.tls === 'object'
        ? { clientCertPair: { crt: readFileSync(config.tls.certPath), key: readFileSync(config.tls.keyPath) } }
        : config.tls,
  };
}

import type { Metadata, TLSConfig } from '@temporalio/client';
import { type ClientConfigProfile, loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import { readFileSync } from 'node:fs';
import { DEFAULT_TASK_QUEUE } from '../workflows/contract';
import { ConfigError, type Env, flag, optionalFlag, readEnv, section, text } from './env';

// Where and how to reach Temporal comes from the SDK's own loader (`@temporalio/envconfig`), as the
// `temporal` CLI reads it: a `temporal.toml` profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE),
// overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS,
// TEMPORAL_TLS_CLIENT_CERT_PATH / _KEY_PATH and the rest of envconfig's variables. The task queue and
// the project's own settings are read here.

/** What `NativeConnection.connect` (worker) and `Connection.connect` (client) both take. */
export interface TemporalConnectionOptions {
  address: string;
  apiKey?: string;
  /** true or a TLS config: TLS on; false or unset: plain. */
  tls?: TLSConfig | boolean;
  /** gRPC headers (TEMPORAL_GRPC_META_*, the profile's grpc_meta). */
  metadata?: Metadata;
}

export interface TemporalConfig {
  connection: TemporalConnectionOptions;
  namespace: string;
  taskQueue: string;
  /** Register the search attributes at start (self-hosted clusters such as docker-compose's). */
  registerSearchAttributes: boolean;
}

/** The names this project documented for mTLS before it used envconfig, and envconfig's for them. */
const FORMER_NAMES = {
  TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
} as const;

const temporal = section({
  taskQueue: ['TEMPORAL_TASK_QUEUE', text(DEFAULT_TASK_QUEUE)],
  registerSearchAttributes: ['TEMPORAL_REGISTER_SEARCH_ATTRIBUTES', flag(false)],
  // envconfig reads it too, but takes anything but `1` and `true` as false: a typo would turn TLS off.
  tls: ['TEMPORAL_TLS', optionalFlag()],
});

export function loadTemporalConfig(env: Env = process.env): TemporalConfig {
  const { taskQueue, registerSearchAttributes, tls } = readEnv(temporal, env);
  const variables = envconfigVariables(env, tls);
  const profile = loadProfile(variables);
  const mtls = profile.tls;
  if (mtls && (mtls.clientCert === undefined) !== (mtls.clientKey === undefined)) {
    const missing = mtls.clientCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH';
    const named = formerNameUsed(env) ? formerName(missing) : missing;
    throw new ConfigError(named, 'mTLS needs both a client certificate and its key: set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or their _DATA forms, or both in the profile)');
  }
  const { connectionOptions, namespace } = withFileProblemsNamed(env, () => toClientOptions(profile));
  return {
    connection: {
      address: connectionOptions.address ?? 'localhost:7233',
      apiKey: connectionOptions.apiKey,
      tls: connectionOptions.tls ?? undefined,
      metadata: connectionOptions.metadata,
    },
    namespace: namespace ?? 'default',
    taskQueue,
    registerSearchAttributes,
  };
}

/**
 * The environment as envconfig should see it: values trimmed and empty ones unset (as for every
 * other variable here; an empty `TEMPORAL_GRPC_META_*` keeps its meaning, removing a profile's
 * header), TEMPORAL_TLS as checked, and the former mTLS names under envconfig's.
 */
function envconfigVariables(env: Env, tls: boolean | undefined): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value.trim() !== '' || name.startsWith('TEMPORAL_GRPC_META_')) variables[name] = value.trim();
  }
  if (tls !== undefined) variables.TEMPORAL_TLS = String(tls);
  for (const [former, current] of Object.entries(FORMER_NAMES)) {
    const value = variables[former];
    if (value === undefined) continue;
    if (variables[current] !== undefined && variables[current] !== value) {
      throw new ConfigError(former, `is the former name of ${current}, and both are set, to different files: keep ${current}`);
    }
    variables[current] = value;
    delete variables[former];
  }
  return variables;
}

function loadProfile(variables: Record<string, string>): ClientConfigProfile {
  const file = variables.TEMPORAL_CONFIG_FILE;
  let data: string | undefined;
  if (file !== undefined) {
    // envconfig passes over a missing file in silence; one named explicitly must be there.
    try {
      data = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError('TEMPORAL_CONFIG_FILE', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  try {
    return loadClientConfigProfile({ overrideEnvVars: variables, ...(data !== undefined && { configSource: { data } }) });
  } catch (error) {
    const message = firstLine(error);
    if (/^Profile '.*' not found/.test(message)) throw new ConfigError('TEMPORAL_PROFILE', `no profile "${variables.TEMPORAL_PROFILE}" in the Temporal config file`);
    // A TOML error quotes the lines around it, which may hold an API key: only its first line is said.
    throw new ConfigError('TEMPORAL_CONFIG_FILE', `the Temporal config file cannot be used: ${message}`);
  }
}

/** envconfig reads certificate and key files as it builds the options: a missing one is named. */
function withFileProblemsNamed<T>(env: Env, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const path = (error as NodeJS.ErrnoException).path;
    if (path === undefined) throw error;
    const variable = Object.keys(env).find((name) => /^TEMPORAL_TLS_.*_PATH$/.test(name) && env[name]?.trim() === path) ?? 'TEMPORAL_CONFIG_FILE';
    throw new ConfigError(variable, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function formerNameUsed(env: Env): boolean {
  return Object.keys(FORMER_NAMES).some((name) => env[name]?.trim());
}

function formerName(current: string): string {
  return Object.entries(FORMER_NAMES).find(([, name]) => name === current)?.[0] ?? current;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

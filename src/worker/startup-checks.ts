import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { Client } from 'pg';

/** A dependency the worker cannot reach at start: said in one line, naming its address. */
export class UnreachableAtStartError extends Error {
  constructor(
    readonly service: 'PostgreSQL' | 'Temporal',
    readonly address: string,
    reason: string,
  ) {
    super(`cannot reach ${service} at ${address}: ${reason}`);
    this.name = 'UnreachableAtStartError';
  }
}

const CONNECT_TIMEOUT_MS = 10_000;

/** host:port/database of a PostgreSQL URL: never its user or password. */
export function databaseAddress(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

/** One round trip to PostgreSQL, so that a wrong DATABASE_URL stops the worker now, not at its first task. */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new UnreachableAtStartError('PostgreSQL', databaseAddress(databaseUrl), firstLine(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function connectTemporal(options: NativeConnectionOptions & { address: string }): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(options);
  } catch (error) {
    throw new UnreachableAtStartError('Temporal', options.address, firstLine(error));
  }
}

function firstLine(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // tonic's errors nest the OS reason deep inside; keep what a person needs.
  const refused = /Connection refused|ECONNREFUSED/.test(message) ? 'connection refused' : undefined;
  return refused ?? ((typeof code === 'string' ? `${code} ${message}` : message).split('\n')[0] ?? '').slice(0, 200);
}

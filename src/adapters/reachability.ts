import { Client } from 'pg';

/** A dependency that cannot be reached: said in one line, naming its address (never credentials). */
export class UnreachableError extends Error {
  constructor(
    readonly service: 'PostgreSQL' | 'Temporal',
    readonly address: string,
    reason: string,
  ) {
    super(`cannot reach ${service} at ${address}: ${reason}`);
    this.name = 'UnreachableError';
  }
}

const CONNECT_TIMEOUT_MS = 10_000;

/** host:port/database of a PostgreSQL URL: never its user or password. */
export function databaseAddress(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

/** One round trip to PostgreSQL, so that a wrong DATABASE_URL is said at once, not at the first task or query. */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new UnreachableError('PostgreSQL', databaseAddress(databaseUrl), firstLine(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects to Temporal (the worker's or the client's connection), or says which address did not answer. */
export async function connectTemporal<T>(address: string, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (error) {
    throw new UnreachableError('Temporal', address, firstLine(error));
  }
}

function firstLine(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // tonic's errors nest the OS reason deep inside; keep what a person needs.
  const refused = /Connection refused|ECONNREFUSED/.test(message) ? 'connection refused' : undefined;
  return refused ?? ((typeof code === 'string' ? `${code} ${message}` : message).split('\n')[0] ?? '').slice(0, 200);
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findTemporalExecutable } from '../../src/local/temporal-binaries';
import type { Harness } from './harness';

/** The `temporal` CLI against the harness's server, as an admin types it; answers its stdout. */
export async function temporalCli(h: Harness, ...args: string[]): Promise<string> {
  const cli = findTemporalExecutable('cli');
  if (cli.type !== 'existing-path') throw new Error('the temporal CLI is not installed (pip install -r requirements-temporal.txt)');
  const { stdout } = await promisify(execFile)(cli.path, [...args, '--address', h.env.address, '--namespace', h.env.namespace ?? 'default'], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

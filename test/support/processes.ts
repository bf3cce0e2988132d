import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = require.resolve('tsx/cli');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Spawned {
  child: ChildProcess;
  finished: Promise<Finished>;
  output: () => string;
}

/** Runs one of the project's entry points (a TypeScript file under src/) as its own process. */
export function spawnEntry(entry: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  return spawnProcess(process.execPath, [TSX, path.join(ROOT, entry), ...args], { cwd: ROOT, env });
}

/** Runs a command with `env` added to ours, collecting its output. */
export function spawnProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Spawned {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, finished, output: () => stdout + stderr };
}

export async function runEntry(entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  return spawnEntry(entry, args, env).finished;
}

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

const ROOT = path.resolve(__dirname, '..');
// TypeScript through tsx's loader inside the one node process (not tsx's CLI, which runs a child):
// a signal reaches the process meant, and its memory is the worker's own.
const TS_LOADER = ['--import', 'tsx'];

/**
 * A child process in its own process group, so a kill reaches it and its children (tsx runs the
 * entry point in a child of its own), with its output appended to a log file.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: WriteStream;
  private output = '';
  private stopping = false;
  /** Restarts after the process exited on its own, as a supervisor (Docker, Kubernetes) would. */
  restarts = 0;
  supervised = false;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const child = spawn(this.command, this.args, { cwd: ROOT, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream?.pipe(this.log, { end: false });
      stream?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
    }
    this.log.write(`--- ${new Date().toISOString()} ${this.name} started (pid ${child.pid})\n`);
    this.stopping = false;
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
    child.on('exit', (code, signal) => {
      if (this.stopping || !this.supervised) return;
      this.log.write(`--- ${new Date().toISOString()} ${this.name} exited on its own (${signal ?? code}); restarting in 1 s\n`);
      this.restarts += 1;
      setTimeout(() => this.stopping || this.start(), 1_000);
    });
    this.child = child;
  }

  /** The local ports of the TCP connections that the process (and its children) hold open. */
  openPorts(): Set<number> {
    const pid = this.child?.pid;
    if (pid === undefined) return new Set();
    try {
      const pids = new Set(execFileSync('pgrep', ['-g', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean));
      const sockets = execFileSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' }).split('\n');
      const ports = sockets
        .filter((line) => [...line.matchAll(/pid=(\d+)/g)].some((match) => pids.has(match[1] ?? '')))
        .map((line) => Number(/^\S+\s+\S+\s+\S+:(\d+)\s/.exec(line)?.[1]));
      return new Set(ports);
    } catch {
      return new Set();
    }
  }

  /** Waits until the process (since its last start) has printed `text`. */
  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) throw new Error(`${this.name} exited (${this.child.exitCode}) before printing "${text}"`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print "${text}" within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Signals the whole process group and waits until the process has exited. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null) return;
    this.stopping = true;
    this.log.write(`--- ${new Date().toISOString()} ${this.name} sent ${signal}\n`);
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
    await this.exited;
  }

  async close(): Promise<void> {
    this.supervised = false;
    await this.stop('SIGKILL');
    this.log.end();
  }
}

export function workerProcess(name: string, env: NodeJS.ProcessEnv, logFile: string): ManagedProcess {
  return new ManagedProcess(name, process.execPath, [...TS_LOADER, path.join(ROOT, 'src/worker/main.ts')], env, logFile);
}

/** The process settings the image gives the worker (the Dockerfile's `ENV`, beyond its configuration). */
export const IMAGE_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/** `IMAGE_ENV`, but where this process's environment sets its own value (for A/B runs). */
export function imageEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(IMAGE_ENV).map(([variable, value]) => [variable, process.env[variable] ?? value]));
}

/** The worker as its image runs it: `node <build>/worker/main.js`, compiled by `buildWorker`, with `imageEnv()`. */
export function builtWorkerProcess(name: string, buildDir: string, env: NodeJS.ProcessEnv, logFile: string): ManagedProcess {
  return new ManagedProcess(name, process.execPath, [path.join(buildDir, 'worker/main.js')], { ...imageEnv(), ...env }, logFile);
}

/** Compiles `src` into `outDir` with the production build's settings (`tsconfig.build.json`). */
export function buildWorker(outDir: string): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function tsEntryProcess(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ManagedProcess {
  return new ManagedProcess(name, process.execPath, [...TS_LOADER, path.join(ROOT, entry), ...args], env, logFile);
}

/** The Temporal CLI dev server on a database file, so that it can be stopped and started again (without one: in memory). */
export function temporalDevServer(executable: string, options: { port: number; dbFile?: string }, logFile: string): ManagedProcess {
  return new ManagedProcess(
    'temporal',
    executable,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      ...(options.dbFile === undefined ? [] : ['--db-filename', options.dbFile]),
      '--log-level',
      'warn',
      '--search-attribute',
      'MeetingStatus=Keyword',
      '--search-attribute',
      'SessionStartTime=Datetime',
    ],
    {},
    logFile,
  );
}

/** Waits until a Temporal frontend answers at `address`. */
export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal did not answer at ${address} within ${timeoutMs} ms: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A TCP port free at the time of asking, for a server the run starts. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

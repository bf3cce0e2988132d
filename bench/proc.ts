// CPU time and resident memory of processes, read from /proc (Linux), per process group: a worker
// started through tsx is a group of two processes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The processes of a process group (its leader's pid). */
export function groupPids(pgid: number | undefined): number[] {
  if (pgid === undefined) return [];
  try {
    return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds (user + system) each process has used so far; gone processes are left out. */
export function cpuSeconds(pids: readonly number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      used.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch {
      // exited meanwhile
    }
  }
  return used;
}

/** CPU seconds used between two readings, by processes alive at the second (new ones count whole). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return Math.round(total * 100) / 100;
}

/** Resident memory in MB, summed over the processes. */
export function rssMb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(match?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return Math.round(kb / 1024);
}

/** CPU seconds of this process itself, and of its children that have exited and been waited for. */
export function ownCpuSeconds(): { own: number; reapedChildren: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { own: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS, reapedChildren: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS };
}

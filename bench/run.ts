// `npm run bench [-- --sessions N] [--workers N] [--quick] [--phases steady,burst,...]`: one run, a
// progress line while it runs, a table at the end, bench/results/latest.json with the whole
// configuration; exit 1 when a budget broke (a rate-limit answer, a duplicate, a lost email, an early
// reminder, a session left without its link). README: "Performance".
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { imageEnv } from '../chaos/processes';
import { parseBenchArgs } from './args';
import { PHASE_RUNNERS, type PhaseContext, type PhaseResult } from './phases';
import { printTable } from './report';
import { STANDIN_LATENCY_MS, startRig } from './rig';

const ROOT = path.resolve(__dirname, '..');
/** Environment knobs that change what is measured, recorded with the results (never keys or secrets). */
const KNOBS = /^(WORKER_|GOOGLE_CALLS_PER_SECOND$|RESEND_REQUESTS_PER_SECOND$|MEETING_|TEMPORAL_ADDRESS$|TEMPORAL_NAMESPACE$|TEMPORAL_TASK_QUEUE$|LOG_LEVEL$)/;

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const plan = parseBenchArgs(args);
  const runId = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  const workDir = path.join(ROOT, '.local', 'bench', runId);
  mkdirSync(workDir, { recursive: true });
  const started = Date.now();
  const log = (message: string) => console.error(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);
  log(`phases ${plan.phases.join(', ')}; ${plan.workers} worker(s); logs in .local/bench/${runId}/`);

  const rig = await startRig(plan, workDir, log);
  const stop = async () => {
    await rig.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything the run started`);
      void stop().finally(() => process.exit(130));
    });
  }
  const breaks: string[] = [];
  const phases: Record<string, PhaseResult> = {};
  const ctx: PhaseContext = { rig, plan, workDir, log, breaks };
  try {
    for (const phase of plan.phases) {
      log(`phase ${phase}`);
      const phaseStart = Date.now();
      try {
        phases[phase] = { ...(await PHASE_RUNNERS[phase](ctx)), phaseSeconds: Math.round((Date.now() - phaseStart) / 1000) };
      } catch (error) {
        log(`phase ${phase} failed: ${String(error)}`);
        phases[phase] = { error: String(error) };
        breaks.push(`${phase}: the phase failed (${String(error)})`);
      }
    }
  } finally {
    const workerEnv = Object.fromEntries(Object.entries(rig.workerEnv).filter(([name]) => KNOBS.test(name)));
    await stop();
    const result = {
      runId,
      at: new Date(started).toISOString(),
      totalSeconds: Math.round((Date.now() - started) / 1000),
      config: {
        args,
        plan,
        env: Object.fromEntries(Object.entries(process.env).filter(([name]) => KNOBS.test(name))),
        lastWorkerEnv: workerEnv,
        worker: 'the production build (tsc with tsconfig.build.json, then node worker/main.js) and a prebuilt workflow bundle',
        workerProcessEnv: imageEnv(),
        temporal: rig.temporal ? `a Temporal CLI dev server started by the run (${plan.temporalDb === 'file' ? 'SQLite file' : 'in memory'})` : `the cluster at ${rig.temporalAddress}`,
        standins: { latencyMs: STANDIN_LATENCY_MS, enforcement: rig.enforcementByProfile },
        machine: { cores: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryMb: Math.round(os.totalmem() / 1024 / 1024), loadAverageAtEnd: os.loadavg().map((load) => Math.round(load * 100) / 100) },
        node: process.version,
        commit: git(['rev-parse', 'HEAD']),
        uncommittedChanges: git(['status', '--porcelain']) !== '',
      },
      phases,
      budgetBreaks: breaks,
    };
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(workDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    printTable(phases, breaks);
    console.log(`whole run ${result.totalSeconds} s; results in bench/results/latest.json`);
  }
  process.exitCode = breaks.length > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

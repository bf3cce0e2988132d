import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import type { Logger as SdkLogger, LogLevel } from '@temporalio/common';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/env';
import type { Logger } from '../logging';

/** Where `npm run build` writes the pre-bundled workflow code: `dist/workflow-bundle.js`. */
export const BUILT_WORKFLOW_BUNDLE = path.resolve(__dirname, '../workflow-bundle.js');

/**
 * The workflow code for the worker: the bundle at `WORKFLOW_BUNDLE_PATH` when set (the bench bundles
 * once for all the workers it starts), else the bundle `npm run build` made when there is one
 * (production starts without webpack), else bundled now from source (`npm start`, `npm run worker`).
 */
export async function workflowBundleForWorker(logger: Logger, env: Record<string, string | undefined> = process.env): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  const given = env.WORKFLOW_BUNDLE_PATH?.trim();
  if (given && !existsSync(given)) throw new ConfigError('WORKFLOW_BUNDLE_PATH', `no workflow bundle at ${JSON.stringify(given)}`);
  const prebuilt = given || (existsSync(BUILT_WORKFLOW_BUNDLE) ? BUILT_WORKFLOW_BUNDLE : undefined);
  if (prebuilt) {
    logger.info({ path: prebuilt }, 'workflow code: the prebuilt bundle');
    return { codePath: prebuilt };
  }
  return { code: await bundleWorkflows(logger) };
}

/** Bundles the workflows with webpack, reporting in one short line instead of webpack's full report. */
export async function bundleWorkflows(logger: Logger): Promise<string> {
  const startedAt = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: problemsOnly(logger) });
  logger.info({ sizeKb: Math.round(code.length / 1024), ms: Date.now() - startedAt }, 'workflow code bundled');
  return code;
}

/** The bundler's logger: webpack's report and size line dropped, its warnings and errors kept. */
function problemsOnly(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string) => {
    if (level === 'WARN') logger.warn(message);
    else if (level === 'ERROR') logger.error(message);
  };
  return {
    log,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => log('WARN', message),
    error: (message) => log('ERROR', message),
  };
}

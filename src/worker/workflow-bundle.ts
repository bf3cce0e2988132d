import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import type { Logger as SdkLogger, LogLevel } from '@temporalio/common';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logging';

/** Where `npm run build` writes the pre-bundled workflow code: `dist/workflow-bundle.js`. */
export const BUILT_WORKFLOW_BUNDLE = path.resolve(__dirname, '../workflow-bundle.js');

/**
 * The workflow code for the worker: the bundle `npm run build` made when there is one (production
 * starts without webpack), else bundled now from source (`npm start`, `npm run worker`).
 */
export async function workflowBundleForWorker(logger: Logger): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  if (existsSync(BUILT_WORKFLOW_BUNDLE)) {
    logger.info({ path: BUILT_WORKFLOW_BUNDLE }, 'workflow code: the prebuilt bundle');
    return { codePath: BUILT_WORKFLOW_BUNDLE };
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

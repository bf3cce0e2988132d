import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/env';
import { createLogger } from '../../src/logging';
import { workflowBundleForWorker } from '../../src/worker/workflow-bundle';

describe('WORKFLOW_BUNDLE_PATH', () => {
  const logger = createLogger('test');

  test('a bundle at the path is used as it is', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bundle-')), 'workflow-bundle.js');
    writeFileSync(file, '// bundle');
    expect(await workflowBundleForWorker(logger, { WORKFLOW_BUNDLE_PATH: file })).toEqual({ codePath: file });
  });

  test('a path with no bundle stops the worker with the variable named', async () => {
    const missing = workflowBundleForWorker(logger, { WORKFLOW_BUNDLE_PATH: path.join(os.tmpdir(), 'no-such-dir', 'bundle.js') });
    await expect(missing).rejects.toBeInstanceOf(ConfigError);
    await expect(missing).rejects.toThrow(/^WORKFLOW_BUNDLE_PATH: no workflow bundle at /);
  });
});

import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prepareDatabase } from '../../src/local/database';
import { TEST_DATABASE_URL } from './env';

/** Once per run: the test database migrated, and the workflow code bundled (webpack is slow to repeat). */
export default async function globalSetup(): Promise<void> {
  // Worker processes started by tests run no health monitor unless a test asks for one: a monitor on
  // one test's server would start workflows for other tests' sessions in the shared database.
  process.env.MEETING_HEALTH_INTERVAL = 'off';
  await prepareDatabase(TEST_DATABASE_URL);
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietLogger });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'session-meetings-')), 'workflow-bundle.js');
  writeFileSync(file, code);
  process.env.SESSION_MEETINGS_WORKFLOW_BUNDLE = file;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (message: string) => console.error(message), log: noop };

// `npm run build`'s second step: the workflow code bundled once, into dist/workflow-bundle.js, so the
// production worker starts without webpack (as Temporal's production sample does).
import { writeFileSync } from 'node:fs';
import { createLogger } from '../logging';
import { BUILT_WORKFLOW_BUNDLE, bundleWorkflows } from './workflow-bundle';

const logger = createLogger('build');

bundleWorkflows(logger)
  .then((code) => {
    writeFileSync(BUILT_WORKFLOW_BUNDLE, code);
    logger.info({ path: BUILT_WORKFLOW_BUNDLE }, 'workflow bundle written');
  })
  .catch((error: unknown) => {
    logger.fatal({ err: error }, 'bundling the workflows failed');
    process.exit(1);
  });

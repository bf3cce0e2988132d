// Runs before `npm start` and `npm test` (prestart/pretest): on a fresh clone it installs what the
// project needs, so that those two commands are the whole quickstart. Does nothing when all is there.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

if (!existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  console.log('setup: installing npm packages (npm ci; its postinstall generates the Prisma client)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

require('tsx/cjs');
const { findTemporalExecutable } = require('../src/local/temporal-binaries.ts');
if (findTemporalExecutable('cli').type !== 'existing-path' || findTemporalExecutable('test-server').type !== 'existing-path') {
  console.log('setup: installing the Temporal server binaries (pip, requirements-temporal.txt)');
  try {
    run('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', 'requirements-temporal.txt']);
  } catch {
    console.log('setup: pip could not install them; the Temporal SDK will download its own instead');
  }
}

import Ajv from 'ajv';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { IMAGE_ENV } from '../../chaos/processes';
import { shutdownGraceMs } from '../../src/worker/workers';

// The files users import (alert rules, their Prometheus config, the dashboard) and the compose stack,
// checked with the tools that read them: promtool and the Compose Specification's JSON schema.

const ROOT = path.resolve(__dirname, '../..');
const PROMETHEUS_DIR = path.join(ROOT, 'ops/prometheus');

function promtool(...args: string[]): string {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    // Never skipped: CI installs it (.ci/run), and a developer gets told how.
    throw new Error("promtool is not installed: `apt-get install prometheus` (Debian) or Prometheus' release tarball");
  }
  return execFileSync('promtool', args, { cwd: PROMETHEUS_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('promtool accepts the alert rules and the Prometheus config, and the rules pass their unit tests', () => {
  expect(promtool('check', 'rules', 'alerts.yml')).toContain('SUCCESS: 7 rules found');
  expect(promtool('check', 'config', 'prometheus.yml')).toContain('is valid prometheus config file syntax');
  expect(promtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
});

test('the alert rules cover what the issue lists, each tested', () => {
  const rules = yaml.load(readFileSync(path.join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> };
  const alerts = rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
  expect(alerts.sort()).toEqual([
    'SessionMeetingsEmailsDelayed',
    'SessionMeetingsEmailsFailing',
    'SessionMeetingsGoogleCredentialErrors',
    'SessionMeetingsHighFailureRate',
    'SessionMeetingsSessionsWithoutLinkSoon',
    'SessionMeetingsWorkerDown',
    'SessionMeetingsWorkflowTaskFailures',
  ]);
  const tests = readFileSync(path.join(PROMETHEUS_DIR, 'alerts.test.yml'), 'utf8');
  for (const alert of alerts) expect(tests).toContain(`alertname: ${alert}`);
});

test('the dashboard is Grafana JSON whose every panel queries the Prometheus data source', () => {
  const dashboard = JSON.parse(readFileSync(path.join(ROOT, 'ops/grafana/session-meetings.json'), 'utf8')) as {
    uid: string;
    panels: Array<{ type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
  };
  expect(dashboard.uid).toBe('session-meetings');
  const queried = dashboard.panels.filter((panel) => panel.type !== 'row');
  expect(queried.length).toBeGreaterThanOrEqual(10);
  for (const panel of queried) {
    expect(panel.datasource?.uid).toBe('${datasource}');
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const target of panel.targets ?? []) expect(target.expr.trim()).not.toBe('');
  }
});

interface ComposeService {
  image?: string;
  build?: unknown;
  volumes?: string[];
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  environment?: Record<string, string>;
}

/**
 * The Compose Specification's schema (ops/compose/compose-spec.json, copied from the compose-spec
 * repository's schema/compose-spec.json). It names draft-07 by an https URL Ajv does not know as its
 * meta-schema, so the schema itself is not validated; the documents are.
 */
function composeValidator() {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'ops/compose/compose-spec.json'), 'utf8')) as object;
  return new Ajv({ strict: false, allErrors: true, validateSchema: false }).compile(schema);
}

describe('docker-compose.yml', () => {
  const compose = yaml.load(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };

  test('is valid under the Compose Specification JSON schema', () => {
    const validate = composeValidator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check can fail: a misspelt key is refused', () => {
    const validate = composeValidator();
    expect(validate({ services: { worker: { image: 'x', stop_grace_periode: '10s' } } })).toBe(false);
  });

  test('uses current Temporal images (no deprecated auto-setup), and mounts only files that exist', () => {
    const images = Object.values(compose.services).flatMap((service) => (service.image ? [service.image] : []));
    expect(images.some((image) => image.startsWith('temporalio/server:'))).toBe(true);
    expect(images.some((image) => image.includes('auto-setup'))).toBe(false);
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(path.join(ROOT, source))).toBe(true);
      }
    }
  });

  test('the worker: metrics and health on, ready on /readyz, and a stop grace period beyond its shutdown grace time', () => {
    const worker = compose.services.worker;
    expect(worker?.environment).toMatchObject({ METRICS_ADDRESS: '0.0.0.0:9464', HEALTH_ADDRESS: '0.0.0.0:8090' });
    expect(worker?.healthcheck?.test.join(' ')).toContain('/readyz');
    const seconds = Number(/^(\d+)s$/.exec(worker?.stop_grace_period ?? '')?.[1]);
    expect(seconds * 1000).toBeGreaterThan(shutdownGraceMs({ conferenceWaitMs: 60_000 }));
  });
});

test('the image runs the compiled worker with node (no tsx), from a production-only install, with a health check', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain('npm ci --omit=dev');
  expect(dockerfile).toContain('npm run build');
  expect(dockerfile).toMatch(/^CMD \["node", "dist\/worker\/main\.js"\]$/m);
  expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
  expect(dockerfile).not.toMatch(/^(CMD|ENTRYPOINT|RUN).*tsx/m);
});

test("the bench's workers run with the image's process settings", () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.replace(/\\\n/g, ' ').split(/^FROM /m).at(-1) ?? '';
  const env = Object.fromEntries(
    [...finalStage.matchAll(/^ENV (.*)$/gm)].flatMap((match) => (match[1] ?? '').trim().split(/\s+/).map((pair) => pair.split('='))),
  );
  expect(env).toMatchObject(IMAGE_ENV);
});

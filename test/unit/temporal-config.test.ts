import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/env';
import { loadTemporalConfig } from '../../src/config/temporal-config';

// The connection comes from @temporalio/envconfig (a temporal.toml profile, then TEMPORAL_*); these
// tests pass the environment in, so the machine's own profile file never takes part.

let dir: string;
let certPath: string;
let keyPath: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'temporal-config-'));
  certPath = path.join(dir, 'client.pem');
  keyPath = path.join(dir, 'client.key');
  writeFileSync(certPath, 'CERT');
  writeFileSync(keyPath, 'KEY');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profileFile(name: string, toml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, toml);
  return file;
}

function problemWith(env: Record<string, string | undefined>): ConfigError {
  try {
    loadTemporalConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('configuration was accepted');
}

const clientCertPair = { crt: Uint8Array.from(Buffer.from('CERT')), key: Uint8Array.from(Buffer.from('KEY')) };

test('nothing set: the local server, plain, namespace default', () => {
  expect(loadTemporalConfig({})).toEqual({ connection: { address: 'localhost:7233' }, namespace: 'default', taskQueue: 'session-meetings', registerSearchAttributes: false });
});

test('empty or blank variables count as unset, as every other variable', () => {
  expect(loadTemporalConfig({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '  ', TEMPORAL_API_KEY: '' }).connection).toEqual({ address: 'localhost:7233' });
});

test('address, namespace and task queue from the environment; an API key turns TLS on', () => {
  const config = loadTemporalConfig({ TEMPORAL_ADDRESS: ' ns.acct.tmprl.cloud:7233 ', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'key', TEMPORAL_TASK_QUEUE: 'q' });
  expect(config).toEqual({ connection: { address: 'ns.acct.tmprl.cloud:7233', apiKey: 'key', tls: true }, namespace: 'ns.acct', taskQueue: 'q', registerSearchAttributes: false });
});

test.each([
  ['yes', { TEMPORAL_TLS: 'yes' }, true],
  ['1', { TEMPORAL_TLS: '1' }, true],
  ['false, over an API key', { TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'key' }, false],
  ['no', { TEMPORAL_TLS: 'no' }, false],
])('TEMPORAL_TLS=%s', (_name, env, on) => {
  const { tls } = loadTemporalConfig(env).connection;
  if (on) expect(tls).toEqual(expect.objectContaining({ clientCertPair: undefined }));
  else expect(tls).toBe(false);
});

test('TEMPORAL_TLS that is neither true nor false is refused (envconfig alone would read it as false)', () => {
  expect(problemWith({ TEMPORAL_TLS: 'on please' })).toEqual(new ConfigError('TEMPORAL_TLS', '"on please" is not true or false'));
});

test('mTLS: the former names (TEMPORAL_TLS_CERT_PATH, _KEY_PATH) and envconfig’s give the same connection', () => {
  const former = loadTemporalConfig({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath });
  const current = loadTemporalConfig({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath });
  expect(former.connection.tls).toMatchObject({ clientCertPair });
  expect(former).toEqual(current);
});

test('a former and a current name for the same file may both be set; for different files, they are refused', () => {
  expect(loadTemporalConfig({ TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_KEY_PATH: keyPath }).connection.tls).toMatchObject({ clientCertPair });
  const error = problemWith({ TEMPORAL_TLS_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_CERT_PATH: keyPath, TEMPORAL_TLS_KEY_PATH: keyPath });
  expect(error.variable).toBe('TEMPORAL_TLS_CERT_PATH');
  expect(error.message).toMatch(/former name of TEMPORAL_TLS_CLIENT_CERT_PATH.*keep TEMPORAL_TLS_CLIENT_CERT_PATH/);
});

test.each([
  [{ TEMPORAL_TLS_CLIENT_CERT_PATH: 'c.pem' }, 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
  [{ TEMPORAL_TLS_CLIENT_KEY_PATH: 'c.key' }, 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
  [{ TEMPORAL_TLS_CERT_PATH: 'c.pem' }, 'TEMPORAL_TLS_KEY_PATH'],
  [{ TEMPORAL_TLS_KEY_PATH: 'c.key' }, 'TEMPORAL_TLS_CERT_PATH'],
])('half of mTLS (%j) names the missing half', (env, missing) => {
  const error = problemWith(env);
  expect(error.variable).toBe(missing);
  expect(error.message).toMatch(/mTLS needs both a client certificate and its key/);
});

test('a certificate file that is not there is named with its variable', () => {
  const missing = path.join(dir, 'missing.pem');
  expect(problemWith({ TEMPORAL_TLS_CERT_PATH: missing, TEMPORAL_TLS_KEY_PATH: keyPath })).toEqual(new ConfigError('TEMPORAL_TLS_CERT_PATH', `cannot read ${missing} (ENOENT)`));
  expect(problemWith({ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: missing }).variable).toBe('TEMPORAL_TLS_CLIENT_KEY_PATH');
});

describe('a temporal.toml profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE)', () => {
  const toml = (serverName: string) => `
[profile.default]
address = "default.example:7233"
namespace = "from-file"

[profile.prod]
address = "prod.example:7233"
namespace = "prod"
api_key = "prod-key"

[profile.mtls]
address = "mtls.example:7233"
[profile.mtls.tls]
client_cert_path = "${certPath}"
client_key_path = "${keyPath}"
server_name = "${serverName}"

[profile.half]
[profile.half.tls]
client_cert_path = "${certPath}"
`;
  let file: string;
  beforeAll(() => {
    file = profileFile('temporal.toml', toml('mtls.internal'));
  });

  test('the default profile', () => {
    expect(loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file })).toMatchObject({ connection: { address: 'default.example:7233' }, namespace: 'from-file' });
  });

  test('a named profile, with its API key (TLS on)', () => {
    expect(loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toMatchObject({
      connection: { address: 'prod.example:7233', apiKey: 'prod-key', tls: true },
      namespace: 'prod',
    });
  });

  test('TEMPORAL_* variables override the profile, field by field', () => {
    const config = loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other', TEMPORAL_API_KEY: 'env-key' });
    expect(config).toMatchObject({ connection: { address: 'prod.example:7233', apiKey: 'env-key' }, namespace: 'other' });
  });

  test('mTLS from the profile, and TEMPORAL_TLS=false turning it off', () => {
    expect(loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' }).connection.tls).toMatchObject({ clientCertPair, serverNameOverride: 'mtls.internal' });
    expect(loadTemporalConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls', TEMPORAL_TLS: 'false' }).connection.tls).toBe(false);
  });

  test('a profile with half of mTLS is refused', () => {
    expect(problemWith({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'half' }).message).toMatch(/^TEMPORAL_TLS_CLIENT_KEY_PATH: mTLS needs both/);
  });

  test('gRPC headers from TEMPORAL_GRPC_META_*', () => {
    expect(loadTemporalConfig({ TEMPORAL_GRPC_META_X_TENANT: 'tutoring' }).connection.metadata).toEqual({ 'x-tenant': 'tutoring' });
  });

  // The file's place differs by system; this is Linux's (XDG_CONFIG_HOME, else ~/.config).
  (process.platform === 'linux' ? test : test.skip)('the temporal CLI’s own file is read when TEMPORAL_CONFIG_FILE is unset', () => {
    const configHome = path.join(dir, 'xdg');
    mkdirSync(path.join(configHome, 'temporalio'), { recursive: true });
    writeFileSync(path.join(configHome, 'temporalio', 'temporal.toml'), toml('x'));
    expect(loadTemporalConfig({ XDG_CONFIG_HOME: configHome }).connection.address).toBe('default.example:7233');
  });

  test('a profile that is not in the file is named', () => {
    expect(problemWith({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toEqual(new ConfigError('TEMPORAL_PROFILE', 'no profile "staging" in the Temporal config file'));
  });

  test('a TEMPORAL_CONFIG_FILE that is not there is refused (envconfig alone would pass over it)', () => {
    const missing = path.join(dir, 'nope.toml');
    expect(problemWith({ TEMPORAL_CONFIG_FILE: missing })).toEqual(new ConfigError('TEMPORAL_CONFIG_FILE', `cannot read ${missing} (ENOENT)`));
  });

  test('a file that is not TOML is refused without quoting it (it may hold an API key)', () => {
    const broken = profileFile('broken.toml', '[profile.default]\napi_key = "secret-key\nnamespace = "x"\n');
    const error = problemWith({ TEMPORAL_CONFIG_FILE: broken });
    expect(error.variable).toBe('TEMPORAL_CONFIG_FILE');
    expect(error.message).toMatch(/the Temporal config file cannot be used: Invalid TOML document/);
    expect(error.message).not.toContain('secret-key');
  });
});

test('TEMPORAL_REGISTER_SEARCH_ATTRIBUTES', () => {
  expect(loadTemporalConfig({ TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'true' }).registerSearchAttributes).toBe(true);
});

import { loadOpsConfig } from '../../src/config/ops-config';
import { ConfigError } from '../../src/config/env';
import { parseListenAddress } from '../../src/worker/http-listen';
import { shutdownGraceMs } from '../../src/worker/workers';

test('listen addresses: host:port, IPv6 in brackets, port 0 for any', () => {
  expect(parseListenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
  expect(parseListenAddress('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
  expect(parseListenAddress('[::1]:8090')).toEqual({ host: '::1', port: 8090 });
  for (const bad of ['9464', 'localhost', 'host:99999', 'http://127.0.0.1:9464']) expect(() => parseListenAddress(bad)).toThrow('is not host:port');
});

test('METRICS_ADDRESS and HEALTH_ADDRESS: unset is off; a bad one names its variable', () => {
  expect(loadOpsConfig({})).toEqual({ metricsAddress: undefined, healthAddress: undefined });
  expect(loadOpsConfig({ METRICS_ADDRESS: '127.0.0.1:9464', HEALTH_ADDRESS: ' 0.0.0.0:8090 ' })).toEqual({
    metricsAddress: '127.0.0.1:9464',
    healthAddress: '0.0.0.0:8090',
  });
  expect(() => loadOpsConfig({ HEALTH_ADDRESS: '8090' })).toThrow(new ConfigError('HEALTH_ADDRESS', '"8090" is not host:port (e.g. 127.0.0.1:9464, or 0.0.0.0:9464 in a container)'));
});

test('the shutdown grace time covers the longest activity: the conference wait + 30 s, or an email batch (1 min)', () => {
  expect(shutdownGraceMs({ conferenceWaitMs: 60_000 })).toBe(95_000);
  expect(shutdownGraceMs({ conferenceWaitMs: 5_000 })).toBe(65_000);
});

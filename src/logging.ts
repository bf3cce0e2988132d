import pino, { type DestinationStream, type Logger } from 'pino';
import { ConfigError } from './config/env';
import { DEFAULT_LOG_SETTINGS, loadLogSettings, type LogSettings } from './config/log-settings';

// Secrets must never reach a log line, whatever object a caller passes in.
const REDACT = [
  'private_key',
  '*.private_key',
  'apiKey',
  '*.apiKey',
  'serviceAccountKey',
  '*.serviceAccountKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * JSON lines by default (what production collects); `LOG_FORMAT=pretty` gives readable, coloured
 * lines for a person at a terminal (`npm start` sets it). pino-pretty is a development dependency,
 * loaded only then.
 */
function destination(format: LogSettings['format']): DestinationStream | undefined {
  if (format !== 'pretty') return undefined;
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ colorize: process.stdout.isTTY === true, sync: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,service' });
}

/**
 * The log settings, or the defaults while one is bad: a logger is made before the configuration is
 * read, and the worker then stops on the bad value as on any other (`loadWorkerConfig`).
 */
function logSettings(): LogSettings {
  try {
    return loadLogSettings();
  } catch (error) {
    if (error instanceof ConfigError) return DEFAULT_LOG_SETTINGS;
    throw error;
  }
}

export function createLogger(name: string): Logger {
  const { level, format } = logSettings();
  const options: pino.LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'session-meetings' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  const stream = destination(format);
  return stream ? pino(options, stream) : pino(options);
}

export type { Logger };

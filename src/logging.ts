import pino, { type DestinationStream, type Logger } from 'pino';

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
function destination(): DestinationStream | undefined {
  if (process.env.LOG_FORMAT !== 'pretty') return undefined;
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({ colorize: process.stdout.isTTY === true, sync: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,service' });
}

export function createLogger(name: string): Logger {
  const options: pino.LoggerOptions = {
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'session-meetings' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  const stream = destination();
  return stream ? pino(options, stream) : pino(options);
}

export type { Logger };

import pino, { type Logger } from 'pino';

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

export function createLogger(name: string): Logger {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'session-meetings' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  });
}

export type { Logger };

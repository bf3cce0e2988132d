import { z } from 'zod';
import { readEnv, section, text, type Env } from './env';

// pino's levels, and the Temporal SDK's (it has no `fatal` or `silent`).
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const TEMPORAL_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;

/** One of `values`, in any case; a value that is not one is refused with the list. */
const oneOf = <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  text(fallback)
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(values, { error: (issue) => `${JSON.stringify(issue.input)} is not one of ${values.join(', ')}` }));

const logging = section({
  level: ['LOG_LEVEL', oneOf(LOG_LEVELS, 'info')],
  format: ['LOG_FORMAT', oneOf(LOG_FORMATS, 'json')],
  temporalLevel: ['TEMPORAL_LOG_LEVEL', oneOf(TEMPORAL_LOG_LEVELS, 'info')],
});

export type LogSettings = z.output<typeof logging>;

/** How the processes log; a bad value is a ConfigError that names its variable. */
export function loadLogSettings(env: Env = process.env): LogSettings {
  return readEnv(logging, env);
}

/** The settings when none is set. */
export const DEFAULT_LOG_SETTINGS = loadLogSettings({});

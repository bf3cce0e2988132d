import { z } from 'zod';
import { parseDuration, parseDurationList } from '../domain/durations';
import { isMailbox } from '../domain/email-address';
import { parseListenAddress } from '../worker/http-listen';

// Configuration comes in through zod: each section of it is one `section({...})` listing its
// variables, one line each (the variable's name and its rule), and `readEnv` turns the first problem
// into a ConfigError that names the variable.

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** A section's fields: for each, the variable it comes from and the rule its value follows. */
type Fields = Record<string, readonly [variable: string, rule: z.ZodType]>;
type SectionOf<F extends Fields> = { [K in keyof F]: z.output<F[K][1]> };

/** A schema over the environment that reads `fields` and answers them under the section's own names. */
export function section<F extends Fields>(fields: F) {
  const shape = Object.fromEntries(Object.values(fields).map(([variable, rule]) => [variable, rule]));
  return z
    .object(shape)
    .transform((variables) => Object.fromEntries(Object.entries(fields).map(([field, [variable]]) => [field, variables[variable]])) as SectionOf<F>);
}

/** Reads a section from the environment; the first problem found stops it, naming its variable. */
export function readEnv<T>(schema: z.ZodType<T>, env: Env): T {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(String(issue?.path[0] ?? 'configuration'), issue?.message ?? 'is not valid');
}

// Rules for one variable. A value is trimmed, and an empty one counts as unset.

const setValue = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** Text, required unless it has a fallback. */
export const text = (fallback?: string) => z.preprocess((value) => setValue(value) ?? fallback, z.string({ error: 'is required but not set' }));

export const optionalText = () => z.preprocess(setValue, z.string().optional());

/** `a@b.c` or `Name <a@b.c>`, with the project's one email pattern. */
export const mailbox = () => text().refine(isMailbox, { error: (issue) => `${JSON.stringify(issue.input)} is not an email address` });

export const optionalMailbox = () =>
  optionalText().refine((value) => value === undefined || isMailbox(value), { error: (issue) => `${JSON.stringify(issue.input)} is not an email address` });

export const httpUrl = () => optionalText().refine((value) => value === undefined || isHttpUrl(value), { error: (issue) => `"${String(issue.input)}" is not an http(s) URL` });

/** `1`, `true`, `yes` or `0`, `false`, `no`. */
export const optionalFlag = () => optionalText().transform(parsedWith((value) => (value === undefined ? undefined : parseFlag(value))));

export const flag = (fallback: boolean) => text(String(fallback)).transform(parsedWith(parseFlag));

/** A duration such as `30s` or `2m`, in milliseconds. */
export const duration = (fallback: string) => text(fallback).transform(parsedWith(parseDuration));

/** A duration, or `off`: null. */
export const durationOrOff = (fallback: string) => text(fallback).transform(parsedWith((value) => (/^off$/i.test(value) ? null : parseDuration(value))));

/** Comma-separated durations such as `30s,2m,8m`, in milliseconds. */
export const durationList = (fallback: string) => text(fallback).transform(parsedWith(parseDurationList));

/** A number that `accept`s, else `problem`. */
export const numberWhere = (fallback: number, accept: (value: number) => boolean, problem: string) =>
  text(String(fallback))
    .transform(Number)
    .refine(accept, { error: problem });

/** `host:port` to listen on, or unset (off). */
export const listenAddress = () =>
  optionalText().refine((value) => value === undefined || isListenAddress(value), {
    error: (issue) => `"${String(issue.input)}" is not host:port (e.g. 127.0.0.1:9464, or 0.0.0.0:9464 in a container)`,
  });

/** Runs a parser that throws on a bad value; its message becomes the problem. */
function parsedWith<In, Out>(parse: (value: In) => Out) {
  return (value: In, context: z.RefinementCtx): Out => {
    try {
      return parse(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  };
}

function parseFlag(value: string): boolean {
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new Error(`"${value}" is not true or false`);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function isListenAddress(value: string): boolean {
  try {
    parseListenAddress(value);
    return true;
  } catch {
    return false;
  }
}

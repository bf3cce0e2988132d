import { createHash, randomUUID } from 'node:crypto';
import { commonControl, startStandin, type StandinAnswer, type StandinRequest, type StandinServer } from './http';

/**
 * A local Resend API (`POST /emails`, `POST /emails/batch`) that behaves as the real one does where
 * this project depends on it: bearer API keys, validation errors in Resend's shape, `Idempotency-Key`
 * (the same key and payload answer the first answer's ids without sending again; the same key with
 * another payload is a 409 `invalid_idempotent_request`; the same key while its first request is
 * still in processing a 409 `concurrent_idempotent_requests`), and, with `requestsPerSecond`, the
 * team's rate limit: requests beyond it are answered 429 `rate_limit_exceeded` (and counted).
 */

export interface SentEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string | undefined;
  html: string | undefined;
  /**
   * The email's own key: the `Idempotency-Key` of a single send, or for an email of a batch the key
   * it carries in its `X-Entity-Ref-ID` header (the project's outbox key).
   */
  idempotencyKey: string | undefined;
  /** The batch request's `Idempotency-Key`, for an email sent in a batch. */
  batchIdempotencyKey?: string | undefined;
  sentAt: string;
}

export interface ResendStandin extends StandinServer {
  emails(): SentEmail[];
  /** Requests answered 429 because they exceeded `requestsPerSecond`. */
  rateLimited(): number;
  /** The team's rate limit from now on (`Infinity`: none). */
  setRequestsPerSecond(perSecond: number): void;
  /** Makes every idempotency key seen so far `ms` older: past 24 hours, Resend has forgotten it. */
  ageIdempotencyKeys(ms: number): void;
}

/** How long Resend remembers an idempotency key and its answer. */
const KEY_RETENTION_MS = 24 * 60 * 60 * 1_000;

export function resendError(statusCode: number, name: string, message: string) {
  return { statusCode, name, message };
}

const DEFAULT_FAULT_NAME: Record<number, [string, string]> = {
  400: ['validation_error', 'Invalid request'],
  401: ['missing_api_key', 'Missing API key in the authorization header.'],
  403: ['invalid_api_key', 'API key is invalid'],
  422: ['validation_error', 'Invalid `to` field.'],
  429: ['rate_limit_exceeded', 'Too many requests. You can only make 2 requests per second.'],
  500: ['application_error', 'An unexpected error occurred.'],
  503: ['application_error', 'Service unavailable.'],
};

const MAX_BATCH = 100;
const ENTITY_REF_HEADER = 'x-entity-ref-id';

type Answer = StandinAnswer;

function validationError(name: string, message: string): Answer {
  return { status: 422, body: resendError(422, name, message) };
}

interface ValidEmail {
  from: string;
  to: string[];
  subject: string;
  text: string | undefined;
  html: string | undefined;
  headers: Record<string, string>;
}

/** One email's fields as Resend checks them; a string is the 422's answer. */
function validEmail(value: unknown, where: string): ValidEmail | Answer {
  const body = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const to = typeof body.to === 'string' ? [body.to] : Array.isArray(body.to) ? body.to.filter((t): t is string => typeof t === 'string') : [];
  if (typeof body.from !== 'string' || body.from === '') return validationError('missing_required_field', `Missing \`from\` field${where}.`);
  if (to.length === 0) return validationError('missing_required_field', `Missing \`to\` field${where}.`);
  if (typeof body.subject !== 'string' || body.subject === '') return validationError('missing_required_field', `Missing \`subject\` field${where}.`);
  const headers = typeof body.headers === 'object' && body.headers !== null ? (body.headers as Record<string, unknown>) : {};
  return {
    from: body.from,
    to,
    subject: body.subject,
    text: typeof body.text === 'string' ? body.text : undefined,
    html: typeof body.html === 'string' ? body.html : undefined,
    headers: Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string').map(([k, v]) => [k.toLowerCase(), v])),
  };
}

export async function startResendStandin(
  options: { port?: number; host?: string; latencyMs?: number; requestsPerSecond?: number } = {},
): Promise<ResendStandin> {
  const sent: SentEmail[] = [];
  const byKey = new Map<string, { digest: string; answer: unknown; storedAt: number }>();
  const inFlightKeys = new Set<string>();
  let requestsPerSecond = options.requestsPerSecond ?? Infinity;
  // The team's rate as a token bucket of one second's requests, refilled continuously: a burst beyond
  // the rate is refused, evenly spaced requests at the rate are not (whatever their timers' jitter).
  let bucket = { tokens: requestsPerSecond, at: Date.now() };
  let rateLimited = 0;

  function unauthorized(request: StandinRequest): Answer | undefined {
    const auth = request.headers.authorization ?? '';
    if (auth.startsWith('Bearer ') && auth.length > 'Bearer '.length) return undefined;
    return { status: 401, body: resendError(401, 'missing_api_key', 'Missing API key in the authorization header.') };
  }

  /** Counts the request against the rate limit: a 429 when it holds no whole request any more. */
  function overRate(): Answer | undefined {
    const now = Date.now();
    bucket = { tokens: Math.min(requestsPerSecond, bucket.tokens + ((now - bucket.at) / 1_000) * requestsPerSecond), at: now };
    if (bucket.tokens < 1) {
      rateLimited += 1;
      return { status: 429, body: resendError(429, 'rate_limit_exceeded', `Too many requests. You can only make ${requestsPerSecond} requests per second.`) };
    }
    bucket.tokens -= 1;
    return undefined;
  }

  /** The earlier answer to this key, or a 409 when the payload differs; undefined when it is new or forgotten. */
  function earlierAnswer(key: string | undefined, digest: string): Answer | undefined {
    const earlier = key === undefined ? undefined : byKey.get(key);
    if (!earlier || Date.now() - earlier.storedAt >= KEY_RETENTION_MS) return undefined;
    if (earlier.digest !== digest) {
      return {
        status: 409,
        body: resendError(409, 'invalid_idempotent_request', "Same idempotency key used with a different request payload. Change your idempotency key or don't change your payload."),
      };
    }
    return { status: 200, body: earlier.answer };
  }

  function record(email: ValidEmail, id: string, idempotencyKey: string | undefined, batchIdempotencyKey?: string): void {
    const { headers: _headers, ...fields } = email;
    sent.push({ id, ...fields, idempotencyKey, ...(batchIdempotencyKey ? { batchIdempotencyKey } : {}), sentAt: new Date().toISOString() });
  }

  function sendEmail(request: StandinRequest): Answer {
    const refused = unauthorized(request) ?? overRate();
    if (refused) return refused;
    const email = validEmail(request.body, '');
    if ('status' in email) return email;
    const key = request.headers['idempotency-key'];
    const digest = createHash('sha256').update(JSON.stringify(request.body)).digest('hex');
    const earlier = earlierAnswer(key, digest);
    if (earlier) return earlier;
    const id = randomUUID();
    if (key) byKey.set(key, { digest, answer: { id }, storedAt: Date.now() });
    record(email, id, key);
    return { status: 200, body: { id }, wrote: true };
  }

  function sendBatch(request: StandinRequest, concurrent: boolean): Answer {
    const refused = unauthorized(request) ?? overRate();
    if (refused) return refused;
    if (concurrent) {
      return {
        status: 409,
        body: resendError(409, 'concurrent_idempotent_requests', 'Same idempotency key used while original request is still in progress. Try the request again later.'),
      };
    }
    if (!Array.isArray(request.body) || request.body.length === 0) return validationError('validation_error', 'The batch must be a list of 1 to 100 emails.');
    if (request.body.length > MAX_BATCH) return validationError('validation_error', `Too many emails in the batch: at most ${MAX_BATCH}.`);
    const emails: ValidEmail[] = [];
    for (const [index, item] of (request.body as unknown[]).entries()) {
      if (typeof item === 'object' && item !== null && 'attachments' in item && (item as { attachments?: unknown }).attachments !== undefined) {
        return validationError('validation_error', `Attachments are not supported in batch emails (email ${index}).`);
      }
      const email = validEmail(item, ` in email ${index}`);
      if ('status' in email) return email;
      emails.push(email);
    }
    const key = request.headers['idempotency-key'];
    const digest = createHash('sha256').update(JSON.stringify(request.body)).digest('hex');
    const earlier = earlierAnswer(key, digest);
    if (earlier) return earlier;
    const data = emails.map((email) => {
      const id = randomUUID();
      record(email, id, email.headers[ENTITY_REF_HEADER] ?? key, key);
      return { id };
    });
    if (key) byKey.set(key, { digest, answer: { data }, storedAt: Date.now() });
    return { status: 200, body: { data }, wrote: true };
  }

  const faultBody = (fault: { status: number; reason?: string; message?: string }) => {
    const [name, message] = DEFAULT_FAULT_NAME[fault.status] ?? ['application_error', 'Error'];
    return resendError(fault.status, fault.reason ?? name, fault.message ?? message);
  };

  const server = await startStandin({
    ...options,
    notFoundBody: resendError(404, 'not_found', 'The requested endpoint does not exist.'),
    onReset: () => {
      sent.length = 0;
      byKey.clear();
      rateLimited = 0;
      requestsPerSecond = options.requestsPerSecond ?? Infinity;
      bucket = { tokens: requestsPerSecond, at: Date.now() };
    },
    route(request) {
      if (request.method !== 'POST') return undefined;
      if (request.url.pathname === '/emails') return { operation: 'send', handle: () => sendEmail(request), faultBody };
      if (request.url.pathname !== '/emails/batch') return undefined;
      // A key is in flight from the request's arrival until Resend is done with it, whether or not the
      // caller still waits for the answer.
      const key = request.headers['idempotency-key'];
      const concurrent = key !== undefined && inFlightKeys.has(key);
      if (key !== undefined && !concurrent) inFlightKeys.add(key);
      return {
        operation: 'batch',
        handle: () => sendBatch(request, concurrent),
        settled: () => {
          if (key !== undefined && !concurrent) inFlightKeys.delete(key);
        },
        faultBody,
      };
    },
    control(request, standin) {
      const common = commonControl(request, standin);
      if (common) return common;
      if (request.method === 'GET' && request.url.pathname === '/__standin/emails') return { status: 200, body: sent };
      if (request.method === 'GET' && request.url.pathname === '/__standin/rate-limited') return { status: 200, body: { rateLimited } };
      return undefined;
    },
  });
  return Object.assign(server, {
    emails: () => [...sent],
    rateLimited: () => rateLimited,
    setRequestsPerSecond: (perSecond: number) => {
      requestsPerSecond = perSecond;
      bucket = { tokens: perSecond, at: Date.now() };
    },
    ageIdempotencyKeys: (ms: number) => {
      for (const stored of byKey.values()) stored.storedAt -= ms;
    },
  });
}

import { createHash, randomUUID } from 'node:crypto';
import { commonControl, startStandin, type StandinAnswer, type StandinRequest, type StandinServer } from './http';

/**
 * A local Resend API (`POST /emails`) that behaves as the real one does where this project depends
 * on it: bearer API keys, validation errors in Resend's shape, and `Idempotency-Key` (the same key
 * and payload answer the first email's id without sending again; the same key with another payload
 * is a 409).
 */

export interface SentEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string | undefined;
  html: string | undefined;
  idempotencyKey: string | undefined;
  sentAt: string;
}

export interface ResendStandin extends StandinServer {
  emails(): SentEmail[];
}

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

export async function startResendStandin(options: { port?: number; host?: string; latencyMs?: number } = {}): Promise<ResendStandin> {
  const sent: SentEmail[] = [];
  const byKey = new Map<string, { digest: string; id: string }>();

  function sendEmail(request: StandinRequest): StandinAnswer {
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || auth.length <= 'Bearer '.length) {
      return { status: 401, body: resendError(401, 'missing_api_key', 'Missing API key in the authorization header.') };
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    const to = typeof body.to === 'string' ? [body.to] : Array.isArray(body.to) ? body.to.filter((t): t is string => typeof t === 'string') : [];
    if (typeof body.from !== 'string' || body.from === '') return { status: 422, body: resendError(422, 'missing_required_field', 'Missing `from` field.') };
    if (to.length === 0) return { status: 422, body: resendError(422, 'missing_required_field', 'Missing `to` field.') };
    if (typeof body.subject !== 'string' || body.subject === '') {
      return { status: 422, body: resendError(422, 'missing_required_field', 'Missing `subject` field.') };
    }
    const key = request.headers['idempotency-key'];
    const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    if (key) {
      const earlier = byKey.get(key);
      if (earlier && earlier.digest !== digest) {
        return {
          status: 409,
          body: resendError(409, 'invalid_idempotent_request', "Same idempotency key used with a different request payload. Change your idempotency key or don't change your payload."),
        };
      }
      if (earlier) return { status: 200, body: { id: earlier.id } };
    }
    const id = randomUUID();
    if (key) byKey.set(key, { digest, id });
    sent.push({
      id,
      from: body.from,
      to,
      subject: body.subject,
      text: typeof body.text === 'string' ? body.text : undefined,
      html: typeof body.html === 'string' ? body.html : undefined,
      idempotencyKey: key,
      sentAt: new Date().toISOString(),
    });
    return { status: 200, body: { id }, wrote: true };
  }

  const server = await startStandin({
    ...options,
    notFoundBody: resendError(404, 'not_found', 'The requested endpoint does not exist.'),
    onReset: () => {
      sent.length = 0;
      byKey.clear();
    },
    route(request) {
      if (request.method !== 'POST' || request.url.pathname !== '/emails') return undefined;
      return {
        operation: 'send',
        handle: () => sendEmail(request),
        faultBody: (fault) => {
          const [name, message] = DEFAULT_FAULT_NAME[fault.status] ?? ['application_error', 'Error'];
          return resendError(fault.status, fault.reason ?? name, fault.message ?? message);
        },
      };
    },
    control(request, standin) {
      const common = commonControl(request, standin);
      if (common) return common;
      if (request.method === 'GET' && request.url.pathname === '/__standin/emails') return { status: 200, body: sent };
      return undefined;
    },
  });
  return Object.assign(server, { emails: () => [...sent] });
}

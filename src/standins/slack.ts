import { commonControl, startStandin, type StandinAnswer, type StandinRequest, type StandinServer } from './http';

/**
 * A local Slack incoming webhook (`POST /services/...`) that answers as Slack does: `200 ok` in plain
 * text, and plain-text errors such as `400 invalid_payload` or `404 no_service`.
 */

export interface SlackMessage {
  path: string;
  text: string;
  receivedAt: string;
}

export interface SlackWebhookStandin extends StandinServer {
  messages(): SlackMessage[];
  /** A webhook URL on this stand-in. */
  webhookUrl: string;
}

const DEFAULT_FAULT_TEXT: Record<number, string> = {
  400: 'invalid_payload',
  403: 'action_prohibited',
  404: 'no_service',
  410: 'channel_is_archived',
  429: 'rate_limited',
  500: 'rollup_error',
  503: 'service_unavailable',
};

export async function startSlackWebhookStandin(options: { port?: number; host?: string; latencyMs?: number } = {}): Promise<SlackWebhookStandin> {
  const received: SlackMessage[] = [];

  function post(request: StandinRequest): StandinAnswer {
    const body = request.body as { text?: unknown } | undefined;
    if (typeof body !== 'object' || body === null) return { status: 400, body: 'invalid_payload' };
    if (typeof body.text !== 'string' || body.text === '') return { status: 400, body: 'no_text' };
    received.push({ path: request.url.pathname, text: body.text, receivedAt: new Date().toISOString() });
    return { status: 200, body: 'ok', wrote: true };
  }

  const server = await startStandin({
    ...options,
    notFoundBody: 'no_service',
    onReset: () => {
      received.length = 0;
    },
    route(request) {
      if (request.method !== 'POST' || !request.url.pathname.startsWith('/services/')) return undefined;
      return { operation: 'post', handle: () => post(request), faultBody: (fault) => fault.reason ?? DEFAULT_FAULT_TEXT[fault.status] ?? 'error' };
    },
    control(request, standin) {
      const common = commonControl(request, standin);
      if (common) return common;
      if (request.method === 'GET' && request.url.pathname === '/__standin/messages') return { status: 200, body: received };
      return undefined;
    },
  });
  return Object.assign(server, { messages: () => [...received], webhookUrl: `${server.url}/services/T000/B000/standin` });
}

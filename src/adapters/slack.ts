/** Slack's answer to one post; a failure names the answer, never the webhook's address (it is a secret). */
export type SlackPost = { ok: true } | { ok: false; status: number | null; message: string };

/** Posts `text` to a Slack incoming webhook, giving up after `timeoutMs` without an answer. */
export async function postToSlackWebhook(webhookUrl: string, text: string, options: { timeoutMs: number; fetch?: typeof globalThis.fetch }): Promise<SlackPost> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchFn(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return { ok: false, status: null, message: `Slack webhook: ${timedOut ? `no answer within ${options.timeoutMs} ms` : `no answer (${(error as Error).name})`}` };
  }
  if (!response.ok) return { ok: false, status: response.status, message: `Slack webhook answered ${response.status} ${(await response.text()).slice(0, 200)}` };
  return { ok: true };
}

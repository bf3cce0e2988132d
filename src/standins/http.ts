import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan, type FaultRule, type RecordedRequest } from './faults';

export interface StandinRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export interface StandinAnswer {
  status: number;
  /** JSON, or plain text when a string. */
  body?: unknown;
  /** True when the call changed state: a drop-after-write fault applies only to those. */
  wrote?: boolean;
}

export interface StandinRoute {
  operation: string;
  handle: () => StandinAnswer;
  /**
   * Called once the server is done with the request (after any latency or delay, whether or not the
   * caller still waits; for a hung one, when its connection closes). The route is found on arrival.
   */
  settled?: () => void;
  /** The API's error body for an injected fault. */
  faultBody: (fault: FaultRule & { status: number }) => unknown;
  /** The API's own refusal, checked before faults (its rate limits): an answer refuses the call. */
  admit?: () => StandinAnswer | undefined;
}

export interface StandinServer {
  url: string;
  port: number;
  faults: FaultPlan;
  requests: RecordedRequest[];
  /** When callers hung up before their answer (a killed process, a client timeout). */
  clientAborts: string[];
  /** The callers' TCP ports of calls received and not yet answered. */
  inFlight(): number[];
  setLatency(ms: number): void;
  /** Forgets faults, latency, the request log and (through `onReset`) the stand-in's own state. */
  reset(): void;
  close(): Promise<void>;
}

export interface StandinOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  /** Finds the API route for a request, or undefined for 404. */
  route: (request: StandinRequest) => StandinRoute | undefined;
  /** Extra control endpoints under /__standin/, for tests and demos over HTTP. */
  control: (request: StandinRequest, server: StandinServer) => StandinAnswer | undefined;
  notFoundBody: unknown;
  onReset: () => void;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res: ServerResponse, answer: StandinAnswer): void {
  if (answer.body === undefined) {
    res.writeHead(answer.status).end();
    return;
  }
  // Some APIs (Slack's webhooks) answer in plain text; the rest in JSON.
  if (typeof answer.body === 'string') {
    res.writeHead(answer.status, { 'content-type': 'text/plain; charset=UTF-8' }).end(answer.body);
    return;
  }
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(answer.body));
}

/** A JSON HTTP server with latency, fault injection and a log of what it received. */
export async function startStandin(options: StandinOptions): Promise<StandinServer> {
  let latencyMs = options.latencyMs ?? 0;
  const faults = new FaultPlan();
  const requests: RecordedRequest[] = [];
  const clientAborts: string[] = [];
  const inFlight = new Map<ServerResponse, number>();
  let standin: StandinServer;

  const server: Server = createServer((req, res) => {
    let droppedOnPurpose = false;
    inFlight.set(res, req.socket.remotePort ?? 0);
    res.on('close', () => {
      inFlight.delete(res);
      if (!res.writableFinished && !droppedOnPurpose) clientAborts.push(new Date().toISOString());
    });
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const request: StandinRequest = { method: req.method ?? 'GET', url, headers, body: await readBody(req) };
      if (url.pathname.startsWith('/__standin/')) {
        send(res, options.control(request, standin) ?? { status: 404, body: { error: `no control endpoint ${url.pathname}` } });
        return;
      }
      const route = options.route(request);
      let hung = false;
      try {
        hung = await respond(request, route);
      } finally {
        if (hung) res.on('close', () => route?.settled?.());
        else route?.settled?.();
      }
    })().catch((error: unknown) => send(res, { status: 500, body: { error: String(error) } }));

    /** Answers the request after its latency, faults and all; true when it is left hanging. */
    async function respond(request: StandinRequest, route: StandinRoute | undefined): Promise<boolean> {
      const { url, headers } = request;
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const record = (status: RecordedRequest['status'], operation: string, delayedMs?: number) =>
        requests.push({
          at: new Date().toISOString(),
          operation,
          method: request.method,
          path: url.pathname + url.search,
          headers,
          body: request.body,
          status,
          ...(delayedMs ? { delayedMs } : {}),
        });
      if (!route) {
        record(404, 'unknown');
        send(res, { status: 404, body: options.notFoundBody });
        return false;
      }
      const refusal = route.admit?.();
      if (refusal) {
        record(refusal.status, route.operation);
        send(res, refusal);
        return false;
      }
      const fault = faults.take(route.operation);
      if (fault?.hang) {
        record('hung', route.operation); // no answer; the connection stays open until close()
        return true;
      }
      if (fault && !fault.dropResponseAfterWrite && fault.delayMs === undefined && fault.status !== undefined) {
        record(fault.status, route.operation);
        send(res, { status: fault.status, body: route.faultBody({ ...fault, status: fault.status }) });
        return false;
      }
      const answer = route.handle();
      if (fault?.dropResponseAfterWrite && answer.wrote) {
        record('dropped', route.operation);
        droppedOnPurpose = true;
        res.socket?.destroy();
        return false;
      }
      record(answer.status, route.operation, fault?.delayMs);
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (!res.destroyed) send(res, answer);
      return false;
    }
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  standin = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    faults,
    requests,
    clientAborts,
    inFlight: () => [...inFlight.values()],
    setLatency: (ms) => {
      latencyMs = ms;
    },
    reset: () => {
      faults.clear();
      requests.length = 0;
      clientAborts.length = 0;
      latencyMs = 0;
      options.onReset();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return standin;
}

/** The control endpoints both stand-ins share: faults, latency, the request log. */
export function commonControl(request: StandinRequest, server: StandinServer): StandinAnswer | undefined {
  const path = request.url.pathname.replace('/__standin/', '');
  if (request.method === 'POST' && path === 'faults') {
    try {
      server.faults.add(request.body as FaultRule);
    } catch (error) {
      return { status: 400, body: { error: (error as Error).message } };
    }
    return { status: 204 };
  }
  if (request.method === 'POST' && path === 'latency') {
    const ms = (request.body as { ms?: unknown } | undefined)?.ms;
    if (typeof ms !== 'number' || ms < 0) return { status: 400, body: { error: 'send {"ms": <non-negative number>}' } };
    server.setLatency(ms);
    return { status: 204 };
  }
  if (request.method === 'GET' && path === 'requests') return { status: 200, body: server.requests };
  if (request.method === 'POST' && path === 'reset') {
    server.reset();
    return { status: 204 };
  }
  return undefined;
}

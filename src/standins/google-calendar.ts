import { randomInt } from 'node:crypto';
import { CallLimits, callLimitSettingsInput, type CallLimitSettings, type RateLimitCounts } from './call-limits';
import { commonControl, startStandin, type StandinAnswer, type StandinRequest, type StandinServer } from './http';

/**
 * A local Google Calendar API (v3 events) that behaves as the real one does where this project
 * depends on it: client-chosen ids (409 on a repeat, kept after delete), Meet conferences that are
 * `pending` at first and `success` on a later read, 204 then 410 on delete, and Google's error bodies.
 */

export interface ConferenceBehaviour {
  /** How many reads of an event still see its new conference as `pending` (0: ready at once). */
  pendingPolls: number;
  /** How a conference request ends. */
  outcome: 'success' | 'failure';
  /**
   * How long a new conference stays `pending` however often it is read, drawn evenly from
   * [min, max] ms per request (Google takes a second or two); 0: only `pendingPolls` counts.
   */
  pendingMs: { min: number; max: number };
}

export interface StoredEvent {
  calendarId: string;
  deleted: boolean;
  /** The event as events.get returns it. */
  resource: Record<string, unknown> & { id: string };
  pendingReadsLeft: number;
  /** Epoch ms before which its conference stays pending (see `pendingMs`). */
  pendingUntil: number;
  /** Every requestId a conference was asked for with, in order. */
  conferenceRequests: string[];
}

export interface GoogleCalendarStandin extends StandinServer {
  events(): StoredEvent[];
  configure(behaviour: Partial<ConferenceBehaviour>): void;
  /** Calls refused by the rate limit and by the organizer quota (the token endpoint is not limited). */
  rateLimited(): RateLimitCounts;
}

const REFUSALS = {
  rateLimitExceeded: googleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits'),
  quotaExceeded: googleError(403, 'quotaExceeded', 'Calendar usage limits exceeded.', 'usageLimits'),
};

const EVENT_ID = /^[a-v0-9]{5,1024}$/;
const EVENTS_PATH = /^\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/;

export function googleError(status: number, reason: string, message: string, domain = 'global') {
  return { error: { code: status, message, errors: [{ domain, reason, message }] } };
}

const DEFAULT_FAULT_REASON: Record<number, [string, string, string]> = {
  400: ['global', 'badRequest', 'Bad Request'],
  401: ['global', 'authError', 'Invalid Credentials'],
  403: ['usageLimits', 'rateLimitExceeded', 'Rate Limit Exceeded'],
  404: ['global', 'notFound', 'Not Found'],
  409: ['global', 'duplicate', 'The requested identifier already exists.'],
  410: ['global', 'deleted', 'Resource has been deleted'],
  429: ['usageLimits', 'rateLimitExceeded', 'Rate Limit Exceeded'],
  500: ['global', 'backendError', 'Backend Error'],
  502: ['global', 'backendError', 'Bad Gateway'],
  503: ['global', 'backendError', 'The service is currently unavailable.'],
  504: ['global', 'backendError', 'Gateway Timeout'],
};

export function oauthError(error: string, description: string) {
  return { error, error_description: description };
}

/**
 * Google's OAuth token endpoint for a service account: a signed JWT (`grant_type` jwt-bearer) in, an
 * access token out. The signature is not checked (the stand-in has no public key); its shape is.
 */
function issueToken(request: StandinRequest): StandinAnswer {
  const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return { status: 400, body: oauthError('unsupported_grant_type', 'Invalid grant_type: ') };
  if ((form.get('assertion') ?? '').split('.').length !== 3) return { status: 400, body: oauthError('invalid_request', 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.') };
  return { status: 200, body: { access_token: `ya29.standin-${randomInt(1e9)}`, expires_in: 3600, token_type: 'Bearer' } };
}

function meetCode(): string {
  const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');
  return `${letters(3)}-${letters(4)}-${letters(3)}`;
}

function readyConference(requestId: string) {
  const code = meetCode();
  return {
    createRequest: { requestId, conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: 'success' } },
    entryPoints: [{ entryPointType: 'video', uri: `https://meet.google.com/${code}`, label: `meet.google.com/${code}` }],
    conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
    conferenceId: code,
  };
}

export async function startGoogleCalendarStandin(
  options: { port?: number; host?: string; latencyMs?: number } & Partial<ConferenceBehaviour> & CallLimitSettings = {},
): Promise<GoogleCalendarStandin> {
  const defaults: ConferenceBehaviour = { pendingPolls: options.pendingPolls ?? 1, outcome: options.outcome ?? 'success', pendingMs: options.pendingMs ?? { min: 0, max: 0 } };
  let behaviour = { ...defaults };
  const store = new Map<string, StoredEvent>();
  const limits = new CallLimits({ enforceCallsPerSecond: options.enforceCallsPerSecond, organizerQuota: options.organizerQuota });
  /** Google's limits hold for every Calendar call, counted per project and per organizer calendar. */
  const admit = (calendarId: string) => (): StandinAnswer | undefined => {
    const refusal = limits.admit(calendarId);
    return refusal ? { status: 403, body: REFUSALS[refusal] } : undefined;
  };

  /** Starts a conference for the event, or leaves it alone when this requestId was seen (Google ignores repeats). */
  function requestConference(event: StoredEvent, createRequest: unknown): StandinAnswer | undefined {
    const request = createRequest as { requestId?: unknown; conferenceSolutionKey?: { type?: unknown } } | undefined;
    if (!request) return undefined;
    if (typeof request.requestId !== 'string' || request.requestId === '') {
      return { status: 400, body: googleError(400, 'required', 'Missing conference request id.') };
    }
    if (request.conferenceSolutionKey?.type !== 'hangoutsMeet') return { status: 400, body: googleError(400, 'invalid', 'Invalid conference type value.') };
    if (event.conferenceRequests.includes(request.requestId)) return undefined;
    event.conferenceRequests.push(request.requestId);
    event.pendingReadsLeft = behaviour.pendingPolls;
    const { min, max } = behaviour.pendingMs;
    event.pendingUntil = Date.now() + min + Math.random() * Math.max(0, max - min);
    event.resource.conferenceData = {
      createRequest: { requestId: request.requestId, conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: 'pending' } },
      conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
    };
    delete event.resource.hangoutLink;
    settleConference(event, 0);
    return undefined;
  }

  /** A pending conference becomes ready (or fails) once it has been read `pendingPolls` times and its `pendingMs` are over. */
  function settleConference(event: StoredEvent, reads: number): void {
    const data = event.resource.conferenceData as { createRequest?: { requestId: string; status: { statusCode: string } } } | undefined;
    if (data?.createRequest?.status.statusCode !== 'pending') return;
    event.pendingReadsLeft -= reads;
    if (event.pendingReadsLeft > 0 || Date.now() < event.pendingUntil) return;
    if (behaviour.outcome === 'failure') {
      data.createRequest.status.statusCode = 'failure';
      return;
    }
    const ready = readyConference(data.createRequest.requestId);
    event.resource.conferenceData = ready;
    event.resource.hangoutLink = ready.entryPoints[0]?.uri;
  }

  function timeProblem(start: unknown, end: unknown): StandinAnswer | undefined {
    const startTime = Date.parse((start as { dateTime?: string } | undefined)?.dateTime ?? '');
    const endTime = Date.parse((end as { dateTime?: string } | undefined)?.dateTime ?? '');
    if (Number.isNaN(startTime)) return { status: 400, body: googleError(400, 'required', 'Missing start time.') };
    if (Number.isNaN(endTime)) return { status: 400, body: googleError(400, 'required', 'Missing end time.') };
    if (endTime <= startTime) return { status: 400, body: googleError(400, 'timeRangeEmpty', 'The specified time range is empty.') };
    return undefined;
  }

  function insert(calendarId: string, request: StandinRequest): StandinAnswer {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const id = typeof body.id === 'string' ? body.id : meetCode().replace(/-/g, '') + randomInt(1e9).toString(32);
    if (!EVENT_ID.test(id)) return { status: 400, body: googleError(400, 'invalid', 'Invalid resource id value.') };
    if (store.has(id)) return { status: 409, body: googleError(409, 'duplicate', 'The requested identifier already exists.') };
    const problem = timeProblem(body.start, body.end);
    if (problem) return problem;
    const { conferenceData, ...rest } = body;
    const event: StoredEvent = {
      calendarId,
      deleted: false,
      resource: { kind: 'calendar#event', ...rest, id, status: 'confirmed', created: new Date().toISOString() },
      pendingReadsLeft: 0,
      pendingUntil: 0,
      conferenceRequests: [],
    };
    // Like Google, conference data is only read when the client says it supports it.
    if (request.url.searchParams.get('conferenceDataVersion') === '1') {
      const rejected = requestConference(event, (conferenceData as { createRequest?: unknown } | undefined)?.createRequest);
      if (rejected) return rejected;
    }
    store.set(id, event);
    return { status: 200, body: event.resource, wrote: true };
  }

  function patch(event: StoredEvent, request: StandinRequest): StandinAnswer {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { conferenceData, id: _ignoredId, ...rest } = body;
    const problem = timeProblem(rest.start ?? event.resource.start, rest.end ?? event.resource.end);
    if (problem) return problem;
    if (request.url.searchParams.get('conferenceDataVersion') === '1' && conferenceData) {
      const rejected = requestConference(event, (conferenceData as { createRequest?: unknown }).createRequest);
      if (rejected) return rejected;
    }
    Object.assign(event.resource, rest, { updated: new Date().toISOString() });
    return { status: 200, body: event.resource, wrote: true };
  }

  const server = await startStandin({
    ...options,
    notFoundBody: googleError(404, 'notFound', 'Not Found'),
    onReset: () => {
      store.clear();
      behaviour = { ...defaults };
      limits.reset();
    },
    route(request) {
      if (request.method === 'POST' && request.url.pathname === '/token') {
        // OAuth errors have their own shape: {"error": "invalid_grant", "error_description": "..."}.
        return { operation: 'token', handle: () => issueToken(request), faultBody: (fault) => oauthError(fault.reason ?? 'invalid_grant', fault.message ?? 'Invalid grant: account not found') };
      }
      const match = EVENTS_PATH.exec(request.url.pathname);
      if (!match) return undefined;
      const calendarId = decodeURIComponent(match[1] ?? '');
      const eventId = match[2] ? decodeURIComponent(match[2]) : undefined;
      const faultBody = (fault: { status: number; reason?: string; message?: string }) => {
        const [domain, reason, message] = DEFAULT_FAULT_REASON[fault.status] ?? ['global', 'unknown', 'Error'];
        return googleError(fault.status, fault.reason ?? reason, fault.message ?? message, domain);
      };
      const limited = { faultBody, admit: admit(calendarId) };
      if (!eventId) return request.method === 'POST' ? { operation: 'insert', ...limited, handle: () => insert(calendarId, request) } : undefined;
      const found = store.get(eventId);
      const handleExisting = (act: (event: StoredEvent) => StandinAnswer) => (): StandinAnswer => {
        if (!found || found.calendarId !== calendarId) return { status: 404, body: googleError(404, 'notFound', 'Not Found') };
        return act(found);
      };
      switch (request.method) {
        case 'GET':
          return {
            operation: 'get',
            ...limited,
            handle: handleExisting((event) => {
              settleConference(event, 1);
              return { status: 200, body: event.resource };
            }),
          };
        case 'PATCH':
          return {
            operation: 'patch',
            ...limited,
            handle: handleExisting((event) =>
              event.deleted ? { status: 410, body: googleError(410, 'deleted', 'Resource has been deleted') } : patch(event, request),
            ),
          };
        case 'DELETE':
          return {
            operation: 'delete',
            ...limited,
            handle: handleExisting((event) => {
              if (event.deleted) return { status: 410, body: googleError(410, 'deleted', 'Resource has been deleted') };
              event.deleted = true;
              event.resource.status = 'cancelled';
              return { status: 204, wrote: true };
            }),
          };
        default:
          return undefined;
      }
    },
    control(request, standin) {
      const common = commonControl(request, standin);
      if (common) return common;
      const path = request.url.pathname;
      if (request.method === 'GET' && path === '/__standin/events') return { status: 200, body: [...store.values()] };
      if (request.method === 'POST' && path === '/__standin/conference') {
        const body = (request.body ?? {}) as Partial<ConferenceBehaviour>;
        behaviour = { ...behaviour, ...body };
        return { status: 200, body: behaviour };
      }
      if (path === '/__standin/rate-limits') {
        if (request.method === 'POST') {
          const parsed = callLimitSettingsInput.safeParse(request.body ?? {});
          if (!parsed.success) {
            return { status: 400, body: { error: 'send {"enforceCallsPerSecond"?: <positive number | null>, "organizerQuota"?: {"calls": <n>, "perMs": <ms>} | null}' } };
          }
          limits.configure(parsed.data);
        }
        if (request.method === 'POST' || request.method === 'GET') return { status: 200, body: { ...limits.current(), rateLimited: limits.rateLimited() } };
      }
      return undefined;
    },
  });

  return Object.assign(server, {
    rateLimited: () => limits.rateLimited(),
    events: () => [...store.values()],
    configure: (next: Partial<ConferenceBehaviour>) => {
      behaviour = { ...behaviour, ...next };
    },
  });
}

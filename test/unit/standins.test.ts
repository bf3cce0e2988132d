import { createCalendarApi } from '../../src/adapters/google-calendar';
import { createResendClient } from '../../src/adapters/resend';
import { describeGoogleError } from '../../src/domain/google-errors';
import { CallLimits } from '../../src/standins/call-limits';
import { startGoogleCalendarStandin, type GoogleCalendarStandin } from '../../src/standins/google-calendar';
import { startResendStandin, type ResendStandin } from '../../src/standins/resend';

// The stand-ins through the official SDKs, over real HTTP: they must answer as Google and Resend do.

describe('Google Calendar stand-in', () => {
  let google: GoogleCalendarStandin;
  let calendar: ReturnType<typeof createCalendarApi>;
  const event = (id: string) => ({
    id,
    start: { dateTime: '2026-12-01T15:00:00Z' },
    end: { dateTime: '2026-12-01T16:00:00Z' },
    conferenceData: { createRequest: { requestId: `r-${id}`, conferenceSolutionKey: { type: 'hangoutsMeet' } } },
  });
  const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, describeGoogleError);

  beforeAll(async () => {
    google = await startGoogleCalendarStandin();
    calendar = createCalendarApi({ baseUrl: google.url, serviceAccountKey: undefined, impersonateSubject: undefined, tokenUrl: undefined });
  });
  afterAll(() => google.close());
  beforeEach(() => google.reset());

  test('a new conference is pending first and ready on a later read', async () => {
    const inserted = await calendar.events.insert({ calendarId: 'primary', conferenceDataVersion: 1, requestBody: event('abcde1') });
    expect(inserted.data.conferenceData?.createRequest?.status?.statusCode).toBe('pending');
    expect(inserted.data.hangoutLink).toBeUndefined();
    const read = await calendar.events.get({ calendarId: 'primary', eventId: 'abcde1' });
    expect(read.data.conferenceData?.createRequest?.status?.statusCode).toBe('success');
    expect(read.data.hangoutLink).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
  });

  test('with pendingMs a conference stays pending, however often read, until its time is over', async () => {
    google.configure({ pendingPolls: 0, pendingMs: { min: 300, max: 300 } });
    await calendar.events.insert({ calendarId: 'primary', conferenceDataVersion: 1, requestBody: event('abcde8') });
    const statusNow = async () => (await calendar.events.get({ calendarId: 'primary', eventId: 'abcde8' })).data.conferenceData?.createRequest?.status?.statusCode;
    expect(await statusNow()).toBe('pending');
    expect(await statusNow()).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await statusNow()).toBe('success');
  });

  test('without conferenceDataVersion=1 the conference request is ignored, as Google does', async () => {
    const inserted = await calendar.events.insert({ calendarId: 'primary', requestBody: event('abcde2') });
    expect(inserted.data.conferenceData).toBeUndefined();
  });

  test('a repeated id is 409 duplicate; a bad id is 400', async () => {
    await calendar.events.insert({ calendarId: 'primary', conferenceDataVersion: 1, requestBody: event('abcde3') });
    expect(await failureOf(calendar.events.insert({ calendarId: 'primary', conferenceDataVersion: 1, requestBody: event('abcde3') }))).toMatchObject({
      status: 409,
      reason: 'duplicate',
    });
    expect(await failureOf(calendar.events.insert({ calendarId: 'primary', requestBody: event('ABC!') }))).toMatchObject({ status: 400, reason: 'invalid' });
    expect(google.events()).toHaveLength(1);
  });

  test('delete answers 204, then 410 deleted; an unknown event is 404', async () => {
    await calendar.events.insert({ calendarId: 'primary', requestBody: event('abcde4') });
    expect((await calendar.events.delete({ calendarId: 'primary', eventId: 'abcde4' })).status).toBe(204);
    expect(await failureOf(calendar.events.delete({ calendarId: 'primary', eventId: 'abcde4' }))).toMatchObject({ status: 410, reason: 'deleted' });
    expect(await failureOf(calendar.events.get({ calendarId: 'primary', eventId: 'nosuch' }))).toMatchObject({ status: 404, reason: 'notFound' });
  });

  test('an injected 403 rateLimitExceeded comes in Google’s error body and is retryable', async () => {
    google.faults.add({ operation: 'insert', status: 403, times: 1 });
    expect(await failureOf(calendar.events.insert({ calendarId: 'primary', requestBody: event('abcde5') }))).toEqual({
      status: 403,
      reason: 'rateLimitExceeded',
      message: 'Google Calendar answered 403 rateLimitExceeded: Rate Limit Exceeded',
      retryable: true,
      credentials: false,
    });
    await calendar.events.insert({ calendarId: 'primary', requestBody: event('abcde5') });
  });

  test('a dropped response after the write: the client sees no answer, the event exists', async () => {
    google.faults.add({ operation: 'insert', dropResponseAfterWrite: true, times: 1 });
    expect(await failureOf(calendar.events.insert({ calendarId: 'primary', requestBody: event('abcde6') }))).toMatchObject({ status: undefined, retryable: true });
    expect(google.events().map((e) => e.resource.id)).toEqual(['abcde6']);
  });

  test('latency and faults can be set over HTTP, and the request log read back', async () => {
    const post = (path: string, body: unknown) => fetch(`${google.url}/__standin/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('latency', { ms: 150 })).status).toBe(204);
    expect((await post('faults', { operation: 'get', status: 503, times: 1 })).status).toBe(204);
    expect((await post('faults', { operation: 'get' })).status).toBe(400);
    const started = Date.now();
    expect(await failureOf(calendar.events.get({ calendarId: 'primary', eventId: 'abcde7' }))).toMatchObject({ status: 503, retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const log = (await (await fetch(`${google.url}/__standin/requests`)).json()) as Array<{ operation: string; status: number }>;
    expect(log).toEqual([expect.objectContaining({ operation: 'get', status: 503 })]);
  });
});

describe("Google's limits in the Calendar stand-in", () => {
  const standins: GoogleCalendarStandin[] = [];
  afterAll(() => Promise.all(standins.map((standin) => standin.close())));
  async function limitedStandin(options: Parameters<typeof startGoogleCalendarStandin>[0]) {
    const standin = await startGoogleCalendarStandin(options);
    standins.push(standin);
    return { standin, calendar: createCalendarApi({ baseUrl: standin.url, serviceAccountKey: undefined, impersonateSubject: undefined, tokenUrl: undefined }) };
  }
  const outcome = (promise: Promise<{ status: number }>) => promise.then((response) => ({ status: response.status, reason: undefined }), describeGoogleError);
  const signIn = (url: string) =>
    fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'a.b.c' }).toString(),
    });

  test('enforceCallsPerSecond: calls beyond it in a second get 403 usageLimits rateLimitExceeded, counted; the token endpoint is not limited', async () => {
    const { standin, calendar } = await limitedStandin({ enforceCallsPerSecond: 3 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => outcome(calendar.events.get({ calendarId: 'primary', eventId: 'nosuch' }))));
    expect(answers.filter((answer) => answer.status === 404)).toHaveLength(3);
    const refused = answers.filter((answer) => answer.status === 403);
    expect(refused).toHaveLength(2);
    expect(refused[0]).toEqual({ status: 403, reason: 'rateLimitExceeded', message: 'Google Calendar answered 403 rateLimitExceeded: Rate Limit Exceeded', retryable: true, credentials: false });
    expect(standin.requests.filter((request) => request.status === 403)).toHaveLength(2);
    for (let i = 0; i < 5; i++) expect((await signIn(standin.url)).status).toBe(200);
    expect(standin.rateLimited()).toEqual({ rateLimitExceeded: 2, quotaExceeded: 0 });
    const body = await (await fetch(`${standin.url}/__standin/rate-limits`)).json();
    expect(body).toEqual({ enforceCallsPerSecond: 3, rateLimited: { rateLimitExceeded: 2, quotaExceeded: 0 } });
  });

  test("organizerQuota: one organizer's calls beyond it get 403 quotaExceeded, another organizer's still go", async () => {
    const { standin, calendar } = await limitedStandin({ organizerQuota: { calls: 2, perMs: 60_000 } });
    const get = (calendarId: string) => outcome(calendar.events.get({ calendarId, eventId: 'nosuch' }));
    expect(await get('teacher-a@example.com')).toMatchObject({ status: 404 });
    expect(await get('teacher-a@example.com')).toMatchObject({ status: 404 });
    expect(await get('teacher-a@example.com')).toEqual({
      status: 403,
      reason: 'quotaExceeded',
      message: 'Google Calendar answered 403 quotaExceeded: Calendar usage limits exceeded.',
      retryable: true,
      credentials: false,
    });
    expect(await get('teacher-b@example.com')).toMatchObject({ status: 404 });
    expect(standin.rateLimited()).toEqual({ rateLimitExceeded: 0, quotaExceeded: 1 });
  });

  test('the limits are set and read over HTTP (for a stand-in in another process); reset goes back to the start options', async () => {
    const { standin, calendar } = await limitedStandin({});
    const post = (body: unknown) => fetch(`${standin.url}/__standin/rate-limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ enforceCallsPerSecond: -1 })).status).toBe(400);
    expect((await post({ organizerQuota: { calls: 1 } })).status).toBe(400);
    const set = await post({ organizerQuota: { calls: 1, perMs: 60_000 } });
    expect(await set.json()).toEqual({ organizerQuota: { calls: 1, perMs: 60_000 }, rateLimited: { rateLimitExceeded: 0, quotaExceeded: 0 } });
    expect(await outcome(calendar.events.get({ calendarId: 'primary', eventId: 'nosuch' }))).toMatchObject({ status: 404 });
    expect(await outcome(calendar.events.get({ calendarId: 'primary', eventId: 'nosuch' }))).toMatchObject({ status: 403, reason: 'quotaExceeded' });
    await post({ organizerQuota: null });
    expect(await outcome(calendar.events.get({ calendarId: 'primary', eventId: 'nosuch' }))).toMatchObject({ status: 404 });
    await post({ enforceCallsPerSecond: 1 });
    standin.reset();
    expect(await (await fetch(`${standin.url}/__standin/rate-limits`)).json()).toEqual({ rateLimited: { rateLimitExceeded: 0, quotaExceeded: 0 } });
  });

  test('the windows slide: a call goes again once earlier ones are older than the window, and refused calls do not use it up', () => {
    let now = 10_000;
    const limits = new CallLimits({ enforceCallsPerSecond: 2, organizerQuota: { calls: 3, perMs: 5_000 } }, () => now);
    expect([limits.admit('a'), limits.admit('a')]).toEqual([undefined, undefined]);
    now = 10_999;
    expect(limits.admit('a')).toBe('rateLimitExceeded');
    now = 11_000; // the calls at 10,000 are out of the window (10,000, 11,000]
    expect(limits.admit('a')).toBeUndefined();
    expect(limits.admit('b')).toBeUndefined();
    expect(limits.admit('c')).toBe('rateLimitExceeded');
    now = 12_500;
    expect(limits.admit('a')).toBe('quotaExceeded'); // three calls to a in the last 5 s
    expect(limits.admit('b')).toBeUndefined();
    now = 15_000; // the two at 10,000 have aged out of a's quota window
    expect(limits.admit('a')).toBeUndefined();
    expect(limits.rateLimited()).toEqual({ rateLimitExceeded: 2, quotaExceeded: 1 });
  });
});

describe('Resend stand-in', () => {
  let resendStandin: ResendStandin;
  beforeAll(async () => {
    resendStandin = await startResendStandin();
  });
  afterAll(() => resendStandin.close());
  beforeEach(() => resendStandin.reset());

  const email = { from: 'a@example.com', to: 'b@example.com', subject: 'Hi', text: 'hello' };

  test('the same Idempotency-Key and payload answer the first id and send once', async () => {
    const resend = createResendClient({ apiKey: 're_1', baseUrl: resendStandin.url });
    const first = await resend.emails.send(email, { idempotencyKey: 'k1' });
    const again = await resend.emails.send(email, { idempotencyKey: 'k1' });
    expect(first.data?.id).toBeDefined();
    expect(again.data?.id).toBe(first.data?.id);
    expect(resendStandin.emails()).toHaveLength(1);
  });

  test('the same key with another payload is 409 invalid_idempotent_request', async () => {
    const resend = createResendClient({ apiKey: 're_1', baseUrl: resendStandin.url });
    await resend.emails.send(email, { idempotencyKey: 'k2' });
    const clash = await resend.emails.send({ ...email, subject: 'Other' }, { idempotencyKey: 'k2' });
    expect(clash.error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
  });

  test('validation errors and injected faults come in Resend’s shape', async () => {
    const resend = createResendClient({ apiKey: 're_1', baseUrl: resendStandin.url });
    expect((await resend.emails.send({ ...email, to: [] })).error).toMatchObject({ statusCode: 422, name: 'missing_required_field' });
    resendStandin.faults.add({ operation: 'send', status: 429, times: 1 });
    expect((await resend.emails.send(email)).error).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' });
    expect((await resend.emails.send(email)).error).toBeNull();
  });

  test('a batch is sent once per key: the same payload answers the first ids, another payload 409, each email recorded with its own key', async () => {
    const resend = createResendClient({ apiKey: 're_1', baseUrl: resendStandin.url });
    const batch = ['k-a', 'k-b'].map((key) => ({ ...email, headers: { 'X-Entity-Ref-ID': key } }));
    const first = await resend.batch.send(batch, { idempotencyKey: 'b1' });
    expect(first.data?.data).toHaveLength(2);
    expect((await resend.batch.send(batch, { idempotencyKey: 'b1' })).data?.data).toEqual(first.data?.data);
    expect((await resend.batch.send(batch.slice(0, 1), { idempotencyKey: 'b1' })).error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
    expect(resendStandin.emails().map((sent) => [sent.idempotencyKey, sent.batchIdempotencyKey])).toEqual([
      ['k-a', 'b1'],
      ['k-b', 'b1'],
    ]);
  });

  test('a batch of more than 100 emails, or with attachments, is 422; nothing is sent', async () => {
    const resend = createResendClient({ apiKey: 're_1', baseUrl: resendStandin.url });
    expect((await resend.batch.send(Array.from({ length: 101 }, () => email))).error).toMatchObject({ statusCode: 422, name: 'validation_error' });
    const withAttachment = await fetch(`${resendStandin.url}/emails/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer re_1', 'content-type': 'application/json' },
      body: JSON.stringify([{ ...email, attachments: [{ filename: 'a.txt', content: 'YQ==' }] }]),
    });
    expect(withAttachment.status).toBe(422);
    expect(resendStandin.emails()).toHaveLength(0);
  });

  test('beyond requestsPerSecond the stand-in answers 429 rate_limit_exceeded and counts them', async () => {
    const resend = createResendClient({ apiKey: 're_1', baseUrl: resendStandin.url });
    resendStandin.setRequestsPerSecond(2);
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => resend.batch.send([email], { idempotencyKey: `r${i}` })));
    expect(answers.filter((answer) => answer.error === null)).toHaveLength(2);
    expect(answers.filter((answer) => answer.error?.name === 'rate_limit_exceeded')).toHaveLength(3);
    expect(resendStandin.rateLimited()).toBe(3);
  });

  test('a request without an API key is 401', async () => {
    const response = await fetch(`${resendStandin.url}/emails`, { method: 'POST', body: JSON.stringify(email) });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ name: 'missing_api_key' });
  });
});

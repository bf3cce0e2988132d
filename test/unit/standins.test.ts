import { createCalendarApi } from '../../src/adapters/google-calendar';
import { createResendClient } from '../../src/adapters/resend';
import { describeGoogleError } from '../../src/domain/google-errors';
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

  test('a request without an API key is 401', async () => {
    const response = await fetch(`${resendStandin.url}/emails`, { method: 'POST', body: JSON.stringify(email) });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ name: 'missing_api_key' });
  });
});

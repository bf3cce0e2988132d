import { google, type calendar_v3 } from 'googleapis';
import type { GoogleConfig } from '../config/worker-config';

export type CalendarApi = calendar_v3.Calendar;

const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';

/**
 * The official Calendar client. With a service-account key it signs in as the Workspace user it
 * impersonates; with only a base URL (a local stand-in) it sends no credentials.
 */
export function createCalendarApi(config: Pick<GoogleConfig, 'baseUrl' | 'serviceAccountKey' | 'impersonateSubject'>): CalendarApi {
  const auth = config.serviceAccountKey
    ? new google.auth.JWT({
        email: config.serviceAccountKey.client_email,
        key: config.serviceAccountKey.private_key,
        scopes: [CALENDAR_SCOPE],
        subject: config.impersonateSubject,
      })
    : undefined;
  return google.calendar({
    version: 'v3',
    auth,
    ...(config.baseUrl ? { rootUrl: withTrailingSlash(config.baseUrl) } : {}),
    // Retries belong to the workflow's schedule, where they are durable and visible.
    retry: false,
    timeout: 20_000,
    // Node's own fetch, not gaxios' lazily imported node-fetch: one HTTP stack in production and
    // tests alike (Jest's module sandbox cannot run that dynamic import).
    fetchImplementation: fetch,
  });
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

// The Calendar API's own package, not all of `googleapis`: that loads every Google API (about 110 MB
// of a worker's memory) to use one.
import { auth as googleAuth, calendar, type calendar_v3 } from '@googleapis/calendar';
import type { GoogleConfig } from '../config/worker-config';

export type CalendarApi = calendar_v3.Calendar;

const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
/** Where google-auth-library (gtoken) exchanges the signed JWT for an access token; fixed in its code. */
const GOOGLE_TOKEN_ENDPOINT = 'https://oauth2.googleapis.com/token';

/**
 * The official Calendar client. With a service-account key it signs in as the Workspace user it
 * impersonates (at `tokenUrl` instead of Google's token endpoint when set, for a stand-in); with only
 * a base URL (a local stand-in) it sends no credentials.
 */
export function createCalendarApi(config: Pick<GoogleConfig, 'baseUrl' | 'serviceAccountKey' | 'impersonateSubject' | 'tokenUrl'>): CalendarApi {
  const auth = config.serviceAccountKey
    ? new googleAuth.JWT({
        email: config.serviceAccountKey.client_email,
        key: config.serviceAccountKey.private_key,
        scopes: [CALENDAR_SCOPE],
        subject: config.impersonateSubject,
        transporterOptions: { fetchImplementation: fetch, timeout: 20_000 },
      })
    : undefined;
  const { tokenUrl } = config;
  if (auth && tokenUrl) {
    // gtoken has no option for its endpoint, but sends through the client's transporter (gaxios),
    // whose request interceptors may rewrite the URL.
    auth.transporter.interceptors.request.add({
      resolved: async (request) => (String(request.url) === GOOGLE_TOKEN_ENDPOINT ? { ...request, url: new URL(tokenUrl) } : request),
    });
  }
  return calendar({
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

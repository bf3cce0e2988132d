import { Context, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '@prisma/client';
import type { CalendarApi } from '../adapters/google-calendar';
import type { RateBudget } from '../adapters/rate-budget';
import { meetingEventBody, readCalendarEvent, sessionEventFacts, type CalendarEventView } from '../domain/calendar-event';
import { describeGoogleError, GOOGLE_CREDENTIALS_ERROR } from '../domain/google-errors';
import { conferenceRequestId, meetingEventId } from '../domain/meeting-ids';
import { loadSessionDetails } from './session-details';
import { noMetrics, type GoogleMethod, type MeetingMetrics } from '../metrics/recorder';

export interface CalendarDeps {
  prisma: PrismaClient;
  calendar: CalendarApi;
  calendarId: string;
  /**
   * Google's call rate, shared by every worker (DESIGN.md "Rate"): each Calendar call takes a slot
   * first, so inserts, every conference poll, moves and deletes all count against it.
   */
  googleBudget: RateBudget;
  /** Waits between polls of a pending conference; the last one repeats. */
  conferencePollIntervalsMs?: number[];
  metrics?: MeetingMetrics;
}

export interface MeetingEventResult {
  eventId: string;
  /** Set when the conference was ready in the first answer. */
  meetingUrl: string | null;
}

const DEFAULT_POLL_INTERVALS_MS = [250, 500, 1_000, 2_000, 4_000];

/**
 * How long a quick start's call may wait for its Google budget slot: it holds its workflow's task (and
 * a workflow-task slot) meanwhile, so in a burst, when the budget is booked ahead, it gives way at once.
 */
const QUICK_BUDGET_WAIT_MS = 250;

/** What an attempt's quick start did (see `startMeetingLink`). */
export type QuickLinkStart = { kind: 'link'; eventId: string; meetingUrl: string } | { kind: 'pending'; eventId: string } | { kind: 'budget-busy' };

/** A wait for the Google budget worth a warning: a burst's calls wait at most about 2 s (see `googleActivitySlots`). */
const LONG_BUDGET_WAIT_MS = 5_000;

/** How the calls of one activity reach Google: their budget (a wait, or only a short one) and their metrics. */
interface GoogleCalls {
  metrics: MeetingMetrics;
  googleBudget: RateBudget;
  /** Set: a call goes only if its budget slot comes within this many ms, else `GoogleBudgetBusy`. */
  maxBudgetWaitMs?: number;
}

/** A call that would have waited longer for the Google budget than its activity may: nothing was sent. */
class GoogleBudgetBusy extends Error {}

/**
 * Calls the Calendar API once: waits for a slot of the shared Google budget (given up if the activity
 * is cancelled meanwhile), counts the call, and turns any failure into an ApplicationFailure whose
 * `nonRetryable` says whether another attempt could succeed; the workflow owns the retry schedule.
 * Every Calendar call goes through here, so none escapes the budget.
 */
async function callGoogle<T extends { status: number }>({ metrics, googleBudget, maxBudgetWaitMs }: GoogleCalls, method: GoogleMethod, call: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const askedAt = Date.now();
  if (maxBudgetWaitMs === undefined) {
    // A call waiting its turn heartbeats (an attempt's first heartbeat otherwise comes after its insert).
    await googleBudget.take(context.cancellationSignal, () => context.heartbeat());
  } else if (!(await googleBudget.takeWithin(maxBudgetWaitMs, context.cancellationSignal))) {
    throw new GoogleBudgetBusy();
  }
  const waitedMs = Date.now() - askedAt;
  if (waitedMs > LONG_BUDGET_WAIT_MS) context.log.warn('Google call waited long for the budget', { method, waitedMs });
  try {
    const response = await call();
    metrics.googleRequest(method, String(response.status), '');
    return response;
  } catch (error) {
    const failure = describeGoogleError(error);
    metrics.googleRequest(method, failure.status === undefined ? 'network' : String(failure.status), failure.reason ?? '');
    throw ApplicationFailure.create({
      message: `events.${method}: ${failure.message}`,
      type: failure.credentials ? GOOGLE_CREDENTIALS_ERROR : 'GoogleCalendarError',
      nonRetryable: !failure.retryable,
      details: [{ status: failure.status ?? null, reason: failure.reason ?? null }],
    });
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApplicationFailure ? (error.details?.[0] as { status?: number } | undefined)?.status : undefined;
}

/** 404 and 410: the event is not (or no longer) there. */
function isGone(error: unknown): boolean {
  const status = statusOf(error);
  return status === 404 || status === 410;
}

/**
 * The event to move or delete: its id as the workflow stored it, or (from workflows that ran before
 * it passed ids, their activities perhaps still in flight) the link generation it was derived from.
 */
type StoredEvent = string | number;

function storedEventId(sessionId: string, event: StoredEvent): string {
  return typeof event === 'string' ? event : meetingEventId(sessionId, event);
}

export function createCalendarActivities({
  prisma,
  calendar,
  calendarId,
  googleBudget,
  conferencePollIntervalsMs = DEFAULT_POLL_INTERVALS_MS,
  metrics = noMetrics,
}: CalendarDeps) {
  const google: GoogleCalls = { metrics, googleBudget };
  async function getEvent(eventId: string, calls: GoogleCalls): Promise<CalendarEventView> {
    const response = await callGoogle(calls, 'get', () => calendar.events.get({ calendarId, eventId }));
    return readCalendarEvent(response.data);
  }

  /**
   * Polls the event until Google has made its conference (`pending` → `success`), heartbeating so a
   * lost worker is noticed: the link, or null when it is not there within `maxWaitMs`. `failure` fails the attempt.
   */
  async function pollConference(eventId: string, maxWaitMs: number, calls: GoogleCalls): Promise<string | null> {
    const context = Context.current();
    const deadline = Date.now() + maxWaitMs;
    for (let poll = 0; ; poll++) {
      const { conference } = await getEvent(eventId, calls);
      if (conference.status === 'success') return conference.meetingUrl;
      if (conference.status === 'failure') {
        throw ApplicationFailure.retryable(`Google could not create the Meet conference for event ${eventId}`, 'ConferenceFailed');
      }
      const waitMs = conferencePollIntervalsMs[Math.min(poll, conferencePollIntervalsMs.length - 1)] ?? 1_000;
      if (Date.now() + waitMs > deadline) return null;
      // A local activity (a quick start) has no heartbeat: its workflow task's timeout notices a lost worker.
      if (!context.info.isLocal) context.heartbeat({ poll });
      await sleep(waitMs);
    }
  }

  /** The conference's link; no link within `maxWaitMs` fails the attempt. */
  async function awaitConference(eventId: string, maxWaitMs: number): Promise<string> {
    const meetingUrl = await pollConference(eventId, maxWaitMs, google);
    if (meetingUrl === null) throw ApplicationFailure.retryable(`the Meet conference for event ${eventId} was still pending after ${maxWaitMs} ms`, 'ConferencePending');
    return meetingUrl;
  }

  /**
   * Creates the session's event with a Meet conference, under an event id derived from the session
   * and link generation. If an earlier try already created it (its answer lost), Google says 409 and
   * we carry on with that event: one session, one event, whatever happens to the network.
   */
  async function insertMeetingEvent(sessionId: string, generation: number, attempt: number, chosenEventId: string | undefined, calls: GoogleCalls): Promise<MeetingEventResult> {
    const session = await loadSessionDetails(prisma, sessionId);
    // The workflow passes the id it chose and stores; attempts scheduled before it did, derive it.
    const eventId = chosenEventId ?? meetingEventId(sessionId, generation);
    const requestId = conferenceRequestId(sessionId, generation);
    let event: CalendarEventView;
    try {
      const response = await callGoogle(calls, 'insert', () =>
        calendar.events.insert({
          calendarId,
          conferenceDataVersion: 1,
          sendUpdates: 'all',
          requestBody: meetingEventBody(sessionEventFacts(session, eventId, requestId)),
        }),
      );
      event = readCalendarEvent(response.data);
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      event = await getEvent(eventId, calls);
      if (event.cancelled) {
        throw ApplicationFailure.nonRetryable(`events.insert: event ${eventId} exists but was deleted`, 'GoogleCalendarError');
      }
    }
    if (event.conference.status === 'failure' || event.conference.status === 'missing') {
      // An earlier attempt's conference failed (or was never requested): ask again with a request id
      // of this attempt, since Google ignores a repeated one.
      const response = await callGoogle(calls, 'patch', () =>
        calendar.events.patch({
          calendarId,
          eventId,
          conferenceDataVersion: 1,
          requestBody: {
            conferenceData: {
              createRequest: { requestId: `${requestId}-a${attempt}`, conferenceSolutionKey: { type: 'hangoutsMeet' } },
            },
          },
        }),
      );
      event = readCalendarEvent(response.data);
    }
    return { eventId: event.eventId, meetingUrl: event.conference.status === 'success' ? event.conference.meetingUrl : null };
  }

  const activities = {
    createMeetingEvent(sessionId: string, generation: number, attempt: number, chosenEventId?: string): Promise<MeetingEventResult> {
      return insertMeetingEvent(sessionId, generation, attempt, chosenEventId, google);
    },

    /**
     * Moves an event to new times with a patch of start and end only, so its Meet conference (and
     * link) stays. Answers `missing` when there is no such event.
     */
    async moveMeetingEvent(sessionId: string, event: StoredEvent, startTime: string, endTime: string): Promise<'moved' | 'missing'> {
      const eventId = storedEventId(sessionId, event);
      try {
        await callGoogle(google, 'patch', () =>
          calendar.events.patch({
            calendarId,
            eventId,
            sendUpdates: 'all',
            requestBody: { start: { dateTime: startTime, timeZone: 'UTC' }, end: { dateTime: endTime, timeZone: 'UTC' } },
          }),
        );
        return 'moved';
      } catch (error) {
        if (isGone(error)) return 'missing';
        throw error;
      }
    },

    /** Deletes an event; one that is already gone (404, 410) counts as done. */
    async deleteMeetingEvent(sessionId: string, event: StoredEvent): Promise<'deleted' | 'already-gone'> {
      const eventId = storedEventId(sessionId, event);
      try {
        await callGoogle(google, 'delete', () => calendar.events.delete({ calendarId, eventId, sendUpdates: 'all' }));
        return 'deleted';
      } catch (error) {
        if (isGone(error)) return 'already-gone';
        throw error;
      }
    },

    /** The wait alone: attempts of workflows that started before `makeMeetingLink` still schedule it, and quick starts still pending. */
    awaitConference,

    /**
     * One attempt at a meeting link, in one activity: the event inserted (or found), then its
     * conference waited for. Saves the workflow a round-trip through Temporal per attempt.
     */
    async makeMeetingLink(sessionId: string, generation: number, attempt: number, eventId: string, maxWaitMs: number): Promise<{ eventId: string; meetingUrl: string }> {
      const event = await activities.createMeetingEvent(sessionId, generation, attempt, eventId);
      if (event.meetingUrl !== null) return { eventId: event.eventId, meetingUrl: event.meetingUrl };
      Context.current().heartbeat({ inserted: event.eventId });
      return { eventId: event.eventId, meetingUrl: await awaitConference(event.eventId, maxWaitMs) };
    },

    /**
     * An attempt's quick start, run as a local activity inside the workflow's own task: the insert
     * and the first polls, for as long as a link usually takes (`quickWaitMs`), each call let go only
     * if its Google budget slot comes within `QUICK_BUDGET_WAIT_MS`. Most links are made here, at no
     * round-trip through Temporal. `budget-busy` (a burst has booked the budget ahead of the insert):
     * the attempt is made by `makeMeetingLink` on the Google queue (whose insert finds the event, if
     * a 409's read was what the budget held up). `pending` (the conference not ready in time, or the
     * budget busy for a poll): the event is there, and `awaitConference` waits for its conference.
     */
    async startMeetingLink(sessionId: string, generation: number, attempt: number, eventId: string, quickWaitMs: number): Promise<QuickLinkStart> {
      const quick: GoogleCalls = { ...google, maxBudgetWaitMs: QUICK_BUDGET_WAIT_MS };
      let event: MeetingEventResult;
      try {
        event = await insertMeetingEvent(sessionId, generation, attempt, eventId, quick);
      } catch (error) {
        if (error instanceof GoogleBudgetBusy) return { kind: 'budget-busy' };
        throw error;
      }
      try {
        const meetingUrl = event.meetingUrl ?? (await pollConference(event.eventId, quickWaitMs, quick));
        if (meetingUrl !== null) return { kind: 'link', eventId: event.eventId, meetingUrl };
      } catch (error) {
        if (!(error instanceof GoogleBudgetBusy)) throw error;
      }
      return { kind: 'pending', eventId: event.eventId };
    },
  };
  return activities;
}

export type CalendarActivities = ReturnType<typeof createCalendarActivities>;

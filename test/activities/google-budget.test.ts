import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createPrismaClient } from '../../src/adapters/database';
import { createCalendarApi } from '../../src/adapters/google-calendar';
import { sharedRateBudget, type RateBudget } from '../../src/adapters/rate-budget';
import { createCalendarActivities, type MeetingEventResult } from '../../src/activities/calendar';
import { startGoogleCalendarStandin, type GoogleCalendarStandin } from '../../src/standins/google-calendar';
import { googleActivitySlots } from '../../src/worker/workers';
import { TEST_DATABASE_URL } from '../support/env';
import { seedSession } from '../support/sessions';

// Every Calendar call takes a slot of the shared Google budget before it goes: inserts, each poll of
// a pending conference, moves and deletes. A call waiting for its slot is given up on cancellation.

const prisma = createPrismaClient(TEST_DATABASE_URL);
let google: GoogleCalendarStandin;
beforeAll(async () => {
  google = await startGoogleCalendarStandin({ pendingPolls: 2 });
});
afterAll(async () => Promise.all([google.close(), prisma.$disconnect()]));
beforeEach(() => google.reset());

function depsOf(googleBudget: RateBudget) {
  return {
    prisma,
    calendar: createCalendarApi({ baseUrl: google.url, serviceAccountKey: undefined, impersonateSubject: undefined, tokenUrl: undefined }),
    calendarId: 'primary',
    googleBudget,
    conferencePollIntervalsMs: [10],
  };
}

function activitiesWith(googleBudget: RateBudget) {
  return createCalendarActivities(depsOf(googleBudget));
}

const inActivity = () => new MockActivityEnvironment({ activityId: '1', attempt: 1 }, { logger: new DefaultLogger('ERROR') });

test('each Calendar call takes one slot first: the insert, every conference poll, the move and the delete', async () => {
  // For each slot taken, how many calls the stand-in had received by then.
  const callsBeforeEachSlot: number[] = [];
  const slot = async () => void callsBeforeEachSlot.push(google.requests.length);
  const activities = activitiesWith({
    name: 'recording',
    perSecond: Infinity,
    take: async () => (await slot(), null),
    takeWithin: async () => (await slot(), true),
  });
  const sessionId = await seedSession(prisma);
  const { eventId, meetingUrl }: MeetingEventResult = await inActivity().run(activities.createMeetingEvent, sessionId, 1, 1);
  expect(meetingUrl).toBeNull(); // pending: two polls follow
  await inActivity().run(activities.awaitConference, eventId, 10_000);
  await inActivity().run(activities.moveMeetingEvent, sessionId, eventId, '2026-12-01T15:00:00Z', '2026-12-01T16:00:00Z');
  await inActivity().run(activities.deleteMeetingEvent, sessionId, eventId);
  // An attempt's quick start (a new link): its insert and the polls until the conference is ready.
  await expect(inActivity().run(activities.startMeetingLink, sessionId, 2, 1, 'evquickg2', 10_000)).resolves.toMatchObject({ kind: 'link', eventId: 'evquickg2' });

  expect(google.requests.map((request) => request.operation)).toEqual(['insert', 'get', 'get', 'patch', 'delete', 'insert', 'get', 'get']);
  expect(callsBeforeEachSlot).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

test("a quick start sends nothing when the budget is booked ahead, and leaves a conference that is slow to the server's wait", async () => {
  const sessionId = await seedSession(prisma);
  const booked = sharedRateBudget(prisma, `google-calendar/test-quick-${process.pid}-${Date.now()}`, 0.5); // one call per 2 s
  await booked.take(); // the next slot is 2 s away: more than a quick start waits
  await expect(inActivity().run(activitiesWith(booked).startMeetingLink, sessionId, 1, 1, 'evquick1', 10_000)).resolves.toEqual({ kind: 'budget-busy' });
  expect(google.requests).toEqual([]);

  const free = sharedRateBudget(prisma, 'google-calendar/test-quick-free', Infinity);
  // Pending for two polls, and a window shorter than the polls' waits: the event, no link yet.
  const slowPolls = createCalendarActivities({ ...depsOf(free), conferencePollIntervalsMs: [500] });
  await expect(inActivity().run(slowPolls.startMeetingLink, sessionId, 1, 1, 'evquick1', 200)).resolves.toEqual({ kind: 'pending', eventId: 'evquick1' });
  await expect(inActivity().run(slowPolls.awaitConference, 'evquick1', 10_000)).resolves.toMatch(/^https:\/\/meet\.google\.com\//);
  expect(google.requests.map((request) => request.operation)).toEqual(['insert', 'get', 'get']);

  // The insert got its slot, the first poll's is too far: the event, no link yet, and no poll sent.
  let slots = 0;
  const busyAfterInsert = activitiesWith({ name: 'busy-after-insert', perSecond: 1, take: async () => null, takeWithin: async () => slots++ === 0 });
  await expect(inActivity().run(busyAfterInsert.startMeetingLink, sessionId, 2, 1, 'evquick2', 10_000)).resolves.toEqual({ kind: 'pending', eventId: 'evquick2' });
  expect(google.requests.map((request) => request.operation)).toEqual(['insert', 'get', 'get', 'insert']);
});

test('a call waiting for its slot of the shared budget is given up when the activity is cancelled, and never reaches Google', async () => {
  const budget = sharedRateBudget(prisma, `google-calendar/test-cancel-${process.pid}-${Date.now()}`, 0.01); // one call per 100 s
  await budget.take(); // the next slot is 100 s away
  const sessionId = await seedSession(prisma);
  const env = inActivity();
  const running = env.run(activitiesWith(budget).createMeetingEvent, sessionId, 1, 1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  env.cancel('CANCELLED');
  await expect(running).rejects.toMatchObject({ name: 'CancelledFailure' });
  expect(google.requests).toEqual([]);
});

test("one Google worker runs about two seconds of the budget's calls at once, at least one; unlimited leaves the SDK's default", () => {
  expect(googleActivitySlots(20)).toBe(40);
  expect(googleActivitySlots(2.5)).toBe(5);
  expect(googleActivitySlots(0.1)).toBe(1);
  expect(googleActivitySlots(Infinity)).toBeUndefined();
});

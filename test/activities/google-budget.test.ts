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

function activitiesWith(googleBudget: RateBudget) {
  return createCalendarActivities({
    prisma,
    calendar: createCalendarApi({ baseUrl: google.url, serviceAccountKey: undefined, impersonateSubject: undefined, tokenUrl: undefined }),
    calendarId: 'primary',
    googleBudget,
    conferencePollIntervalsMs: [10],
  });
}

const inActivity = () => new MockActivityEnvironment({ activityId: '1', attempt: 1 }, { logger: new DefaultLogger('ERROR') });

test('each Calendar call takes one slot first: the insert, every conference poll, the move and the delete', async () => {
  // For each slot taken, how many calls the stand-in had received by then.
  const callsBeforeEachSlot: number[] = [];
  const activities = activitiesWith({
    name: 'recording',
    perSecond: Infinity,
    take: async () => {
      callsBeforeEachSlot.push(google.requests.length);
      return null;
    },
  });
  const sessionId = await seedSession(prisma);
  const { eventId, meetingUrl }: MeetingEventResult = await inActivity().run(activities.createMeetingEvent, sessionId, 1, 1);
  expect(meetingUrl).toBeNull(); // pending: two polls follow
  await inActivity().run(activities.awaitConference, eventId, 10_000);
  await inActivity().run(activities.moveMeetingEvent, sessionId, eventId, '2026-12-01T15:00:00Z', '2026-12-01T16:00:00Z');
  await inActivity().run(activities.deleteMeetingEvent, sessionId, eventId);

  expect(google.requests.map((request) => request.operation)).toEqual(['insert', 'get', 'get', 'patch', 'delete']);
  expect(callsBeforeEachSlot).toEqual([0, 1, 2, 3, 4]);
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

import type { MeetingPolicy } from '../config/worker-config';
import { createCalendarActivities, type CalendarDeps } from './calendar';
import { createHealthActivities, type HealthDeps } from './health';
import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createSessionStoreActivities, loadSessionStart, type SessionStart, type SessionStoreDeps } from './session-store';

export type ActivityDeps = SessionStoreDeps & CalendarDeps & NotificationDeps & { meetingPolicy: MeetingPolicy };

/** What the main task queue's activities need besides: the health monitor starts workflows through it. */
export type MainActivityDeps = ActivityDeps & Pick<HealthDeps, 'meetings'>;

/** Activities that talk to our database, Resend and Temporal (and Google, quickly); they run on the main task queue. */
export function createMainActivities(deps: MainActivityDeps) {
  const store = createSessionStoreActivities(deps);
  return {
    ...store,
    /** An attempt's quick start, a local activity of the workflow's task (its calls still take the Google budget). */
    startMeetingLink: createCalendarActivities(deps).startMeetingLink,
    ...createNotificationActivities(deps),
    ...createHealthActivities(deps),
    /** The worker's configured policy, read once into history so replays see the same schedule. */
    async meetingPolicy(): Promise<MeetingPolicy> {
      return deps.meetingPolicy;
    },
    /**
     * What a booked session's workflow starts from, in one step: the session (checked; a booking
     * cancelled before its meeting was made is answered, not refused) and the policy.
     */
    async loadMeetingStart(sessionId: string): Promise<{ schedule: SessionStart; policy: MeetingPolicy }> {
      return { schedule: await loadSessionStart(deps.prisma, sessionId, deps.now?.() ?? new Date()), policy: deps.meetingPolicy };
    },
  };
}

/** Activities that call Google; they run on the rate-limited Google task queue. */
export function createGoogleActivities(deps: ActivityDeps) {
  return createCalendarActivities(deps);
}

export type MainActivities = ReturnType<typeof createMainActivities>;
export type GoogleActivities = ReturnType<typeof createGoogleActivities>;
export type { MeetingSchedule, SessionStart, SignalRejectionBatch } from './session-store';
export type { AdminAlert } from './notifications';
export type { HealthActivities, SessionWithoutLink } from './health';

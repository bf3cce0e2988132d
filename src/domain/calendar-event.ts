import { z } from 'zod';

export interface MeetingEventFacts {
  eventId: string;
  requestId: string;
  title: string;
  description: string | null;
  startTime: Date;
  endTime: Date;
  teacherEmail: string;
  studentEmail: string;
}

/** What an event needs from a session and the people in it. */
export interface EventSession {
  title: string;
  description: string | null;
  startTime: Date;
  endTime: Date;
  teacher: { email: string };
  student: { email: string };
}

/** The event facts of a session, under the event id and conference request id chosen for it. */
export function sessionEventFacts(session: EventSession, eventId: string, requestId: string): MeetingEventFacts {
  const { title, description, startTime, endTime } = session;
  return { eventId, requestId, title, description, startTime, endTime, teacherEmail: session.teacher.email, studentEmail: session.student.email };
}

/** The Calendar event body for a session, with a Meet conference requested. */
export function meetingEventBody(facts: MeetingEventFacts) {
  return {
    id: facts.eventId,
    summary: `Session: ${facts.title}`,
    description: facts.description ?? undefined,
    start: { dateTime: facts.startTime.toISOString(), timeZone: 'UTC' },
    end: { dateTime: facts.endTime.toISOString(), timeZone: 'UTC' },
    attendees: [{ email: facts.teacherEmail }, { email: facts.studentEmail }],
    conferenceData: {
      createRequest: { requestId: facts.requestId, conferenceSolutionKey: { type: 'hangoutsMeet' } },
    },
    // The spec's guest permissions: the platform owns the event, guests see each other.
    guestsCanModify: false,
    guestsCanInviteOthers: false,
    guestsCanSeeOtherGuests: true,
  };
}

export type ConferenceState =
  | { status: 'pending' }
  | { status: 'success'; meetingUrl: string }
  | { status: 'failure' }
  | { status: 'missing' };

const conferenceDataSchema = z
  .object({
    createRequest: z
      .object({ status: z.object({ statusCode: z.string() }).partial().optional() })
      .partial()
      .optional(),
    entryPoints: z.array(z.object({ entryPointType: z.string().optional(), uri: z.string().optional() })).optional(),
  })
  .optional();

const eventSchema = z.object({
  id: z.string(),
  status: z.string().optional(),
  hangoutLink: z.string().optional(),
  conferenceData: conferenceDataSchema,
});

export interface CalendarEventView {
  eventId: string;
  cancelled: boolean;
  conference: ConferenceState;
}

/** Reads what the worker needs from a Calendar API event, rejecting answers that are not events. */
export function readCalendarEvent(data: unknown): CalendarEventView {
  const parsed = eventSchema.safeParse(data);
  if (!parsed.success) throw new Error(`Google Calendar answered with something that is not an event: ${parsed.error.message}`);
  const event = parsed.data;
  return { eventId: event.id, cancelled: event.status === 'cancelled', conference: readConference(event) };
}

function readConference(event: z.infer<typeof eventSchema>): ConferenceState {
  const data = event.conferenceData;
  if (!data) return { status: 'missing' };
  const videoUri = data.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri ?? event.hangoutLink;
  const statusCode = data.createRequest?.status?.statusCode;
  if (statusCode === 'failure') return { status: 'failure' };
  if (statusCode === 'pending' || !videoUri) return statusCode === undefined && !videoUri ? { status: 'missing' } : { status: 'pending' };
  if (!/^https:\/\/meet\.google\.com\/[a-z0-9-]+$/i.test(videoUri)) {
    throw new Error(`Google Calendar gave a conference link that is not a Meet URL: ${videoUri}`);
  }
  return { status: 'success', meetingUrl: videoUri };
}

// The schema of a meeting's state as a continued run carries it in its input: checked where it
// enters, since a start typed into the Temporal UI can carry anything. Loaded only by continued runs
// (see `SessionMeeting.restore`).
import { z } from 'zod';
import { MEETING_STATUSES } from '../contract';
import { MAX_PROBLEM_CHARS, MAX_QUEUED_REQUESTS, MAX_REJECTIONS_KEPT } from './meeting-state-limits';

const text = (max: number) => z.string().max(max);
const commandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cancel'), reason: text(1000).nullable(), actor: text(200) }),
  z.object({ kind: z.literal('regenerate'), reason: text(1000).nullable(), actor: text(200), duringCreation: z.boolean() }),
  z.object({ kind: z.literal('reschedule'), startTime: text(40), endTime: text(40), actor: text(200) }),
]);
const rejectionSchema = z.object({ signal: text(40), problem: text(MAX_PROBLEM_CHARS), actor: text(200) });
const linkSchema = z.object({ meetingUrl: text(2000), eventId: text(1100) });

/** Everything the meeting knows, as JSON: what a run continued-as-new carries in its input. */
export const meetingStateSchema = z.object({
  status: z.enum(MEETING_STATUSES),
  startTime: text(40),
  endTime: text(40),
  policy: z.object({ retryBackoffMs: z.array(z.number().int().nonnegative()).max(20), conferenceWaitMs: z.number().int().positive() }),
  /** The generation whose link is being made, or was made last. */
  generation: z.number().int().positive(),
  /** The link people have. */
  link: linkSchema.nullable(),
  /** Events that may exist in the calendar (made, or being made), by generation. */
  liveEvents: z.array(z.object({ generation: z.number().int().positive(), eventId: text(1100) })).max(10),
  /** A link being made: its attempt number so far, and when the next attempt is due. */
  creation: z.object({ generation: z.number().int().positive(), attempt: z.number().int().nonnegative(), nextAttemptAt: z.number() }).nullable(),
  attempts: z.number().int().nonnegative(),
  lastError: text(2000).nullable(),
  reminders: z.array(z.object({ kind: z.enum(['reminder-24h', 'no-link-check-2h', 'starting-soon']), at: z.number() })).max(3),
  joinable: z.boolean(),
  changeCount: z.number().int().nonnegative(),
  /** Accepted requests not acted on yet, in arrival order. */
  inbox: z.array(commandSchema).max(MAX_QUEUED_REQUESTS + 1),
  rejected: z.array(rejectionSchema).max(MAX_REJECTIONS_KEPT),
  rejectedUncounted: z.number().int().nonnegative(),
  /** When the oldest rejection not yet audited came. */
  firstRejectedAt: z.number().nullable(),
  /** Writes to the session's row numbered so far: each carries the next number (states carried before had none). */
  writes: z.number().int().nonnegative().default(0),
});

export type SerialisedMeetingState = z.infer<typeof meetingStateSchema>;

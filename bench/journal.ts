// What the bench's booking process did, one JSON line per step, read back by the bench.
import { z } from 'zod';
import { appendJsonLine, readJsonLines } from '../chaos/journal';

/** What a booking process is asked to do: book and start `sessions` sessions of one phase. */
export const bookingPlanSchema = z.object({
  tag: z.string().regex(/^[a-z0-9-]+$/),
  sessions: z.number().int().positive(),
  /** Starts per minute, evenly spaced; null: all at once. */
  perMinute: z.number().positive().nullable(),
  /** Every session starts at this instant (epoch ms); null: 3 days ahead, a minute apart. */
  sessionStartMs: z.number().nullable(),
  journal: z.string().min(1),
  /** False: write the sessions only (the naive loop makes their meetings). */
  startWorkflows: z.boolean(),
  /** Start calls awaiting their answer at most; null: no bound. */
  maxInFlight: z.number().int().positive().nullable(),
});
export type BookingPlan = z.infer<typeof bookingPlanSchema>;

export const bookingEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('seeded'), at: z.number(), sessions: z.number() }),
  /** `at`: when the start call returned (epoch ms). */
  z.object({ kind: z.literal('started'), at: z.number(), sessionId: z.string(), tries: z.number() }),
  z.object({ kind: z.literal('done'), at: z.number() }),
]);
export type BookingEntry = z.infer<typeof bookingEntrySchema>;

export function appendBookingEntry(file: string, entry: BookingEntry): void {
  appendJsonLine(file, entry);
}

export function readBookingJournal(file: string): BookingEntry[] {
  return readJsonLines(file, bookingEntrySchema);
}

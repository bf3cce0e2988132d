import { appendFileSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** What the booking service did, as it did it: the commands each session's state must follow from. */
export const journalEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('booked'), at: z.string(), index: z.number(), sessionId: z.string() }),
  z.object({ kind: z.literal('started'), at: z.string(), sessionId: z.string(), tries: z.number() }),
  z.object({ kind: z.literal('signalled'), at: z.string(), sessionId: z.string(), signal: z.enum(['cancel', 'regenerate', 'reschedule']), tries: z.number() }),
  z.object({ kind: z.literal('done'), at: z.string() }),
]);
export type JournalEntry = z.infer<typeof journalEntrySchema>;

/** Appends one JSON line to a journal file (this run's, or the bench's). */
export function appendJsonLine(file: string, entry: unknown): void {
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** A journal's lines, each checked against `schema`; none while the file does not exist yet. */
export function readJsonLines<T>(file: string, schema: z.ZodType<T>): T[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => schema.parse(JSON.parse(line)));
}

export function appendJournal(file: string, entry: JournalEntry): void {
  appendJsonLine(file, entry);
}

export function readJournal(file: string): JournalEntry[] {
  return readJsonLines(file, journalEntrySchema);
}

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

export function appendJournal(file: string, entry: JournalEntry): void {
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

export function readJournal(file: string): JournalEntry[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => journalEntrySchema.parse(JSON.parse(line)));
}

/** Which admin commands the booking service sends to session `index`, and how long after its start. */
export interface PlannedCommand {
  signal: 'cancel' | 'regenerate' | 'reschedule';
  afterMs: number;
}

/**
 * Four in ten sessions get commands. Half of them at once, while the first link is usually still
 * being made (and, under the faults, its attempts retried); half a few seconds later.
 */
export function commandsFor(index: number): PlannedCommand[] {
  const soon = index % 20 < 10 ? 200 : 6_000;
  switch (index % 10) {
    case 1:
      return [{ signal: 'cancel', afterMs: soon }];
    case 2:
      return [{ signal: 'regenerate', afterMs: soon }];
    case 3:
      return [{ signal: 'reschedule', afterMs: soon }];
    case 4:
      return [
        { signal: 'reschedule', afterMs: soon },
        { signal: 'regenerate', afterMs: 3_000 },
      ];
    default:
      return [];
  }
}

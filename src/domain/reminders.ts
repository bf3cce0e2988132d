export type ReminderKind = 'reminder-24h' | 'no-link-check-2h' | 'starting-soon';

export interface PlannedReminder {
  kind: ReminderKind;
  /** Epoch ms when it is due. */
  at: number;
}

const HOUR = 3_600_000;

/** FR-6: from this long before the start, the dashboard's join button is prominent. */
const JOINABLE_BEFORE_START_MS = 10 * 60_000;

/** The spec's moments before the start: the 24 h reminder, the 2 h "still no link?" check, "starting soon". */
export const REMINDER_OFFSETS: ReadonlyArray<{ kind: ReminderKind; beforeStartMs: number }> = [
  { kind: 'reminder-24h', beforeStartMs: 24 * HOUR },
  { kind: 'no-link-check-2h', beforeStartMs: 2 * HOUR },
  { kind: 'starting-soon', beforeStartMs: JOINABLE_BEFORE_START_MS },
];

/** Whether a session starting at `startMs` is within its joinable window at `nowMs` (or under way). */
export function isJoinable(startMs: number, nowMs: number): boolean {
  return nowMs >= startMs - JOINABLE_BEFORE_START_MS;
}

/**
 * The reminders of a session starting at `startMs`, armed at `nowMs` (booking or reschedule), in the
 * order they fall due. One whose moment has already passed is skipped, never sent late.
 */
export function planReminders(startMs: number, nowMs: number): PlannedReminder[] {
  return REMINDER_OFFSETS.map(({ kind, beforeStartMs }) => ({ kind, at: startMs - beforeStartMs }))
    .filter((reminder) => reminder.at > nowMs)
    .sort((a, b) => a.at - b.at);
}

/** What a due reminder does, given whether the meeting has its link. */
export type ReminderAction = 'email-both' | 'mark-joinable-and-email' | 'alert-admin' | 'nothing' | 'skip-no-link';

export function reminderAction(kind: ReminderKind, meetingActive: boolean): ReminderAction {
  switch (kind) {
    case 'reminder-24h':
      return meetingActive ? 'email-both' : 'skip-no-link';
    case 'no-link-check-2h':
      return meetingActive ? 'nothing' : 'alert-admin';
    case 'starting-soon':
      return meetingActive ? 'mark-joinable-and-email' : 'skip-no-link';
  }
}

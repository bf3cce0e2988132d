/**
 * How many writes one workflow task may number before its numbers could reach the next task's
 * block. A task makes a handful (a step's writes); past this many, numbers still grow, but a lost try
 * of the task could outnumber its retry.
 */
export const WRITES_PER_TASK = 1_000;

/**
 * The number of a meeting's next write to the session's row (the row takes only a number at least
 * as high as its own, see `recordMeetingChange`).
 *
 * Numbers grow with each write, and each workflow task's start a block of their own: the task at
 * history length `historyLength` numbers from `runStart + historyLength × WRITES_PER_TASK`, where
 * `runStart` is the last number of the runs before (history length starts again in a continued
 * run). A retried task always comes at a greater history length than the try it replaces (the
 * failure or timeout and the new task are in history by then), so whatever a try lost with its
 * worker had written, the retry's writes outnumber it.
 */
export function writeNumber(runStart: number, historyLength: number, previous: number): number {
  return Math.max(previous + 1, runStart + historyLength * WRITES_PER_TASK);
}

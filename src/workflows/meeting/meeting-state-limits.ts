// The bounds of a meeting's queues, shared by the state machine and the schema of its carried state.

/** Requests waiting at most (a cancel, a reschedule and regenerates); more regenerates are merged. */
export const MAX_QUEUED_REQUESTS = 8;
/** Rejected signals kept for the audit between two records; more are only counted (a storm costs no more). */
export const MAX_REJECTIONS_KEPT = 20;
/** Longest problem text kept for a rejected signal: a signal may quote a long value. */
export const MAX_PROBLEM_CHARS = 300;

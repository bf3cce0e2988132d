// How the workflow reads a failed activity: what it failed with, whether it may be retried.
import { ActivityFailure, ApplicationFailure, isCancellation, TimeoutFailure } from '@temporalio/workflow';

/** What an activity itself failed with, rather than Temporal's wrapper around it. */
function causeOf(error: unknown): unknown {
  return error instanceof ActivityFailure ? (error.cause ?? error) : error;
}

export function failureMessage(error: unknown): string {
  const cause = causeOf(error);
  return cause instanceof Error ? cause.message : String(cause);
}

export function isRetryable(error: unknown): boolean {
  const cause = causeOf(error);
  return !(cause instanceof ApplicationFailure && cause.nonRetryable);
}

export function failureType(error: unknown): string | undefined {
  const cause = causeOf(error);
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** The activity ran out of time (its own timeout, not an error it answered). */
export function isTimeout(error: unknown): boolean {
  return causeOf(error) instanceof TimeoutFailure;
}

/** A step's failure is handled where it happens, but a cancellation of the workflow goes on up. */
export function rethrowCancellation(error: unknown): void {
  if (isCancellation(error)) throw error;
}

import { isGrpcServiceError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { parseAdminRequest, parseReschedule, type ParsedCommand } from '../domain/meeting-commands';
import { assertSessionId, sessionMeetingWorkflowId } from '../domain/meeting-ids';
import {
  cancelSignal,
  DEFAULT_TASK_QUEUE,
  meetingStatusSearchAttribute,
  regenerateSignal,
  rescheduleSignal,
  SESSION_MEETING_WORKFLOW_TYPE,
  statusQuery,
  type CancelRequest,
  type MeetingStatusView,
  type RegenerateRequest,
  type RescheduleRequest,
  type SessionMeetingInput,
} from '../workflows/contract';

export interface StartedMeeting {
  workflowId: string;
  runId: string;
  /** False when the session's workflow was already running and this call changed nothing. */
  started: boolean;
}

export class NoMeetingWorkflowError extends Error {
  constructor(readonly sessionId: string) {
    super(`no meeting workflow exists for session ${sessionId}`);
    this.name = 'NoMeetingWorkflowError';
  }
}

/** The session's workflow has ended (completed, cancelled, failed...): a signal would change nothing. */
export class MeetingWorkflowClosedError extends Error {
  constructor(
    readonly sessionId: string,
    readonly workflowStatus: string,
  ) {
    super(`the meeting workflow of session ${sessionId} has already ended (${workflowStatus}); nothing was changed`);
    this.name = 'MeetingWorkflowClosedError';
  }
}

/** A request that the workflow would reject, refused before it is sent. */
export class InvalidMeetingRequestError extends Error {
  constructor(
    readonly signal: string,
    readonly problem: string,
  ) {
    super(`${signal} refused: ${problem}`);
    this.name = 'InvalidMeetingRequestError';
  }
}

/**
 * The start got no clear answer (no connection, a timeout, an internal error): the workflow may have
 * started or not. Starting again is safe; so is leaving it to the health monitor's reconciler.
 */
export class MeetingStartUnknownError extends Error {
  constructor(
    readonly sessionId: string,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`the start of session ${sessionId}'s meeting workflow got no clear answer (${why}); it may have started: starting again is safe, and the health monitor's reconciler starts it if it did not`, { cause });
    this.name = 'MeetingStartUnknownError';
  }
}

// gRPC CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE: the request may have been carried out.
const OUTCOME_UNKNOWN_STATUSES = new Set([1, 2, 4, 13, 14]);

/** Whether a failed call may still have been carried out: a gRPC status that is no refusal, anywhere in its causes. */
export function outcomeUnknown(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (isGrpcServiceError(current)) return OUTCOME_UNKNOWN_STATUSES.has(current.code);
  }
  return false;
}

function checked(parsed: ParsedCommand): void {
  if (!parsed.ok) throw new InvalidMeetingRequestError(parsed.signal, parsed.problem);
}

/** What the booking service and admins call; one instance per Temporal client. */
export class SessionMeetings {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string = DEFAULT_TASK_QUEUE,
  ) {}

  private handle(sessionId: string): WorkflowHandle {
    return this.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId));
  }

  /**
   * Starts the session's meeting workflow. Idempotent: the workflow id is the session's, so a second
   * call while one runs (or after it completed) starts nothing. Only a run that failed outright, such
   * as on a session whose data was invalid, may be started again once the data is fixed.
   */
  async startSessionMeeting(sessionId: string): Promise<StartedMeeting> {
    const workflowId = sessionMeetingWorkflowId(sessionId);
    const input: SessionMeetingInput = { sessionId: assertSessionId(sessionId) };
    try {
      const handle = await this.client.workflow.start(SESSION_MEETING_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [{ key: meetingStatusSearchAttribute, value: 'PENDING' }],
      });
      return { workflowId, runId: handle.firstExecutionRunId, started: true };
    } catch (error) {
      if (outcomeUnknown(error)) throw new MeetingStartUnknownError(sessionId, error);
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      // It exists: should the look at it fail, the caller must not take the start for refused.
      const description = await this.handle(sessionId)
        .describe()
        .catch((describeError: unknown) => {
          throw new MeetingStartUnknownError(sessionId, describeError);
        });
      return { workflowId, runId: description.runId, started: false };
    }
  }

  /**
   * The state of the session's workflow as Temporal reports it (`RUNNING`, `COMPLETED`, `FAILED`...),
   * or null when Temporal knows of no execution for the session at all.
   */
  async workflowStatus(sessionId: string): Promise<string | null> {
    try {
      return (await this.handle(sessionId).describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  /** The meeting as the session's workflow sees it right now (also after it ended). */
  async getMeetingStatus(sessionId: string): Promise<MeetingStatusView> {
    try {
      return await this.handle(sessionId).query(statusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NoMeetingWorkflowError(sessionId);
      throw error;
    }
  }

  /** Cancels the meeting: the Calendar event is deleted, both people are told, the workflow ends. */
  async cancelSessionMeeting(sessionId: string, request: CancelRequest = {}): Promise<void> {
    checked(parseAdminRequest('cancel', request));
    await this.signal(sessionId, (handle) => handle.signal(cancelSignal, request));
  }

  /** Replaces the link with a new one (a new generation); works from ACTIVE and FAILED. */
  async regenerateMeetingLink(sessionId: string, request: RegenerateRequest = {}): Promise<void> {
    checked(parseAdminRequest('regenerate', request));
    await this.signal(sessionId, (handle) => handle.signal(regenerateSignal, request));
  }

  /** Moves the session; the Meet link stays. Times are ISO-8601 with an offset. */
  async rescheduleSession(sessionId: string, request: RescheduleRequest): Promise<void> {
    checked(parseReschedule(request, new Date()));
    await this.signal(sessionId, (handle) => handle.signal(rescheduleSignal, request));
  }

  /**
   * Asks every running session whose meeting is FAILED for a new link (`regenerate`), e.g. once the
   * service account has its access back. Finds them through Temporal visibility, which lags writes
   * by a moment. Answers the session ids asked.
   */
  async regenerateAllFailed(request: RegenerateRequest = {}): Promise<string[]> {
    checked(parseAdminRequest('regenerate', request));
    const query = [
      `WorkflowType = '${SESSION_MEETING_WORKFLOW_TYPE}'`,
      `TaskQueue = '${this.taskQueue}'`,
      `ExecutionStatus = 'Running'`,
      `${meetingStatusSearchAttribute.name} = 'FAILED'`,
    ].join(' AND ');
    const asked: string[] = [];
    for await (const execution of this.client.workflow.list({ query })) {
      const sessionId = execution.workflowId.replace(/^session-meeting-/, '');
      try {
        await this.regenerateMeetingLink(sessionId, request);
        asked.push(sessionId);
      } catch (error) {
        if (!(error instanceof MeetingWorkflowClosedError)) throw error; // ended since it was listed
      }
    }
    return asked;
  }

  private async signal(sessionId: string, send: (handle: WorkflowHandle) => Promise<void>): Promise<void> {
    const handle = this.handle(sessionId);
    try {
      await send(handle);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // Either there never was one, or it has ended: say which.
      const status = await this.workflowStatus(sessionId).catch(() => null);
      if (status === null) throw new NoMeetingWorkflowError(sessionId);
      throw new MeetingWorkflowClosedError(sessionId, status);
    }
  }
}

import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { assertSessionId, sessionMeetingWorkflowId } from '../domain/meeting-ids';
import {
  DEFAULT_TASK_QUEUE,
  meetingStatusSearchAttribute,
  SESSION_MEETING_WORKFLOW_TYPE,
  statusQuery,
  type MeetingStatusView,
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

/** What the booking service and admins call; one instance per Temporal client. */
export class SessionMeetings {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string = DEFAULT_TASK_QUEUE,
  ) {}

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
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const description = await this.client.workflow.getHandle(workflowId).describe();
      return { workflowId, runId: description.runId, started: false };
    }
  }

  /** The meeting as the session's workflow sees it right now. */
  async getMeetingStatus(sessionId: string): Promise<MeetingStatusView> {
    try {
      return await this.client.workflow.getHandle(sessionMeetingWorkflowId(sessionId)).query(statusQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NoMeetingWorkflowError(sessionId);
      throw error;
    }
  }
}

import { sessionIdProblem } from './meeting-ids';

/**
 * What is wrong with a `SessionMeetingWorkflow` start, as typed into the Temporal UI or the `temporal`
 * CLI: the input must be `{"sessionId": "<id>"}` and the workflow id `session-meeting-<id>`.
 * Undefined when it is right. Further fields are ignored (a continued run may carry its own).
 */
export function workflowInputProblem(input: unknown, workflowId: string): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const got = input === undefined ? 'no input' : JSON.stringify(input).slice(0, 40);
    return `the workflow input must be a JSON object such as {"sessionId": "<session id>"} (got ${got})`;
  }
  const { sessionId } = input as { sessionId?: unknown };
  if (sessionId === undefined) return 'sessionId is missing from the workflow input {"sessionId": "<session id>"}';
  const problem = sessionIdProblem(sessionId);
  if (problem) return problem;
  const expected = `session-meeting-${sessionId as string}`;
  if (workflowId !== expected) return `the workflow id "${workflowId.slice(0, 120)}" does not match the input's sessionId: it must be ${expected}`;
  return undefined;
}

// The booking service's API. Either build `SessionMeetings` on your own Temporal client, or call the
// functions below, which share one connection configured from the environment.
import type { CancelRequest, MeetingStatusView, RegenerateRequest, RescheduleRequest } from '../workflows/contract';
import { connectSessionMeetings, type ConnectedSessionMeetings } from './connect';
import type { StartedMeeting } from './session-meetings';

export { SessionMeetings, NoMeetingWorkflowError, MeetingWorkflowClosedError, InvalidMeetingRequestError, MeetingStartUnknownError, type StartedMeeting } from './session-meetings';
export { connectSessionMeetings, type ConnectedSessionMeetings } from './connect';
export { InvalidSessionIdError } from '../domain/meeting-ids';
export { UnreachableError } from '../adapters/reachability';
export type { MeetingStatusView, MeetingStatus, CancelRequest, RegenerateRequest, RescheduleRequest } from '../workflows/contract';

let shared: Promise<ConnectedSessionMeetings> | undefined;

function sharedApi(): Promise<ConnectedSessionMeetings> {
  shared ??= connectSessionMeetings().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

export async function startSessionMeeting(sessionId: string): Promise<StartedMeeting> {
  return (await sharedApi()).api.startSessionMeeting(sessionId);
}

export async function getMeetingStatus(sessionId: string): Promise<MeetingStatusView> {
  return (await sharedApi()).api.getMeetingStatus(sessionId);
}

export async function cancelSessionMeeting(sessionId: string, request: CancelRequest = {}): Promise<void> {
  return (await sharedApi()).api.cancelSessionMeeting(sessionId, request);
}

export async function regenerateMeetingLink(sessionId: string, request: RegenerateRequest = {}): Promise<void> {
  return (await sharedApi()).api.regenerateMeetingLink(sessionId, request);
}

export async function rescheduleSession(sessionId: string, request: RescheduleRequest): Promise<void> {
  return (await sharedApi()).api.rescheduleSession(sessionId, request);
}

/** Asks every running session whose meeting is FAILED for a new link; answers their ids. */
export async function regenerateAllFailedMeetings(request: RegenerateRequest = {}): Promise<string[]> {
  return (await sharedApi()).api.regenerateAllFailed(request);
}

/** Closes the shared connection, if one was opened. */
export async function closeSessionMeetings(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current) await (await current).close();
}

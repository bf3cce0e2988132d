export { SessionMeetingWorkflow } from './session-meeting';
export { MeetingHealthWorkflow } from './health';

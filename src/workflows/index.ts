export { SessionMeetingWorkflow } from './session-meeting';

/** What `npm start` and the CLI use on one machine when the environment says nothing else. */
export const LOCAL_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/session_meetings';
export const LOCAL_TEMPORAL_PORT = 7233;
export const LOCAL_TEMPORAL_UI_PORT = 8233;
export const LOCAL_GOOGLE_STANDIN_PORT = 4010;
export const LOCAL_RESEND_STANDIN_PORT = 4020;
export const LOCAL_METRICS_ADDRESS = '127.0.0.1:9464';
export const LOCAL_HEALTH_ADDRESS = '127.0.0.1:8090';

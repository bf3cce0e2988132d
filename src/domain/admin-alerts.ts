/**
 * Alert kinds that one outage raises for every session at once (the service account losing its
 * access fails them all): the admins get one alert per kind and hour, not one per session.
 */
const ONCE_PER_OUTAGE_KINDS = new Set(['credentials']);

/**
 * The claim key for an alert of this kind raised at `at` by the deployment on `taskQueue` (deployments
 * sharing a database keep their own outages), or undefined when every alert goes out.
 */
export function outageAlertKey(kind: string, taskQueue: string, at: Date): string | undefined {
  return ONCE_PER_OUTAGE_KINDS.has(kind) ? `${kind}/${taskQueue}/${at.toISOString().slice(0, 13)}` : undefined;
}

/**
 * Alert kinds that one outage raises for every session at once (the service account losing its
 * access fails them all): the admins get one alert per kind and hour, not one per session.
 */
const ONCE_PER_OUTAGE_KINDS = new Set(['credentials']);

/** The claim key for an alert of this kind raised at `at`, or undefined when every alert goes out. */
export function outageAlertKey(kind: string, at: Date): string | undefined {
  return ONCE_PER_OUTAGE_KINDS.has(kind) ? `${kind}/${at.toISOString().slice(0, 13)}` : undefined;
}

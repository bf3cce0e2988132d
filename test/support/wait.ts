/** Polls `read` until `done` holds for its value, or fails with the last value seen. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // not there yet (workflow not started, query before first task...)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  // Database rows carry BigInt ids, which JSON cannot say: without this the timeout's own message throws.
  const shown = JSON.stringify(last, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  throw new Error(`timed out after ${timeoutMs} ms; last value: ${shown}`);
}

// Small statistics over measured values: percentiles, and the rate over a run's sustained middle.

/** The p-th percentile (0..100) by nearest rank; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? null;
}

export interface Distribution {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function distribution(values: readonly number[]): Distribution {
  return { count: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: percentile(values, 100) };
}

/**
 * Completions per second between the 10th and 90th percentile of completion times: the sustained
 * rate, without the ramp-up of the first and the stragglers of the last. Null below 10 completions.
 */
export function sustainedRate(completedAtMs: readonly number[]): number | null {
  if (completedAtMs.length < 10) return null;
  const sorted = [...completedAtMs].sort((a, b) => a - b);
  const from = Math.floor(sorted.length * 0.1);
  const to = Math.ceil(sorted.length * 0.9) - 1;
  const seconds = ((sorted[to] ?? 0) - (sorted[from] ?? 0)) / 1000;
  return seconds <= 0 ? null : (to - from) / seconds;
}

/** The most events that fell within any one window of `windowMs` (e.g. calls in one second). */
export function peakInWindow(atMs: readonly number[], windowMs: number): number {
  const sorted = [...atMs].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export const round = (value: number | null, digits = 2): number | null => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

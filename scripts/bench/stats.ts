/**
 * Percentiles of a latency sample. Nearest-rank on a sorted copy: exact for the few thousand
 * samples a run has (a histogram would only add rounding), and p99 of 100 samples is the 99th.
 */
export interface Summary {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Nearest-rank percentile (p in 0–100) of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export function summarize(xs: readonly number[]): Summary {
  const sorted = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = sorted.length;
  return {
    n,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: n ? (sorted[n - 1] ?? null) : null,
    mean: n ? sorted.reduce((a, b) => a + b, 0) / n : null,
  };
}

/** Wall time with sub-millisecond resolution; every bench process stamps its events with it. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** The points of a call the benchmark times inside the CTI (scripts/bench reads them). */
export const BENCH_POINTS = ['queued', 'reserving', 'reserved', 'originate', 'heard', 'alarm', 'pop'] as const;
export type BenchPoint = (typeof BENCH_POINTS)[number];

let out: WriteStream | null = null;

/**
 * Opens the trace file (BENCH_TRACE_FILE). Off by default: a production process writes nothing
 * and `trace()` costs one null check.
 */
export function openBenchTrace(path: string | undefined): void {
  if (!path || out) return;
  out = createWriteStream(path, { flags: 'a' });
}

export function closeBenchTrace(): Promise<void> {
  const s = out;
  out = null;
  return s ? new Promise((resolve) => s.end(resolve)) : Promise.resolve();
}

/**
 * One timed point. Sub-millisecond wall time (timeOrigin + monotonic now), so the benchmark can
 * compare it with the simulator's and the consoles' clocks on the same machine.
 */
export function trace(ev: BenchPoint, callId: string, attempt?: number): void {
  if (!out) return;
  out.write(`${JSON.stringify({ ev, callId, ...(attempt !== undefined ? { attempt } : {}), t: performance.timeOrigin + performance.now() })}\n`);
}

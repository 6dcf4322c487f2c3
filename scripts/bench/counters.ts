import { Redis } from 'ioredis';

export interface RedisCounts {
  total: number;
  byCommand: Record<string, number>;
}

/** Commands Redis has processed: INFO stats' total and INFO commandstats per command. */
export async function redisCounts(redis: Redis): Promise<RedisCounts> {
  const [stats, cmds] = await Promise.all([redis.info('stats'), redis.info('commandstats')]);
  const total = Number(/total_commands_processed:(\d+)/.exec(stats)?.[1] ?? NaN);
  const byCommand: Record<string, number> = {};
  for (const m of cmds.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) byCommand[m[1]!] = Number(m[2]);
  return { total, byCommand };
}

export function redisDelta(a: RedisCounts, b: RedisCounts): RedisCounts {
  const byCommand: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.byCommand)) {
    const d = v - (a.byCommand[k] ?? 0);
    if (d > 0) byCommand[k] = d;
  }
  return { total: b.total - a.total, byCommand };
}

/**
 * One metric family of a /metrics text summed per label value (several labels joined by a
 * space); null when the process does not export the family. A family with no sample yet prints
 * only its HELP/TYPE lines: it exists, at zero.
 */
function metricSums(text: string, family: string, series: string, labels: readonly string[]): Record<string, number> | null {
  if (!new RegExp(`^# TYPE ${family} `, 'm').test(text)) return null;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`^${series}\\{([^}]*)\\}\\s+(\\S+)`, 'gm'))) {
    const key = labels.map((l) => new RegExp(`${l}="([^"]*)"`).exec(m[1]!)?.[1] ?? 'unknown').join(' ');
    out[key] = (out[key] ?? 0) + Number(m[2]);
  }
  return out;
}

/** What the bench counts per call from one CTI's /metrics, read in one scrape; null where not exported. */
export interface CtiCounters {
  /** `hotline_mongo_writes_total{collection=…}` (cti/metrics.ts), per collection. */
  mongoWrites: Record<string, number> | null;
  /** `hotline_mongo_commands_total`, keyed "command collection": what the database is asked, reads included. */
  mongoCommands: Record<string, number> | null;
  /** Seconds spent in garbage collection by kind (prom-client's nodejs_gc_duration_seconds: minor, major, incremental, weakcb). */
  gcSeconds: Record<string, number> | null;
  /** `hotline_heap_live_bytes`: V8 heap in use after the latest full collection (core/live-heap.ts). */
  heapLiveBytes: number | null;
}

export async function ctiCounters(url: string): Promise<CtiCounters | null> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) return null;
  const text = await res.text();
  return {
    mongoWrites: metricSums(text, 'hotline_mongo_writes_total', 'hotline_mongo_writes_total', ['collection']),
    mongoCommands: metricSums(text, 'hotline_mongo_commands_total', 'hotline_mongo_commands_total', ['command', 'collection']),
    gcSeconds: metricSums(text, 'hotline_process_nodejs_gc_duration_seconds', 'hotline_process_nodejs_gc_duration_seconds_sum', ['kind']),
    heapLiveBytes: (() => {
      const m = /^hotline_heap_live_bytes(?:\{[^}]*\})?\s+(\S+)/m.exec(text);
      return m ? Number(m[1]) : null;
    })(),
  };
}

/** Per-key growth from `before` to `after`, summed over processes; null when any reading is missing (the delta would be wrong). */
export function sumDelta(before: Array<Record<string, number> | null>, after: Array<Record<string, number> | null>): Record<string, number> | null {
  if (after.some((x) => x === null) || before.some((x) => x === null)) return null;
  const out: Record<string, number> = {};
  after.forEach((a, i) => {
    for (const [k, v] of Object.entries(a ?? {})) out[k] = (out[k] ?? 0) + v - (before[i]?.[k] ?? 0);
  });
  return out;
}

/**
 * The event-loop delay of one CTI since its previous /metrics scrape (prom-client's
 * monitorEventLoopDelay, reset at each scrape), in ms beyond its 10 ms sampling timer: how long
 * a reply that arrived could wait before the process read it. Null when not exported.
 */
export async function eventLoopDelay(url: string): Promise<{ p50: number; p90: number; p99: number; max: number } | null> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) return null;
  const text = await res.text();
  const read = (q: string) => {
    const m = new RegExp(`^hotline_process_nodejs_eventloop_lag_${q}_seconds(?:\\{[^}]*\\})?\\s+(\\S+)`, 'm').exec(text);
    return m ? Math.max(0, Number(m[1]) * 1000 - EVENT_LOOP_SAMPLING_MS) : null;
  };
  const [p50, p90, p99, max] = [read('p50'), read('p90'), read('p99'), read('max')];
  return p50 === null || p90 === null || p99 === null || max === null ? null : { p50, p90, p99, max };
}

/** prom-client's default eventLoopMonitoringPrecision: each recorded delay includes it. */
const EVENT_LOOP_SAMPLING_MS = 10;

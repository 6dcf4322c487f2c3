import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BENCH_POINTS } from '../../core/bench-trace';
import type { PopSeen, Ring } from './api';

/** One line the CTI writes with BENCH_TRACE_FILE set (core/bench-trace.ts). */
const traceLine = z.object({
  ev: z.enum(BENCH_POINTS),
  callId: z.string(),
  attempt: z.number().int().optional(),
  t: z.number(),
});
/** A trace point and the CTI process (NODE_ID) that wrote it. */
export type TracePoint = z.infer<typeof traceLine> & { node: string };

/** Every trace point of the CTI processes' files, oldest first; a line cut short (still being written) is skipped. */
export function readTraces(files: Array<{ node: string; file: string }>): TracePoint[] {
  const out: TracePoint[] = [];
  for (const { node, file: f } of files) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const p = traceLine.safeParse(JSON.parse(line));
        if (p.success) out.push({ ...p.data, node });
      } catch {
        // partial line
      }
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

const inWindow = (t: number, w: { from: number; to: number }): boolean => t >= w.from && t <= w.to;

/**
 * Queue entry → originate request, each originate paired with its call's latest queue entry
 * before it; split where the dispatcher traced its reservation: waiting for its pass (queue entry →
 * the reservation script sent), the script's round trip, and the reply → the request.
 */
export function queueToOriginate(points: TracePoint[], w: { from: number; to: number }): { total: number[]; toPass: number[]; script: number[]; toRequest: number[] } {
  const last = new Map<string, Partial<Record<'queued' | 'reserving' | 'reserved', number>>>();
  const out = { total: [] as number[], toPass: [] as number[], script: [] as number[], toRequest: [] as number[] };
  for (const p of points) {
    if (p.ev === 'queued') last.set(p.callId, { queued: p.t });
    else if (p.ev === 'reserving' || p.ev === 'reserved') {
      const seen = last.get(p.callId);
      if (seen) seen[p.ev] = p.t;
    } else if (p.ev === 'originate' && inWindow(p.t, w)) {
      const q = last.get(p.callId);
      if (q?.queued === undefined) continue;
      out.total.push(p.t - q.queued);
      // The latest reservation before this request (an earlier one may have found no agent).
      if (q.reserving !== undefined && q.reserved !== undefined && q.reserved >= q.reserving) {
        out.toPass.push(q.reserving - q.queued);
        out.script.push(q.reserved - q.reserving);
        out.toRequest.push(p.t - q.reserved);
      }
    }
  }
  return out;
}

export function ringTimes(rings: Ring[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const [leg, t] of rings) if (!m.has(leg)) m.set(leg, t);
  return m;
}

/** Ring start → pop:show at that agent's socket, per ringing leg; `missing`: rings no pop followed. */
export function popLatencies(rings: Ring[], pops: PopSeen[]): { latencies: number[]; missing: number } {
  const popAt = new Map<string, number>();
  for (const [leg, t] of pops) if (!popAt.has(leg)) popAt.set(leg, t);
  const latencies: number[] = [];
  let missing = 0;
  for (const [leg, t] of ringTimes(rings)) {
    const p = popAt.get(leg);
    if (p === undefined) missing++;
    else latencies.push(p - t);
  }
  return { latencies, missing };
}

/**
 * The answer alarm's firing time − (ring start + alarm time), for the legs left ringing on
 * purpose; `missing`: such legs with no alarm traced. null when no process traces alarms.
 */
export function alarmErrors(points: TracePoint[], rings: Ring[], alarmLegs: string[], alarmMs: number): { errors: number[]; missing: number } | null {
  const alarms = points.filter((p) => p.ev === 'alarm');
  if (alarms.length === 0 && !points.some((p) => p.ev === 'queued' || p.ev === 'originate')) return null;
  const at = new Map<string, number>();
  for (const a of alarms) {
    const leg = `${a.callId}-${a.attempt ?? 1}`;
    if (!at.has(leg)) at.set(leg, a.t);
  }
  const ringAt = ringTimes(rings);
  const errors: number[] = [];
  let missing = 0;
  for (const leg of alarmLegs) {
    const a = at.get(leg);
    const r = ringAt.get(leg);
    if (a === undefined || r === undefined) missing++;
    else errors.push(a - (r + alarmMs));
  }
  return { errors, missing };
}

/** (callId, ring start) of each call's first ring: what the boards are timed against. */
export function firstRings(rings: Ring[]): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [leg, t] of ringTimes(rings)) if (leg.endsWith('-1')) out.push([leg.slice(0, -2), t]);
  return out;
}

/**
 * The pop's path in two parts, where the CTI traces its emit (`pop`): ring start → the emit of
 * the process that holds that agent's socket (`nodeOf` the ringing extension), and that emit →
 * the agent's socket (transport under load). Within the first, `heard`: ring start → the call's
 * owner handling the ringing event (`heard`), the simulated Asterisk's event and the owner's
 * wait for its loop. null without `pop` points.
 */
export function popSplit(
  points: TracePoint[],
  rings: Ring[],
  pops: PopSeen[],
  nodeOf: (extension: string) => string | undefined,
): { server: number[]; transport: number[]; heard: number[] } | null {
  const emitted = new Map<string, number>();
  const heardAt = new Map<string, number>();
  for (const p of points) {
    const leg = `${p.callId}-${p.attempt ?? 1}`;
    const key = `${p.node} ${leg}`;
    if (p.ev === 'pop' && !emitted.has(key)) emitted.set(key, p.t);
    else if (p.ev === 'heard' && !heardAt.has(leg)) heardAt.set(leg, p.t);
  }
  if (emitted.size === 0) return null;
  const extOf = new Map<string, string>();
  for (const [leg, , ext] of rings) extOf.set(leg, ext);
  const seen = new Map<string, number>();
  for (const [leg, t] of pops) if (!seen.has(leg)) seen.set(leg, t);
  const server: number[] = [];
  const transport: number[] = [];
  const heard: number[] = [];
  for (const [leg, t] of ringTimes(rings)) {
    const h = heardAt.get(leg);
    if (h !== undefined) heard.push(h - t);
    const e = emitted.get(`${nodeOf(extOf.get(leg) ?? '') ?? ''} ${leg}`);
    if (e === undefined) continue;
    server.push(e - t);
    const s = seen.get(leg);
    if (s !== undefined) transport.push(s - e);
  }
  return { server, transport, heard };
}

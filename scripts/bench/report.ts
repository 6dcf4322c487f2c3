import Table from 'cli-table3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchOptions } from './options';
import type { Summary } from './stats';

export interface Latency extends Summary {
  /** Events with no matching end (a ring without pop, an alarm leg without alarm, …). */
  missing?: number;
}

export interface StepResult {
  rate: number;
  placed: number;
  lost: number;
  pop: Latency;
  /** No call lost and pop p99 (a missing pop counting as infinitely late) under 100 ms. */
  ok: boolean;
}

export interface ProcessUsage {
  /** % of one core over the main phase (or the soak) and over the whole measured run. */
  cpuMainPct: number | null;
  cpuRunPct: number | null;
  /** Peak RSS up to the end of the main phase (the rated load); null in a soak. */
  peakRssMainMb: number | null;
  /** Peak RSS over the whole run, the step-up past the sustained rate included. */
  peakRssMb: number | null;
}

export interface BenchResults {
  startedAt: string;
  options: BenchOptions;
  machine: { cpus: number; model: string; memGb: number; node: string; os: string };
  setupMs: Record<string, number>;
  /** Getting the consoles on: agent handshake (token, profile) and Ready, per agent. */
  consoles: { agents: number; ready: number; boards: number; connectMs: Summary; readyMs: Summary };
  baseline: Latency & { sent: number; clients: number };
  main: {
    rate: number;
    placed: number;
    answered: number;
    lost: number;
    lostReasons: Record<string, number>;
    pop: Latency;
    /** Split by the CTI's own `pop` trace point: ring → its emit, and emit → the agent's socket. */
    popServer: Latency | null;
    /** Ring → the call's owner handles the ringing event (ARI event delivery and its loop's wait). */
    popHeard?: Latency | null;
    popTransport: Latency | null;
    popToBaselineP99: number | null;
    queueToOriginate: Latency | null;
    /**
     * An idle probe process over the main phase (floor-process.ts): its timers' lateness and one
     * Redis PING's round trip, the least any step waiting for a core or for Redis takes here.
     */
    floor?: { timerLag: Latency; redisRtt: Latency } | null;
    /** Split by the dispatcher's trace points around its reservation script. */
    queueSplit?: { toPass: Latency; script: Latency; toRequest: Latency } | null;
    alarmError: Latency | null;
    board: (Latency & { notShown: number }) | null;
    redisCommandsPerCall: number | null;
    redisTopPerCall: Record<string, number>;
    mongoWritesPerAnsweredCall: number | null;
    mongoWritesByCollection: Record<string, number> | null;
    /** Every command (reads too) per call placed, and the most frequent "command collection". */
    mongoCommandsPerCall?: number | null;
    mongoTopPerCall?: Record<string, number>;
    /** Per CTI: its event-loop delay over the main phase, ms (see counters.ts eventLoopDelay). */
    eventLoopDelay?: Record<string, { p50: number; p90: number; p99: number; max: number } | null>;
    /** Per CTI: ms of garbage collection per second of the main phase, all kinds and major (mark-compact) alone. */
    gc?: Record<string, { msPerS: number; majorMsPerS: number } | null>;
    agentsReReady: number;
    consoleDisconnects: number;
  } | null;
  steps: StepResult[];
  maxSustainedRate: number | null;
  processes: Record<string, ProcessUsage>;
  soak: {
    calls: number;
    lost: number;
    rssMb: Record<string, Growth>;
    /**
     * Per CTI: V8 heap in use after its latest full collection (hotline_heap_live_bytes), MB: what
     * it holds, where RSS also counts heap V8 has let grow and not handed back.
     */
    liveHeapMb: Record<string, Growth>;
    pop: Latency;
    /** After each tenth of the soak: calls so far, that tenth's losses and pop p99, RSS and live heap. */
    segments: { calls: number; lost: number; popP99: number | null; rssMb: Record<string, number | null>; liveHeapMb: Record<string, number | null> }[];
  } | null;
  wallS: number;
}

/**
 * A figure at the soak's start, middle and end, and its growth start → end; also from the end of
 * the first tenth (`firstTenth`): the start is taken with no call yet, before the heap has grown to
 * its working size under load, so start → end mixes that one-off rise with growth over the soak.
 */
export interface Growth {
  start: number | null;
  middle: number | null;
  end: number | null;
  growthPct: number | null;
  firstTenth?: number | null;
  firstTenthGrowthPct?: number | null;
}

const pct = (from: number | null, to: number | null): number | null => (from && to !== null ? (100 * (to - from)) / from : null);

export function growthOf(start: number | null | undefined, middle: number | null | undefined, end: number | null | undefined, firstTenth?: number | null): Growth {
  const [s, m, e] = [start ?? null, middle ?? null, end ?? null];
  return {
    start: s,
    middle: m,
    end: e,
    growthPct: pct(s, e),
    ...(firstTenth !== undefined ? { firstTenth, firstTenthGrowthPct: pct(firstTenth, e) } : {}),
  };
}

const ms = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : x.toFixed(1));
const yes = (ok: boolean | null): string => (ok === null ? '' : ok ? 'yes' : 'NO');

function latencyRow(name: string, l: Latency | null, target: string, ok: boolean | null): string[] {
  if (!l) return [name, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', target, ''];
  const n = `${l.n}${l.missing ? ` (+${l.missing} missing)` : ''}`;
  return [name, n, ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max), target, yes(ok)];
}

/** The figures of issue 13 as one table (plus the steps and the processes), for the terminal. */
export function formatReport(r: BenchResults): string {
  const out: string[] = [];
  const o = r.options;
  out.push(
    `hotline-cti bench (${o.mode}): ${o.agents} agents, ${o.boards} boards, ${o.nodes} CTI process(es), FerretDB/${o.db}, ` +
      `phones answer after ${o.answerMs} ms, talk ${o.talkMs} ms, wrap-up ${o.acwMs} ms, prompts ${o.promptMs} ms`,
    `machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memGb} GB, Node ${r.machine.node}, ${r.machine.os}; wall ${r.wallS.toFixed(0)} s`,
  );
  const t = new Table({ head: ['figure (ms)', 'n', 'p50', 'p95', 'p99', 'max', 'target', 'met'], style: { head: [], border: [] } });
  const m = r.main;
  const base = r.baseline;
  t.push(latencyRow(`transport baseline: emit → receive (${base.clients} clients)`, base, '', null));
  if (m) {
    const popOk = m.pop.p99 !== null ? m.pop.p99 <= 50 && (m.popToBaselineP99 ?? Infinity) <= 5 && !m.pop.missing : null;
    t.push(latencyRow(`phone rings → pop:show at the agent (${m.rate}/s)`, m.pop, 'p99 ≤ 50, ≤ 5× baseline', popOk));
    if (m.popServer) t.push(latencyRow('  of which: ring → CTI emits the pop', m.popServer, '', null));
    if (m.popHeard) t.push(latencyRow("    within it: ring → the call's owner handles the ring event", m.popHeard, '', null));
    if (m.popTransport) t.push(latencyRow('  of which: CTI emit → agent socket', m.popTransport, '', null));
    t.push(['pop p99 ÷ baseline p99', '', '', '', m.popToBaselineP99 === null ? 'n/a' : `${m.popToBaselineP99.toFixed(1)}×`, '', '≤ 5×', yes(m.popToBaselineP99 === null ? null : m.popToBaselineP99 <= 5)]);
    t.push(latencyRow('queue entry → originate request', m.queueToOriginate, 'p99 ≤ 3', m.queueToOriginate?.p99 != null ? m.queueToOriginate.p99 <= 3 : null));
    if (m.queueSplit) {
      t.push(latencyRow("  of which: queue entry → the dispatcher's pass sends the script", m.queueSplit.toPass, '', null));
      t.push(latencyRow('  of which: the reservation script, sent → reply handled', m.queueSplit.script, '', null));
      t.push(latencyRow('  of which: reply → originate request', m.queueSplit.toRequest, '', null));
    }
    if (m.floor) {
      t.push(latencyRow('machine floor: timer lateness in an idle probe process', m.floor.timerLag, '', null));
      t.push(latencyRow('machine floor: one Redis PING from the idle probe, round trip', m.floor.redisRtt, '', null));
    }
    // How long a reply that arrived could wait before its process read it (p95 column: not measured).
    for (const [name, d] of Object.entries(m.eventLoopDelay ?? {})) {
      if (d) t.push([`${name}: event-loop delay (main phase)`, '', ms(d.p50), '', ms(d.p99), ms(d.max), '', '']);
    }
    for (const [name, g] of Object.entries(m.gc ?? {})) {
      if (g) t.push([`${name}: GC ms per s of the main phase (all / major)`, '', '', '', '', `${g.msPerS.toFixed(1)} / ${g.majorMsPerS.toFixed(1)}`, '', '']);
    }
    t.push(latencyRow('20 s alarm: fired − (ring + 20 s)', m.alarmError, 'p99 ≤ 250', m.alarmError?.p99 != null ? m.alarmError.p99 <= 250 && !m.alarmError.missing : null));
    t.push(latencyRow('phone rings → next board update received', m.board, '', null));
    t.push([`calls at ${m.rate}/s: placed / answered / lost`, '', '', '', '', `${m.placed} / ${m.answered} / ${m.lost}`, 'none lost', yes(m.lost === 0)]);
    t.push(['Redis commands per call', '', '', '', '', m.redisCommandsPerCall === null ? 'n/a' : m.redisCommandsPerCall.toFixed(1), '', '']);
    // The issue's rule is about the Call record's state timestamps (arrival, answer, end); the
    // recording's and the remembered language's documents are other collections, shown beside it.
    const callWrites = m.mongoWritesByCollection ? (m.mongoWritesByCollection['calls'] ?? 0) : null;
    t.push(['Call record writes per answered call', '', '', '', '', callWrites === null ? 'n/a' : callWrites.toFixed(2), '≤ 3', yes(callWrites === null ? null : callWrites <= 3)]);
    t.push(['MongoDB writes per answered call, all collections', '', '', '', '', m.mongoWritesPerAnsweredCall === null ? 'n/a' : m.mongoWritesPerAnsweredCall.toFixed(2), '', '']);
    t.push(['MongoDB commands per call (reads too)', '', '', '', '', m.mongoCommandsPerCall == null ? 'n/a' : m.mongoCommandsPerCall.toFixed(1), '', '']);
  }
  if (r.steps.length) {
    t.push(['max sustained calls/s (no loss, pop p99 < 100)', '', '', '', '', r.maxSustainedRate === null ? `< ${r.steps[0]!.rate}` : String(r.maxSustainedRate), '≥ 50', yes((r.maxSustainedRate ?? 0) >= 50)]);
  }
  for (const [name, p] of Object.entries(r.processes).filter(([n]) => n.startsWith('cti-'))) {
    // Judged at the rated load (the main phase); the whole run's peak, overload steps included, is shown beside it.
    const rated = p.peakRssMainMb ?? p.peakRssMb;
    const rssOk = rated === null ? null : o.agents < 1000 || rated <= 400;
    t.push([`${name}: CPU % of a core (main / run), peak RSS MB (main / run)`, '', '', '', '', `${ms(p.cpuMainPct)} / ${ms(p.cpuRunPct)}, ${ms(p.peakRssMainMb)} / ${ms(p.peakRssMb)}`, 'RSS ≤ 400 (1,000 agents)', yes(rssOk)]);
  }
  out.push(t.toString());
  const c = r.consoles;
  out.push(
    `setup: ${Object.entries(r.setupMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}; ` +
      `${c.agents} agents connected (p50 ${ms(c.connectMs.p50)}, max ${ms(c.connectMs.max)} ms), ${c.ready} Ready (p50 ${ms(c.readyMs.p50)}, max ${ms(c.readyMs.max)} ms), ${c.boards} boards`,
  );
  if (m) {
    const top = Object.entries(m.redisTopPerCall)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
    out.push(`Redis per call: ${top || 'n/a'}`);
    out.push(`MongoDB writes per answered call by collection: ${m.mongoWritesByCollection ? Object.entries(m.mongoWritesByCollection).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') || 'none' : 'n/a (no hotline_mongo_writes_total)'}`);
    if (m.mongoTopPerCall) out.push(`MongoDB commands per call: ${Object.entries(m.mongoTopPerCall).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') || 'none'}`);
    if (m.lost) out.push(`lost calls: ${JSON.stringify(m.lostReasons)}`);
    if (m.board) out.push(`board updates measured per (call, board): ${m.board.n}, none after the ring: ${m.board.missing ?? 0}, update not showing the call: ${m.board.notShown}`);
  }
  if (r.steps.length) {
    const s = new Table({ head: ['step calls/s', 'placed', 'lost', 'pop p50', 'pop p99', 'pops missing', 'sustained'], style: { head: [], border: [] } });
    for (const st of r.steps) s.push([String(st.rate), String(st.placed), String(st.lost), ms(st.pop.p50), ms(st.pop.p99), String(st.pop.missing ?? 0), yes(st.ok)]);
    out.push(s.toString());
  }
  const p = new Table({ head: ['process', 'CPU % main', 'CPU % run', 'peak RSS MB main', 'peak RSS MB run'], style: { head: [], border: [] } });
  for (const [name, u] of Object.entries(r.processes)) p.push([name, ms(u.cpuMainPct), ms(u.cpuRunPct), ms(u.peakRssMainMb), ms(u.peakRssMb)]);
  out.push(p.toString());
  if (r.soak) {
    const s = new Table({ head: ['soak', 'RSS MB start', 'middle', 'end', 'growth %', 'target', 'met'], style: { head: [], border: [] } });
    for (const [name, v] of Object.entries(r.soak.rssMb)) {
      s.push([name, ms(v.start), ms(v.middle), ms(v.end), ms(v.growthPct), '≤ 10 %', yes(v.growthPct === null ? null : v.growthPct <= 10)]);
      if (v.firstTenth != null) s.push([`${name}, from the first tenth's end`, ms(v.firstTenth), ms(v.middle), ms(v.end), ms(v.firstTenthGrowthPct), '', '']);
    }
    out.push(`soak: ${r.soak.calls} calls, ${r.soak.lost} lost; pop p50 ${ms(r.soak.pop.p50)} p99 ${ms(r.soak.pop.p99)} max ${ms(r.soak.pop.max)} ms`);
    if (r.soak.segments.length) out.push(`soak pop p99 by tenth (ms): ${r.soak.segments.map((g) => ms(g.popP99)).join(', ')}`);
    for (const [name, v] of Object.entries(r.soak.liveHeapMb ?? {})) s.push([`${name} live heap`, ms(v.start), ms(v.middle), ms(v.end), ms(v.growthPct), '', '']);
    out.push(s.toString());
    for (const name of Object.keys(r.soak.liveHeapMb ?? {})) {
      out.push(`${name} live heap MB by tenth (after a full GC): ${r.soak.segments.map((g) => ms(g.liveHeapMb?.[name])).join(', ')}`);
    }
  }
  return out.join('\n');
}

export function writeJson(path: string, r: BenchResults): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
}

import { SharedRead } from '../core/shared-read';
import { shanghaiDay } from '../core/time';
import type { AcdStore } from '../cti/acd/acd-store';
import { AGENT_STATES, type AgentLive, type AgentState } from '../cti/acd/agent-state';
import type { Models } from '../models';
import type { CallOutcome, CallState, Language } from '../models/enums';
import type { BoardSnapshot, CallInProgress, EndedCallView, MonitorView } from '../contracts';
import { changeSlot } from '../models/call';
import { CALL_FACT_FIELDS, callFactOf, DayTotals, msOf, type CallFact } from './day-metrics';
import { workOrderPanel } from './order-panel';

/** The figures' fields, and what the board shows of each call besides. */
const FACT_FIELDS = `${CALL_FACT_FIELDS} node callerNumber language arrivedAt recordingName fallback updatedAt`;

/** A write's slot is its writer's clock: changes are re-read this far back (and ahead), so a clock a little off loses none. */
const CLOCK_SKEW_MS = 5_000;
/**
 * A full read now and then bounds what a change made behind the writers' backs (a manual edit) can
 * leave stale: every 5 minutes, and on a day of many calls no more often than FULL_READ_MS_PER_CALL
 * per call held, so its cost per refresh stays flat as the day grows (a 20,000-call soak re-read
 * 6,000 documents at 5 minutes and the pops' p99 went from ~120 to ~460 ms in those segments).
 */
const FULL_READ_MS = 5 * 60_000;
const FULL_READ_MS_PER_CALL = 50;
/** A full read arrives in batches this size, the event loop free between them (one batch of thousands blocked it). */
const FULL_READ_BATCH = 250;
/** Past this since the last read (no console was connected), one full read costs less than the slots. */
const MAX_SLOTS = 24;
/**
 * The work-order panel changes only when an order does, and every write of an order is announced
 * (`work-order.changed`, deadline flags included): it is read again then, or after this long at
 * most (an edit behind the service's back). Read on every refresh, it cost three database
 * commands several times a second per process, calls or none.
 */
const ORDER_PANEL_MS = 60_000;

type CallDoc = Awaited<ReturnType<BoardService['readCalls']>>[number];

/**
 * What the board keeps of one of today's calls, taken once per write of the call: the figures'
 * facts, dates as ms, and what its rows show. Kept whole, a day's documents cost 2.3 KB a call
 * and their facts were rebuilt at every refresh.
 */
type DayCall = Omit<CallFact, 'queuedAt' | 'answeredAt' | 'endedAt'> & {
  queuedAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  callerNumber: string;
  arrivedAt: number;
  node: string;
  language: string | null;
  recordingName: string | null;
  fallback: boolean;
  updatedAt: number;
};

function dayCallOf(d: CallDoc): DayCall {
  const f = callFactOf(d);
  return {
    ...f,
    queuedAt: msOf(f.queuedAt),
    answeredAt: msOf(f.answeredAt),
    endedAt: msOf(f.endedAt),
    callerNumber: d.callerNumber,
    arrivedAt: d.arrivedAt.getTime(),
    node: d.node,
    language: d.language ?? null,
    recordingName: d.recordingName ?? null,
    fallback: !!d.fallback,
    updatedAt: d.updatedAt?.getTime() ?? 0,
  };
}

/** The `k` calls ended last, latest first, in one pass (a day's calls, at every refresh: no sort of them all). */
export function lastEnded<C extends { state: string; outcome?: string | null; endedAt: number | null }>(calls: Iterable<C>, k: number): C[] {
  const top: C[] = [];
  for (const c of calls) {
    if (c.state !== 'ended' || c.endedAt === null || !c.outcome) continue;
    if (top.length === k && c.endedAt <= top[k - 1]!.endedAt!) continue;
    let i = top.length;
    top.push(c);
    // Strictly later moves up: of two ended at the same ms, the one met first stays first.
    while (i > 0 && top[i - 1]!.endedAt! < c.endedAt) {
      top[i] = top[i - 1]!;
      i--;
    }
    top[i] = c;
    if (top.length > k) top.pop();
  }
  return top;
}

/**
 * The supervisor board: live state from the ACD store (agents, queue, calls in progress) plus
 * today's figures from the Call documents of the Asia/Shanghai day, test calls excluded.
 */
export class BoardService {
  /**
   * Today's Call documents as last read: a refresh reads only those written since its last read
   * began (a busy day holds thousands, and the board refreshes every second or so), by their
   * write slot (models/call.ts). Rebuilt at the day's turn.
   */
  private day?: { label: string; calls: Map<string, DayCall>; totals: DayTotals; readAt: number; fullAt: number };
  private readonly orderPanel: SharedRead<Awaited<ReturnType<typeof workOrderPanel>>>;

  constructor(
    private readonly deps: {
      models: Models;
      acd: AcdStore;
      serviceLevelMs: number;
      /** Supervisors listening, whispering or barged in, by call (cti/monitor/). */
      monitors?: { views(): Promise<Map<string, MonitorView>> };
    },
  ) {
    this.orderPanel = new SharedRead(() => workOrderPanel(deps.models), ORDER_PANEL_MS);
  }

  /** An order changed (or events were missed): the next refresh reads the panel afresh. */
  ordersChanged(): void {
    this.orderPanel.invalidate();
  }

  private readCalls(range: { start: number; end: number }, slot?: number) {
    return this.deps.models.Call.find({
      // Equality first: the part of the filter FerretDB hands to PostgreSQL.
      ...(slot !== undefined ? { changedIn: slot } : {}),
      arrivedAt: { $gte: new Date(range.start), $lt: new Date(range.end) },
      test: { $ne: true },
      direction: { $ne: 'outbound' },
    })
      .select(FACT_FIELDS)
      .batchSize(FULL_READ_BATCH)
      .lean();
  }

  private async todayCalls(day: { label: string; start: number; end: number }, now: number): Promise<{ calls: ReadonlyMap<string, DayCall>; totals: DayTotals }> {
    const cached = this.day;
    const first = cached ? changeSlot(cached.readAt - CLOCK_SKEW_MS) : 0;
    const last = changeSlot(now + CLOCK_SKEW_MS);
    const fullEvery = Math.max(FULL_READ_MS, (cached?.calls.size ?? 0) * FULL_READ_MS_PER_CALL);
    const full = !cached || cached.label !== day.label || now - cached.fullAt >= fullEvery || last - first >= MAX_SLOTS;
    const docs = full ? await this.readCalls(day) : (await Promise.all(Array.from({ length: last - first + 1 }, (_, i) => this.readCalls(day, first + i)))).flat();
    const fresh = full || !cached;
    const calls = fresh ? new Map<string, DayCall>() : cached.calls;
    const totals = fresh ? new DayTotals({ serviceLevelMs: this.deps.serviceLevelMs }) : cached.totals;
    for (const d of docs) {
      // Slots overlap from one refresh to the next: the later write of a call wins.
      const seen = calls.get(d.callId);
      if (seen && seen.updatedAt > (d.updatedAt?.getTime() ?? 0)) continue;
      const entry = dayCallOf(d);
      totals.replace(seen, entry);
      calls.set(d.callId, entry);
    }
    this.day = { label: day.label, calls, totals, readAt: now, fullAt: full ? now : cached!.fullAt };
    return { calls, totals };
  }

  /**
   * The whole board, at the refresh `seq` of the process that sends it. `agents`: the agents as the
   * caller already holds them (`AcdStore.agentsKnown` reads only those changed); read afresh if not given.
   */
  async snapshot(now = Date.now(), agentsKnown?: AgentLive[], seq = 0): Promise<BoardSnapshot> {
    const { models, acd, serviceLevelMs } = this.deps;
    const day = shanghaiDay(now);
    const [{ calls: todayById, totals }, agents, queue, live, steps, unreachable, workOrders] = await Promise.all([
      this.todayCalls(day, now),
      agentsKnown ?? acd.agents(),
      acd.queued(),
      acd.liveCalls(),
      acd.liveSteps(),
      acd.unreachablePhones(),
      this.orderPanel.get(),
    ]);
    const monitors = (await this.deps.monitors?.views()) ?? new Map<string, MonitorView>();
    // Calls that started before midnight and are still going are in progress too.
    const older = [...live.keys()].filter((id) => !todayById.has(id));
    // One equality read each: FerretDB decodes every call stored for an `$in` (a call whose record
    // is still in the outbox is in this list for a moment, on a busy refresh).
    const carried = (
      await Promise.all(older.map((callId) => models.Call.findOne({ callId, test: { $ne: true }, direction: { $ne: 'outbound' } }).select(FACT_FIELDS).lean()))
    )
      .filter((c): c is NonNullable<typeof c> => c !== null)
      .map(dayCallOf);

    const { metrics, byAgent } = totals.figures();

    const names = new Map(agents.map((a) => [a.workNumber, a.name]));
    const missing = byAgent.filter((r) => !names.has(r.workNumber)).map((r) => r.workNumber);
    if (missing.length) {
      for (const a of await models.Agent.find({ workNumber: { $in: missing } }).select('workNumber name').lean()) names.set(a.workNumber, a.name);
    }

    const waiting = { yue: { count: 0, longestSince: null }, cmn: { count: 0, longestSince: null } } as BoardSnapshot['waiting'];
    for (const q of queue) {
      const w = waiting[q.language];
      w.count++;
      w.longestSince = w.longestSince === null ? q.queuedAt : Math.min(w.longestSince, q.queuedAt);
    }

    const agentCounts = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
    for (const a of agents) agentCounts[a.state]++;
    const unreachableSet = new Set(unreachable);

    // The Call record names its agent only once answered; while it rings, the ACD knows whose phone it is.
    const offeredTo = new Map(agents.filter((a) => a.callId && (a.state === 'reserved' || a.state === 'ringing')).map((a) => [a.callId, a.workNumber]));
    // Looked up by the live calls, not found by going over the day's.
    const liveToday = [...live.keys()].flatMap((id) => todayById.get(id) ?? []);
    const inProgress: CallInProgress[] = [...carried, ...liveToday]
      .filter((c) => c.state !== 'ended')
      .map((c) => {
        const agentWorkNumber = c.agentWorkNumber ?? offeredTo.get(c.callId) ?? null;
        // The record holds milestones only (arrival, answer, end): the step in between is in Redis.
        const step = steps.get(c.callId);
        return {
          callId: c.callId,
          callerNumber: c.callerNumber,
          state: step?.state ?? (c.state as CallState),
          language: step?.language ?? (c.language as Language | undefined) ?? null,
          arrivedAt: c.arrivedAt,
          agentWorkNumber,
          agentName: agentWorkNumber ? (names.get(agentWorkNumber) ?? null) : null,
          answeredAt: c.answeredAt,
          node: c.node,
          monitor: monitors.get(c.callId) ?? null,
        };
      })
      .sort((a, b) => a.arrivedAt - b.arrivedAt);

    const recentCalls: EndedCallView[] = lastEnded(todayById.values(), 20).map((c) => ({
      callId: c.callId,
      callerNumber: c.callerNumber,
      arrivedAt: c.arrivedAt,
      endedAt: c.endedAt!,
      outcome: c.outcome as CallOutcome,
      agentWorkNumber: c.agentWorkNumber ?? null,
      recordingName: c.recordingName ?? null,
      fallback: c.fallback,
    }));

    return {
      seq,
      serverNow: now,
      day: day.label,
      serviceLevelMs,
      waiting,
      queue: queue.map((q) => ({ callId: q.callId, callerNumber: q.callerNumber, language: q.language, queuedAt: q.queuedAt, ...(q.callback ? { callback: q.callback } : {}) })),
      agents: agents.map((a) => ({
        workNumber: a.workNumber,
        name: a.name,
        extension: a.extension,
        languages: a.languages,
        state: a.state,
        reason: a.reason,
        since: a.since,
        callId: a.callId,
        phoneReachable: !unreachableSet.has(a.extension),
      })),
      agentCounts,
      inProgress,
      metrics,
      byAgent: byAgent.map((r) => ({ ...r, name: names.get(r.workNumber) ?? '' })),
      recentCalls,
      workOrders,
    };
  }
}

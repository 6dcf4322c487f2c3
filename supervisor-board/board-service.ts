import { setTimeout as delay } from 'node:timers/promises';
import { SharedRead } from '../core/shared-read';
import { shanghaiDay } from '../core/time';
import type { AcdStore } from '../cti/acd/acd-store';
import { AGENT_STATES, type AgentLive, type AgentState } from '../cti/acd/agent-state';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import type { CallOutcome, CallState, Language } from '../models/enums';
import type { BoardSnapshot, CallInProgress, EndedCallView, MonitorView } from '../contracts';
import { changeSlot } from '../models/call';
import { DayCalls, type DayCall } from './day-calls';
import { CALL_FACT_FIELDS, callFactOf, DayTotals, msOf } from './day-metrics';
import { workOrderPanel } from './order-panel';

/** The figures' fields, and what the board shows of each call besides. */
const FACT_FIELDS = `${CALL_FACT_FIELDS} node callerNumber language arrivedAt recordingName fallback updatedAt`;

/** A write's slot is its writer's clock: changes are re-read this far back (and ahead), so a clock a little off loses none. */
const CLOCK_SKEW_MS = 5_000;
/**
 * A full read now and then bounds what a change made behind the writers' backs (a manual edit) can
 * leave stale: every 5 minutes, and on a day of many calls no more often than FULL_READ_MS_PER_CALL
 * per call held, so its cost per refresh stays flat as the day grows (a 20,000-call soak re-read
 * 6,000 documents at 5 minutes and the pops' p99 went from ~120 to ~460 ms in those segments); but
 * at least every FULL_READ_MAX_MS: at 20 calls/s the held calls grow as fast as the interval, and
 * the read would never come again.
 */
const FULL_READ_MS = 5 * 60_000;
const FULL_READ_MS_PER_CALL = 50;
const FULL_READ_MAX_MS = 30 * 60_000;

/** How long after the last full read of the day the next one is due, with `held` calls of the day held. */
export const fullReadEvery = (held: number): number => Math.min(FULL_READ_MAX_MS, Math.max(FULL_READ_MS, held * FULL_READ_MS_PER_CALL));
/** A full read arrives in batches this size, the event loop free between them (one batch of thousands blocked it). */
const FULL_READ_BATCH = 250;
/** The periodic re-read's pause between batches: 100,000 calls then take about 8 s of pauses, the refreshes going on meanwhile. */
const FULL_READ_PAUSE_MS = 20;
/** Past this since the last read (no console was connected), one full read costs less than the slots. */
const MAX_SLOTS = 24;
/** The board's list of the calls ended last. */
const RECENT_CALLS = 20;
/**
 * The work-order panel changes only when an order does, and every write of an order is announced
 * (`work-order.changed`, deadline flags included): it is read again then, or after this long at
 * most (an edit behind the service's back). Read on every refresh, it cost three database
 * commands several times a second per process, calls or none.
 */
const ORDER_PANEL_MS = 60_000;

type CallDoc = Awaited<ReturnType<BoardService['readCalls']>>[number];

type Day = { label: string; start: number; end: number };

/** Today's calls as last read, their running figures, and when they were last read in part and whole. */
interface CachedDay {
  label: string;
  calls: DayCalls;
  totals: DayTotals;
  readAt: number;
  fullAt: number;
}

/** One read document into the cache; slots overlap from one read to the next, and the later write of a call wins. */
function take(into: CachedDay, d: CallDoc): void {
  const admitted = into.calls.admit(d.callId, d.updatedAt?.getTime() ?? 0);
  if (!admitted.take) return;
  const entry = dayCallOf(d);
  into.totals.replace(admitted.seen, entry);
  into.calls.set(entry);
}

/** Taken once per write of the call (a day's documents kept whole cost 2.3 KB a call, and their facts were rebuilt at every refresh). */
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
  private day?: CachedDay;
  /** The periodic re-read of the whole day, while one is under way. */
  private rereading?: Promise<void>;
  private readonly orderPanel: SharedRead<Awaited<ReturnType<typeof workOrderPanel>>>;

  constructor(
    private readonly deps: {
      models: Models;
      acd: AcdStore;
      serviceLevelMs: number;
      /** Supervisors listening, whispering or barged in, by call (cti/monitor/). */
      monitors?: { views(): Promise<Map<string, MonitorView>> };
      /** Where a failed periodic re-read is told (it is tried again at the next refresh). */
      log?: Pick<Logger, 'warn'>;
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

  private async todayCalls(day: Day, now: number): Promise<{ calls: DayCalls; totals: DayTotals }> {
    const cached = this.day;
    const first = cached ? changeSlot(cached.readAt - CLOCK_SKEW_MS) : 0;
    const last = changeSlot(now + CLOCK_SKEW_MS);
    if (!cached || cached.label !== day.label || last - first >= MAX_SLOTS) {
      // Nothing to show meanwhile: this refresh waits for the whole day.
      this.day = await this.readDay(day, now, 0);
      return this.day;
    }
    const docs = (await Promise.all(Array.from({ length: last - first + 1 }, (_, i) => this.readCalls(day, first + i)))).flat();
    for (const d of docs) take(cached, d);
    // Incomplete: a settled call was written again (its earlier facts are not held), or the list
    // of the last ended needs one; the figures keep its earlier write until the re-read.
    if ((cached.calls.incomplete || now - cached.fullAt >= fullReadEvery(cached.calls.size)) && !this.rereading) {
      this.rereading = this.rereadDay(day, now)
        .catch((err: unknown) => this.deps.log?.warn({ err: (err as Error).message }, 'board: re-read of the day failed'))
        .finally(() => (this.rereading = undefined));
    }
    // A re-read swapped in meanwhile holds its own start as read: the next refresh reads these slots into it.
    if (this.day === cached) cached.readAt = now;
    return cached;
  }

  /** Today's calls read whole, `pauseMs` between batches; their figures summed, and the calls not shown settled, as they come. */
  private async readDay(day: Day, now: number, pauseMs: number): Promise<CachedDay> {
    const into: CachedDay = { label: day.label, calls: new DayCalls(RECENT_CALLS, day.start), totals: new DayTotals({ serviceLevelMs: this.deps.serviceLevelMs }), readAt: now, fullAt: now };
    let n = 0;
    for await (const d of this.readCalls(day).cursor()) {
      take(into, d as CallDoc);
      if (++n % FULL_READ_BATCH !== 0) continue;
      into.calls.settle();
      if (pauseMs > 0) await delay(pauseMs);
    }
    into.calls.settle();
    return into;
  }

  /**
   * The periodic re-read, while refreshes go on from the cache: paced, so a big day's documents
   * do not take the database and this process's event loop for seconds in one go (at 24,000 calls
   * the pops' p99 went to 336 ms in the soak's tenth that held it). Swapped in only over the day
   * it was started for; it counts as read up to its own start, so the next refresh reads every
   * slot written since.
   */
  private async rereadDay(day: Day, now: number): Promise<void> {
    const fresh = await this.readDay(day, now, FULL_READ_PAUSE_MS);
    if (this.day?.label === day.label && this.day.fullAt < now) this.day = fresh;
  }

  /** Resolves when no periodic re-read is under way (tests). */
  async rereadDone(): Promise<void> {
    await this.rereading;
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
    const liveToday = [...live.keys()].flatMap((id) => todayById.shown(id) ?? []);
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

    const recentCalls: EndedCallView[] = todayById.lastEnded().map((c) => ({
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

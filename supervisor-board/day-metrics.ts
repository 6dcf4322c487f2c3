import type { CallOutcome, CallState, OfferResult } from '../models/enums';
import type { AgentDayRow, DayMetrics } from '../contracts';
import { agentDayOrder } from '../contracts/board-updates';

/**
 * The board's arithmetic, pure: today's Call records in, figures out. The README's "Board metrics" section defines
 * each figure in words; keep the two in step.
 */

/** The fields of a Call document the figures depend on. */
export interface CallFact {
  callId: string;
  state: CallState;
  outcome?: CallOutcome | null;
  queuedAt?: Date | number | null;
  answeredAt?: Date | number | null;
  endedAt?: Date | number | null;
  /** Queue entry → answer. */
  answerDelayMs?: number | null;
  /** Ring time of the answered offer. */
  answerRingMs?: number | null;
  abandonWaitMs?: number | null;
  agentWorkNumber?: string | null;
  offers?: Array<{ agentWorkNumber: string; result: OfferResult | string; alarmed?: boolean | null; ringMs?: number | null }>;
  test?: boolean | null;
  /** `callback`: a queue callback that reached the caller (answeredAt is that moment). */
  answeredVia?: string | null;
}

/** A Call document as read from MongoDB (any selection holding CALL_FACT_FIELDS). */
export interface CallFactSource {
  callId: string;
  state: string;
  outcome?: string | null;
  queuedAt?: Date | null;
  answeredAt?: Date | null;
  endedAt?: Date | null;
  answerDelayMs?: number | null;
  answerRingMs?: number | null;
  abandonWaitMs?: number | null;
  agentWorkNumber?: string | null;
  offers?: ReadonlyArray<{ agentWorkNumber: string; result: string; alarmed?: boolean | null; ringMs?: number | null }> | null;
  test?: boolean | null;
  answeredVia?: string | null;
}

/** The Call fields the figures read: what the board, the history and the monthly report select. */
export const CALL_FACT_FIELDS = 'callId state outcome queuedAt answeredAt endedAt answerDelayMs answerRingMs abandonWaitMs agentWorkNumber offers test answeredVia';

/** A Call document as the figures see it. */
export function callFactOf(c: CallFactSource): CallFact {
  return {
    callId: c.callId,
    state: c.state as CallState,
    outcome: (c.outcome as CallOutcome | null | undefined) ?? null,
    queuedAt: c.queuedAt ?? null,
    answeredAt: c.answeredAt ?? null,
    endedAt: c.endedAt ?? null,
    answerDelayMs: c.answerDelayMs ?? null,
    answerRingMs: c.answerRingMs ?? null,
    abandonWaitMs: c.abandonWaitMs ?? null,
    agentWorkNumber: c.agentWorkNumber ?? null,
    offers: (c.offers ?? []).map((o) => ({ agentWorkNumber: o.agentWorkNumber, result: o.result, alarmed: o.alarmed ?? false, ringMs: o.ringMs ?? null })),
    test: !!c.test,
    answeredVia: c.answeredVia ?? null,
  };
}

export interface MetricsOptions {
  /** "Answered within": 20 s on the hotline. */
  serviceLevelMs: number;
}

const ABANDONED: ReadonlySet<string> = new Set(['abandoned-queue', 'abandoned-ringing']);

/** A fact's time as ms: the day cache keeps numbers, documents read from MongoDB carry Dates. */
export const msOf = (v: Date | number | null | undefined): number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : v.getTime());

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);
/** A mean being summed: values added, and taken out again with `sign` -1. */
interface MeanSum {
  sum: number;
  n: number;
}
const newMean = (): MeanSum => ({ sum: 0, n: 0 });
function addValue(m: MeanSum, v: number | null | undefined, sign: 1 | -1): void {
  if (typeof v !== 'number') return;
  m.sum += sign * v;
  m.n += sign;
}
const meanOf = (m: MeanSum): number | null => (m.n === 0 ? null : Math.round(m.sum / m.n));

export function isAnswered(c: CallFact): boolean {
  return c.outcome === 'answered' || (c.outcome == null && msOf(c.answeredAt) !== null);
}

/** Talk time of an answered call, when both ends are known. */
function talkMs(c: CallFact): number | null {
  const a = msOf(c.answeredAt);
  const e = msOf(c.endedAt);
  return a !== null && e !== null && e >= a ? e - a : null;
}

interface AgentSums {
  answered: number;
  within: number;
  ring: MeanSum;
  talk: MeanSum;
  noAnswer: number;
}

/**
 * What the day's figures are made of: counts and sums only, so a call's part can be added and
 * taken out again (a call's record changes while it goes on). Every ms value is an integer, so
 * the sums are exact and the figures the same in whatever order calls came and went.
 */
interface DaySums {
  arrived: number;
  answered: number;
  viaCallback: number;
  within: number;
  abandoned: number;
  failedAfterQueue: number;
  greetingAbandons: number;
  failed: number;
  asa: MeanSum;
  abandonWait: MeanSum;
  noAnswer: number;
  alarmed: number;
  talk: MeanSum;
  agents: Map<string, AgentSums>;
}

function emptySums(): DaySums {
  return { arrived: 0, answered: 0, viaCallback: 0, within: 0, abandoned: 0, failedAfterQueue: 0, greetingAbandons: 0, failed: 0, asa: newMean(), abandonWait: newMean(), noAnswer: 0, alarmed: 0, talk: newMean(), agents: new Map() };
}

/** Adds one call's part to the sums (`sign` 1), or takes it out (-1). */
function addCall(s: DaySums, c: CallFact, serviceLevelMs: number, sign: 1 | -1): void {
  if (c.test) return;
  const agent = (wn: string) => {
    let r = s.agents.get(wn);
    if (!r) s.agents.set(wn, (r = { answered: 0, within: 0, ring: newMean(), talk: newMean(), noAnswer: 0 }));
    return r;
  };
  s.arrived += sign;
  if (isAnswered(c)) {
    const within = typeof c.answerDelayMs === 'number' && c.answerDelayMs <= serviceLevelMs;
    const talk = talkMs(c);
    s.answered += sign;
    if (c.answeredVia === 'callback') s.viaCallback += sign;
    if (within) s.within += sign;
    addValue(s.asa, c.answerDelayMs, sign);
    addValue(s.talk, talk, sign);
    if (c.agentWorkNumber) {
      const r = agent(c.agentWorkNumber);
      r.answered += sign;
      if (within) r.within += sign;
      addValue(r.ring, c.answerRingMs, sign);
      addValue(r.talk, talk, sign);
    }
  }
  if (ABANDONED.has(c.outcome ?? '')) {
    s.abandoned += sign;
    addValue(s.abandonWait, c.abandonWaitMs, sign);
  }
  if (c.outcome === 'failed') {
    s.failed += sign;
    if (msOf(c.queuedAt) !== null) s.failedAfterQueue += sign;
  }
  if (c.outcome === 'abandoned-greeting') s.greetingAbandons += sign;
  for (const o of c.offers ?? []) {
    if (o.alarmed) s.alarmed += sign;
    if (o.result === 'no-answer') {
      s.noAnswer += sign;
      agent(o.agentWorkNumber).noAnswer += sign;
    }
  }
}

function figuresOf(s: DaySums): { metrics: DayMetrics; byAgent: Omit<AgentDayRow, 'name'>[] } {
  const offered = s.answered + s.abandoned + s.failedAfterQueue;
  const metrics: DayMetrics = {
    arrived: s.arrived,
    offered,
    answered: s.answered,
    // Counted among the answered, their wait running to the moment the caller was reached.
    answeredViaCallback: s.viaCallback,
    answeredWithinSl: s.within,
    abandoned: s.abandoned,
    greetingAbandons: s.greetingAbandons,
    failed: s.failed,
    serviceLevel: ratio(s.within, s.answered),
    serviceLevelOffered: ratio(s.within, offered),
    asaMs: meanOf(s.asa),
    abandonRate: ratio(s.abandoned, offered),
    avgAbandonWaitMs: meanOf(s.abandonWait),
    ringNoAnswer: s.noAnswer,
    alarmedOffers: s.alarmed,
    avgTalkMs: meanOf(s.talk),
  };
  const byAgent = [...s.agents.entries()]
    // An agent appears once they answered or let a call ring out (a part taken out can leave zeros).
    .filter(([, r]) => r.answered > 0 || r.noAnswer > 0)
    .map(([workNumber, r]) => ({
      workNumber,
      answered: r.answered,
      answeredWithinSl: r.within,
      avgRingMs: meanOf(r.ring),
      avgTalkMs: meanOf(r.talk),
      ringNoAnswer: r.noAnswer,
    }))
    .sort(agentDayOrder);
  return { metrics, byAgent };
}

export function dayMetrics(calls: readonly CallFact[], opts: MetricsOptions): { metrics: DayMetrics; byAgent: Omit<AgentDayRow, 'name'>[] } {
  const s = emptySums();
  for (const c of calls) addCall(s, c, opts.serviceLevelMs, 1);
  return figuresOf(s);
}

/**
 * The same figures as `dayMetrics`, kept as running sums while calls are added and their records
 * replaced: the board asks for them every second or so, and going over every call of a busy day
 * each time grew with the day.
 */
export class DayTotals {
  private readonly sums = emptySums();

  constructor(private readonly opts: MetricsOptions) {}

  /** A call's record as it stands now; `was`, what was given for that call before (none: a new call). */
  replace(was: CallFact | undefined, now: CallFact): void {
    if (was) addCall(this.sums, was, this.opts.serviceLevelMs, -1);
    addCall(this.sums, now, this.opts.serviceLevelMs, 1);
  }

  figures(): { metrics: DayMetrics; byAgent: Omit<AgentDayRow, 'name'>[] } {
    return figuresOf(this.sums);
  }
}

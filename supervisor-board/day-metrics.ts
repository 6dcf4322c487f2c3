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

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

export function isAnswered(c: CallFact): boolean {
  return c.outcome === 'answered' || (c.outcome == null && msOf(c.answeredAt) !== null);
}

export function dayMetrics(calls: readonly CallFact[], opts: MetricsOptions): { metrics: DayMetrics; byAgent: Omit<AgentDayRow, 'name'>[] } {
  const real = calls.filter((c) => !c.test);
  const answered = real.filter(isAnswered);
  const within = answered.filter((c) => typeof c.answerDelayMs === 'number' && c.answerDelayMs <= opts.serviceLevelMs);
  const abandoned = real.filter((c) => ABANDONED.has(c.outcome ?? ''));
  const failedAfterQueue = real.filter((c) => c.outcome === 'failed' && msOf(c.queuedAt) !== null);
  const offered = answered.length + abandoned.length + failedAfterQueue.length;
  const talk = answered.flatMap((c) => {
    const a = msOf(c.answeredAt);
    const e = msOf(c.endedAt);
    return a !== null && e !== null && e >= a ? [e - a] : [];
  });
  const offers = real.flatMap((c) => c.offers ?? []);
  const noAnswer = offers.filter((o) => o.result === 'no-answer');

  const metrics: DayMetrics = {
    arrived: real.length,
    offered,
    answered: answered.length,
    // Counted among the answered, their wait running to the moment the caller was reached.
    answeredViaCallback: answered.filter((c) => c.answeredVia === 'callback').length,
    answeredWithinSl: within.length,
    abandoned: abandoned.length,
    greetingAbandons: real.filter((c) => c.outcome === 'abandoned-greeting').length,
    failed: real.filter((c) => c.outcome === 'failed').length,
    serviceLevel: ratio(within.length, answered.length),
    serviceLevelOffered: ratio(within.length, offered),
    asaMs: mean(answered.flatMap((c) => (typeof c.answerDelayMs === 'number' ? [c.answerDelayMs] : []))),
    abandonRate: ratio(abandoned.length, offered),
    avgAbandonWaitMs: mean(abandoned.flatMap((c) => (typeof c.abandonWaitMs === 'number' ? [c.abandonWaitMs] : []))),
    ringNoAnswer: noAnswer.length,
    alarmedOffers: offers.filter((o) => o.alarmed).length,
    avgTalkMs: mean(talk),
  };

  const rows = new Map<string, { answered: CallFact[]; noAnswer: number }>();
  const row = (wn: string) => {
    let r = rows.get(wn);
    if (!r) rows.set(wn, (r = { answered: [], noAnswer: 0 }));
    return r;
  };
  for (const c of answered) if (c.agentWorkNumber) row(c.agentWorkNumber).answered.push(c);
  for (const o of noAnswer) row(o.agentWorkNumber).noAnswer++;
  const byAgent = [...rows.entries()]
    .map(([workNumber, r]) => ({
      workNumber,
      answered: r.answered.length,
      answeredWithinSl: r.answered.filter((c) => typeof c.answerDelayMs === 'number' && c.answerDelayMs <= opts.serviceLevelMs).length,
      avgRingMs: mean(r.answered.flatMap((c) => (typeof c.answerRingMs === 'number' ? [c.answerRingMs] : []))),
      avgTalkMs: mean(
        r.answered.flatMap((c) => {
          const a = msOf(c.answeredAt);
          const e = msOf(c.endedAt);
          return a !== null && e !== null && e >= a ? [e - a] : [];
        }),
      ),
      ringNoAnswer: r.noAnswer,
    }))
    .sort(agentDayOrder);
  return { metrics, byAgent };
}

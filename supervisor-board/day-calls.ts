import type { CallFact } from './day-metrics';

/** A call as its figures see it, dates as ms, and the write it was taken from (the later write wins). */
export type DayFact = Omit<CallFact, 'queuedAt' | 'answeredAt' | 'endedAt'> & {
  queuedAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  updatedAt: number;
};

/** What the board keeps of one of today's calls: its facts and what its rows show. */
export type DayCall = DayFact & {
  callerNumber: string;
  arrivedAt: number;
  node: string;
  language: string | null;
  recordingName: string | null;
  fallback: boolean;
};

type Offer = NonNullable<DayCall['offers']>[number];

/** A settled call, as one JSON array in this order (its callId is the key), its offers as arrays too. */
type Packed = [
  DayCall['state'],
  DayCall['outcome'],
  DayCall['queuedAt'],
  DayCall['answeredAt'],
  DayCall['endedAt'],
  DayCall['answerDelayMs'],
  DayCall['answerRingMs'],
  DayCall['abandonWaitMs'],
  DayCall['agentWorkNumber'],
  Array<[Offer['agentWorkNumber'], Offer['result'], Offer['alarmed'], Offer['ringMs']]>,
  DayCall['test'],
  DayCall['answeredVia'],
  DayCall['updatedAt'],
  DayCall['callerNumber'],
  DayCall['arrivedAt'],
  DayCall['node'],
  DayCall['language'],
  DayCall['recordingName'],
  DayCall['fallback'],
];

function pack(c: DayCall): string {
  const v: Packed = [
    c.state,
    c.outcome ?? null,
    c.queuedAt,
    c.answeredAt,
    c.endedAt,
    c.answerDelayMs ?? null,
    c.answerRingMs ?? null,
    c.abandonWaitMs ?? null,
    c.agentWorkNumber ?? null,
    (c.offers ?? []).map((o) => [o.agentWorkNumber, o.result, o.alarmed, o.ringMs]),
    c.test ?? null,
    c.answeredVia ?? null,
    c.updatedAt,
    c.callerNumber,
    c.arrivedAt,
    c.node,
    c.language,
    c.recordingName,
    c.fallback,
  ];
  const packed = JSON.stringify(v);
  // JSON.stringify hands its text back in pieces (about 400 bytes of heap for 220 characters);
  // reading one character makes V8 join them into one string (about 260).
  packed.charCodeAt(0);
  return packed;
}

function unpack(callId: string, s: string): DayCall {
  const [state, outcome, queuedAt, answeredAt, endedAt, answerDelayMs, answerRingMs, abandonWaitMs, agentWorkNumber, packedOffers, test, answeredVia, updatedAt, callerNumber, arrivedAt, node, language, recordingName, fallback] =
    JSON.parse(s) as Packed;
  const offers = packedOffers.map(([agentWorkNumber, result, alarmed, ringMs]) => ({ agentWorkNumber, result, alarmed, ringMs }));
  return { callId, state, outcome, queuedAt, answeredAt, endedAt, answerDelayMs, answerRingMs, abandonWaitMs, agentWorkNumber, offers, test, answeredVia, updatedAt, callerNumber, arrivedAt, node, language, recordingName, fallback };
}

type Endable = { state: string; outcome?: string | null; endedAt: number | null };

/** When the call counts among the last ended, or null (in progress, or ended with no outcome). */
const endedAtOf = (c: Endable | undefined): number | null => (c && c.state === 'ended' && c.outcome && c.endedAt !== null ? c.endedAt : null);

/** The `k` calls ended last, latest first, in one pass (a day's calls, at every refresh: no sort of them all). */
export function lastEnded<C extends Endable>(calls: Iterable<C>, k: number): C[] {
  const top: C[] = [];
  for (const c of calls) {
    const at = endedAtOf(c);
    if (at === null) continue;
    if (top.length === k && at <= top[k - 1]!.endedAt!) continue;
    let i = top.length;
    top.push(c);
    // Strictly later moves up: of two ended at the same ms, the one met first stays first.
    while (i > 0 && top[i - 1]!.endedAt! < at) {
      top[i] = top[i - 1]!;
      i--;
    }
    top[i] = c;
    if (top.length > k) top.pop();
  }
  return top;
}

/**
 * Today's calls as the board holds them all day: whole while it may show them (in progress, or
 * among the `recent` last ended), packed into one string each afterwards. The figures need every
 * call's facts (a later write of a call takes its old ones out: a queue callback reaching the
 * caller rewrites an abandoned call), and a 100,000-call day is what the board holds by evening:
 * whole, a call costs about 680 bytes of heap.
 *
 * A settled call comes back to the last ended only when a call listed there is written again as
 * ended earlier or not ended (later ends push calls out, never in): the list is then taken from
 * every call once, and a call written again is held whole anyway.
 */
export class DayCalls {
  private readonly whole = new Map<string, DayCall>();
  private readonly settled = new Map<string, string>();
  /** The last ended as last listed, and whether one of them has since moved back or out of the list. */
  private listed = new Set<string>();
  private relist = false;

  constructor(private readonly recent: number) {
    if (recent < 1) throw new Error('DayCalls: recent must be at least 1');
  }

  get size(): number {
    return this.whole.size + this.settled.size;
  }

  has(callId: string): boolean {
    return this.whole.has(callId) || this.settled.has(callId);
  }

  /** The call as last taken, whole or unpacked. */
  get(callId: string): DayCall | undefined {
    const w = this.whole.get(callId);
    if (w) return w;
    const s = this.settled.get(callId);
    return s === undefined ? undefined : unpack(callId, s);
  }

  /** The call if it is held whole (every call in progress is). */
  shown(callId: string): DayCall | undefined {
    return this.whole.get(callId);
  }

  set(c: DayCall): void {
    if (this.listed.has(c.callId)) {
      const was = endedAtOf(this.whole.get(c.callId));
      const now = endedAtOf(c);
      if (was !== null && (now === null || now < was)) this.relist = true;
    }
    this.settled.delete(c.callId);
    this.whole.set(c.callId, c);
  }

  /** The `recent` calls ended last, latest first; every other ended call held whole is settled (packed) on the way. */
  lastEnded(): DayCall[] {
    if (this.relist) {
      this.relist = false;
      for (const [id, s] of this.settled) this.whole.set(id, unpack(id, s));
      this.settled.clear();
    }
    const top = lastEnded(this.whole.values(), this.recent);
    const shownNow = new Set(top);
    for (const c of this.whole.values()) {
      if (endedAtOf(c) === null || shownNow.has(c)) continue;
      this.whole.delete(c.callId);
      this.settled.set(c.callId, pack(c));
    }
    this.listed = new Set(top.map((c) => c.callId));
    return top;
  }
}

import type { CallFact } from './day-metrics';

/** What the board keeps of one of today's calls: its figures' facts (dates as ms), what its rows show, and the write it was taken from. */
export type DayCall = Omit<CallFact, 'queuedAt' | 'answeredAt' | 'endedAt'> & {
  queuedAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  updatedAt: number;
  callerNumber: string;
  arrivedAt: number;
  node: string;
  language: string | null;
  recordingName: string | null;
  fallback: boolean;
};

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
 * among the `recent` last ended); once settled, only the write each was taken from. A read of a
 * settled call is then either that write again (nothing to do) or a later one, which the figures
 * cannot take (its earlier facts, to take out, are gone): the day is `incomplete` and its owner
 * reads it whole again. Such rewrites are rare (a queue callback reaching a caller who left
 * earlier); the figures are right again a moment later. Before, a settled call kept its facts
 * and rows packed in one string, 350–440 bytes of heap a call: by evening of a 100,000-call day,
 * 35–44 MB, the soak's steady growth; a settled call costs about 100 now.
 *
 * The last ended can also need a settled call: when a listed call is written again as ended
 * earlier or not ended, the call that follows the list is no longer held whole (later ends push
 * calls out, never in), and the day is incomplete too.
 */
export class DayCalls {
  private readonly whole = new Map<string, DayCall>();
  /** Settled calls: their write's `updatedAt` − `epoch` (the day's start: a small integer, no heap number). */
  private readonly settled = new Map<string, number>();
  /** The last ended as last listed, and whether one of them has since moved back or out of the list. */
  private listed = new Set<string>();
  private relist = false;
  private missing = false;

  constructor(
    private readonly recent: number,
    private readonly epoch = 0,
  ) {
    if (recent < 1) throw new Error('DayCalls: recent must be at least 1');
  }

  get size(): number {
    return this.whole.size + this.settled.size;
  }

  /** A write was met that these calls cannot take in: the day is to be read whole again. */
  get incomplete(): boolean {
    return this.missing;
  }

  has(callId: string): boolean {
    return this.whole.has(callId) || this.settled.has(callId);
  }

  /** The `updatedAt` of the write the call was taken from, held whole or settled. */
  writtenAt(callId: string): number | undefined {
    const w = this.whole.get(callId);
    if (w) return w.updatedAt;
    const s = this.settled.get(callId);
    return s === undefined ? undefined : s + this.epoch;
  }

  /** The call if it is held whole (every call in progress is). */
  shown(callId: string): DayCall | undefined {
    return this.whole.get(callId);
  }

  /**
   * Whether a write of a call, read (again), is to be taken: then `seen` is the call it replaces,
   * whose facts leave the figures. Not an earlier write than the one held, and not a settled
   * call's: its same write again changes nothing, a later one makes the day incomplete.
   */
  admit(callId: string, updatedAt: number): { take: true; seen: DayCall | undefined } | { take: false } {
    const w = this.whole.get(callId);
    if (w) return w.updatedAt > updatedAt ? { take: false } : { take: true, seen: w };
    const s = this.settled.get(callId);
    if (s === undefined) return { take: true, seen: undefined };
    if (s + this.epoch < updatedAt) this.missing = true;
    return { take: false };
  }

  /** Holds the write `admit` let in. */
  set(c: DayCall): void {
    if (this.settled.has(c.callId)) throw new Error(`DayCalls: call ${c.callId} is settled; admit() its writes first`);
    if (this.listed.has(c.callId)) {
      const was = endedAtOf(this.whole.get(c.callId));
      const now = endedAtOf(c);
      if (was !== null && (now === null || now < was)) this.relist = true;
    }
    this.whole.set(c.callId, c);
  }

  /** Keeps whole only the calls that can be shown (a read of the whole day does this between its batches). */
  settle(): void {
    this.lastEnded();
  }

  /** The `recent` calls ended last, latest first; every other ended call held whole is settled on the way. */
  lastEnded(): DayCall[] {
    if (this.relist) {
      this.relist = false;
      // The list's next call may be settled: a whole read finds it.
      if (this.settled.size > 0) this.missing = true;
    }
    const top = lastEnded(this.whole.values(), this.recent);
    const shownNow = new Set(top);
    for (const c of this.whole.values()) {
      if (endedAtOf(c) === null || shownNow.has(c)) continue;
      this.whole.delete(c.callId);
      this.settled.set(c.callId, c.updatedAt - this.epoch);
    }
    this.listed = new Set(top.map((c) => c.callId));
    return top;
  }
}

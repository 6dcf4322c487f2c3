import { EventEmitter } from 'node:events';
import type { SimClock, SimTimer } from './clock';
import type { SimChannel } from './entities';
import type { AsteriskModel } from './model';
import type { CallEnd, ChannelInfo, ChannelState, HeardEntry, PlaceCallOptions } from './types';

/**
 * The caller side of the simulated trunk: a scripted PSTN caller (like the SIPp scenarios the
 * golden traces were captured with) and a load generator made of many of them.
 */

export interface CallerHandleEvents {
  heard: [HeardEntry];
  answered: [number];
  bridged: [string];
  /** First time the caller shares a bridge with another channel. */
  talking: [number];
  ended: [CallEnd];
}

export class CallerHandle extends EventEmitter<CallerHandleEvents> {
  /** ARI channel id of the caller's channel. */
  readonly id: string;
  /** e.g. `PJSIP/pstn-000000d1` */
  readonly name: string;
  /** Resolves once, when the call is over (never rejects). */
  readonly ended: Promise<CallEnd>;
  /** Resolves with the answer time (ms epoch) when the app answers; pending forever otherwise. */
  readonly answered: Promise<number>;
  private endInfo: CallEnd | null = null;
  private resolveEnded!: (e: CallEnd) => void;
  private resolveAnswered!: (at: number) => void;
  private readonly timers: SimTimer[] = [];
  private talkTimerSet = false;
  private bridgedWithPeerAt: number | null = null;

  constructor(
    private readonly model: AsteriskModel,
    private readonly ch: SimChannel,
    private readonly opts: PlaceCallOptions,
    private readonly clock: SimClock,
    private readonly dtmfDurationMs: number,
  ) {
    super();
    this.id = ch.id;
    this.name = ch.name;
    this.ended = new Promise((r) => {
      this.resolveEnded = r;
    });
    this.answered = new Promise((r) => {
      this.resolveAnswered = r;
    });
    ch.observer = {
      answered: (at) => this.onAnswered(at),
      heard: (entry) => this.emit('heard', entry),
      bridged: (bridgeId, peers) => {
        this.emit('bridged', bridgeId);
        if (peers.length > 0) this.onTalking();
      },
      peerJoined: () => this.onTalking(),
      ended: (end) => this.onEnded(end),
    };
    if (opts.abandonAfterMs !== undefined) {
      this.timers.push(
        clock.after(opts.abandonAfterMs, () => {
          if (this.ch.answeredAt === null) this.hangup();
        }),
      );
    }
  }

  private onAnswered(at: number): void {
    this.resolveAnswered(at);
    this.emit('answered', at);
    for (const step of this.opts.dtmf ?? []) {
      this.timers.push(this.clock.after(step.afterMs, () => this.sendDtmf(step.digit, step.durationMs)));
    }
    if (this.opts.hangupAfterMs !== undefined) this.timers.push(this.clock.after(this.opts.hangupAfterMs, () => this.hangup()));
  }

  private onTalking(): void {
    if (this.bridgedWithPeerAt === null) {
      this.bridgedWithPeerAt = Date.now();
      this.emit('talking', this.bridgedWithPeerAt);
    }
    if (this.talkTimerSet || this.opts.hangupAfterBridgedMs === undefined) return;
    this.talkTimerSet = true;
    this.timers.push(this.clock.after(this.opts.hangupAfterBridgedMs, () => this.hangup()));
  }

  private onEnded(end: CallEnd): void {
    for (const t of this.timers) t.cancel();
    this.endInfo = end;
    this.emit('ended', end);
    this.resolveEnded(end);
  }

  /** The caller sends BYE now. */
  hangup(): void {
    this.model.remoteHangup(this.ch);
  }

  /** The caller presses a key (RFC 2833); one ChannelDtmfReceived if the channel is in Stasis. */
  sendDtmf(digit: string, durationMs?: number): void {
    this.model.callerDtmf(this.ch, digit, durationMs ?? this.dtmfDurationMs);
  }

  /** What the caller has heard so far (playbacks, bridges, MOH), oldest first. */
  heard(): HeardEntry[] {
    return this.ch.heard.map((e) => ({ ...e }));
  }

  state(): ChannelState | 'gone' {
    return this.ch.gone ? 'gone' : this.ch.state;
  }

  isUp(): boolean {
    return !this.ch.gone && this.ch.state === 'Up';
  }

  info(): ChannelInfo | null {
    return this.ch.gone ? null : this.ch.info();
  }

  /** How the call ended, or null while it lasts. */
  result(): CallEnd | null {
    return this.endInfo;
  }

  /** When the caller first shared a bridge with another channel (talk start), or null. */
  talkingSince(): number | null {
    return this.bridgedWithPeerAt;
  }
}

// -------------------------------------------------------------------------------------------------
// Load generation

export interface LoadOptions {
  callsPerSecond: number;
  /** How long to keep generating calls (simulated ms). */
  durationMs: number;
  callerPool?: string[];
  /** Language keys the callers press (one per call, picked at random). Empty = never press. */
  dtmfDigits?: string[];
  /** When the key is pressed, after answer (simulated ms, random in range). */
  dtmfAfterMs?: [number, number];
  /** Talk time once bridged with an agent (simulated ms, random in range). */
  talkMs: [number, number];
  /** A caller never bridged gives up this long after answer. */
  patienceMs?: number;
  exten?: string;
}

export interface LoadStats {
  placed: number;
  answered: number;
  bridged: number;
  /** Ended after talking to someone. */
  completed: number;
  /** Caller hung up before being bridged. */
  abandoned: number;
  /** The PBX refused the call (no app, broadcast unclaimed, no route). */
  rejected: number;
  /** The app hung up before bridging. */
  endedByApp: number;
  active: number;
  /** Answer → first bridged with a peer, real ms. */
  waitMs: { count: number; avg: number; p50: number; p95: number; max: number };
}

export interface LoadHandle {
  stop(): void;
  readonly stats: LoadStats;
  /** Resolves when generation stopped and every generated call has ended. */
  readonly done: Promise<LoadStats>;
}

const rand = (lo: number, hi: number): number => lo + Math.random() * Math.max(0, hi - lo);
const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

export function startLoad(
  place: (o: PlaceCallOptions) => CallerHandle,
  clock: SimClock,
  opts: LoadOptions,
): LoadHandle {
  if (!(opts.callsPerSecond > 0)) throw new Error('callsPerSecond must be > 0');
  const counters = { placed: 0, answered: 0, bridged: 0, completed: 0, abandoned: 0, rejected: 0, endedByApp: 0, active: 0 };
  const waits: number[] = [];
  const pending = new Set<Promise<CallEnd>>();
  let stopped = false;
  let timer: SimTimer | null = null;
  let resolveStopped!: () => void;
  const stoppedP = new Promise<void>((r) => {
    resolveStopped = r;
  });
  const interval = 1000 / opts.callsPerSecond;
  const startReal = Date.now();

  const stats = (): LoadStats => {
    const sorted = [...waits].sort((a, b) => a - b);
    const q = (p: number): number => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) : 0);
    return {
      ...counters,
      waitMs: {
        count: sorted.length,
        avg: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
        p50: q(0.5),
        p95: q(0.95),
        max: sorted.length ? (sorted[sorted.length - 1] ?? 0) : 0,
      },
    };
  };

  const one = (): void => {
    const digit = pick(opts.dtmfDigits ?? []);
    const [dLo, dHi] = opts.dtmfAfterMs ?? [1500, 4000];
    const number = pick(opts.callerPool ?? []) ?? `138${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const handle = place({
      callerNumber: number,
      ...(opts.exten ? { exten: opts.exten } : {}),
      ...(digit ? { dtmf: [{ digit, afterMs: rand(dLo, dHi) }] } : {}),
      hangupAfterBridgedMs: rand(opts.talkMs[0], opts.talkMs[1]),
    });
    counters.placed++;
    counters.active++;
    let patience: SimTimer | null = null;
    handle.once('answered', () => {
      counters.answered++;
      patience = clock.after(opts.patienceMs ?? 120_000, () => {
        if (handle.talkingSince() === null) handle.hangup();
      });
    });
    handle.once('talking', (since) => {
      counters.bridged++;
      const at = handle.info()?.answeredAt ?? since;
      waits.push(since - at);
    });
    const p = handle.ended.then((end) => {
      patience?.cancel();
      counters.active--;
      const talked = handle.talkingSince() !== null;
      if (end.by === 'pbx' && !talked) counters.rejected++;
      else if (talked) counters.completed++;
      else if (end.by === 'caller') counters.abandoned++;
      else counters.endedByApp++;
      pending.delete(p);
      return end;
    });
    pending.add(p);
  };

  // Call k is due at k × interval from the start; scheduling against that plan (not by chaining
  // intervals) keeps the rate exact and the number of calls in a window deterministic.
  let k = 0;
  const tick = (): void => {
    if (stopped) return;
    if (k * interval >= opts.durationMs) {
      stop();
      return;
    }
    one();
    k++;
    timer = clock.after(Math.max(0, k * interval - clock.simElapsed(startReal)), tick);
  };

  function stop(): void {
    if (stopped) return;
    stopped = true;
    timer?.cancel();
    resolveStopped();
  }

  tick();
  const done = stoppedP.then(async () => {
    while (pending.size) await Promise.all([...pending]);
    return stats();
  });
  return {
    stop,
    get stats() {
      return stats();
    },
    done,
  };
}

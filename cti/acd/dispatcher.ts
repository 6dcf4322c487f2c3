import { OnePassAtATime } from '../../core/async';
import { trace } from '../../core/bench-trace';
import type { Logger } from '../../core/logger';
import type { AcdStore, ReservedAgent } from './acd-store';
import type { DispatchKicks } from './agent-service';

/** A queued call owned by this process, as the dispatcher sees it. */
export interface Dispatchable {
  callId: string;
  queuedAt: number;
  language: string;
  /** The attempt number the next offer of this call will have (its offer mark is set with the reservation). */
  nextAttempt(): number;
  /** Rings the reserved agent (offer `attempt` is already marked ringing); the call is out of the queue from now on. */
  offer(agent: ReservedAgent, attempt: number): Promise<void>;
}

/**
 * Matches this process's queued calls to agents, oldest call first. The choice itself is the
 * atomic `reserve` script, which also makes later calls of any process yield to earlier ones.
 * Runs on every kick (any process) and on a tick, which covers the language-fallback deadline.
 */
export class Dispatcher {
  private readonly waiting = new Map<string, Dispatchable>();
  private readonly passes = new OnePassAtATime(() => this.pass().catch((err: unknown) => this.logger.error({ err }, 'dispatch pass failed')));
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly acd: AcdStore,
    private readonly kicks: DispatchKicks,
    /** This process: the reservation is refused once another process took the call over. */
    private readonly node: string,
    private readonly fallbackMs: number,
    private readonly logger: Logger,
    private readonly tickMs = 500,
  ) {}

  async start(): Promise<void> {
    await this.kicks.listen(() => this.run());
    this.timer = setInterval(() => this.run(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.kicks.close();
  }

  add(call: Dispatchable): void {
    this.waiting.set(call.callId, call);
  }

  remove(callId: string): void {
    this.waiting.delete(callId);
  }

  /** Coalesces concurrent triggers into one pass plus, if needed, one more. */
  run(): void {
    this.passes.trigger();
  }

  private async pass(): Promise<void> {
    let matched = false;
    // Once a call of a language finds no agent, later calls of that language cannot either
    // (same agents, less waiting time): skip them, so a long queue costs a few scripts, not one each.
    const exhausted = new Set<string>();
    const tried = new Set<string>();
    // The oldest call not yet tried is picked afresh after each reservation: a call queued while
    // the pass waits on Redis is served in this pass, not after it and a second one.
    for (;;) {
      let call: Dispatchable | undefined;
      for (const c of this.waiting.values()) {
        if (tried.has(c.callId) || exhausted.has(c.language)) continue;
        if (!call || c.queuedAt < call.queuedAt) call = c;
      }
      if (!call) break;
      tried.add(call.callId);
      const attempt = call.nextAttempt();
      trace('reserving', call.callId);
      const agent = await this.acd.reserveOffer(call.callId, this.node, this.fallbackMs, attempt);
      trace('reserved', call.callId);
      if (!agent) {
        exhausted.add(call.language);
        continue;
      }
      matched = true;
      this.waiting.delete(call.callId);
      call.offer(agent, attempt).catch((err: unknown) => this.logger.error({ err, callId: call.callId }, 'offer failed'));
    }
    // A reservation takes a call out of the queue, which may unblock later calls elsewhere. Not
    // awaited: a call queued meanwhile would wait for this round trip before its own pass.
    if (matched) this.kicks.kick().catch((err: unknown) => this.logger.warn({ err }, 'dispatch kick not sent'));
  }
}

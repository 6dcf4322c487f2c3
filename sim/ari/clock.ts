/**
 * Simulated time. Every scripted duration (ring time, prompt length, talk time, originate
 * timeout, ...) is "simulated ms"; `timeScale` converts it to real ms so tests can run a
 * 20 s ring-no-answer in one second while the event order stays the one Asterisk produces.
 */
export interface SimTimer {
  cancel(): void;
}

/**
 * Media frames (20 ms of real time in Asterisk): what Asterisk only notices on a channel's next
 * frame (a snoop's audiohook going away) is scheduled here rather than on the simulated clock.
 */
export interface FrameClock {
  nextFrame(fn: () => void): SimTimer;
}

export class SimClock {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly scale: number) {
    if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`timeScale must be a positive number, got ${scale}`);
  }

  /** Runs `fn` after `simMs` simulated ms. Infinite durations never fire. */
  after(simMs: number, fn: () => void): SimTimer {
    if (!Number.isFinite(simMs)) return { cancel: () => undefined };
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.max(0, simMs * this.scale),
    );
    this.timers.add(t);
    return {
      cancel: () => {
        clearTimeout(t);
        this.timers.delete(t);
      },
    };
  }

  /**
   * Runs `fn` after `realMs` real ms, whatever the time scale: for what follows media frames,
   * which a real Asterisk paces in real time (cancelled by clearAll like the others).
   */
  afterReal(realMs: number, fn: () => void): SimTimer {
    return this.after(realMs / this.scale, fn);
  }

  /** Real elapsed time since `realStart` (Date.now() value) expressed in simulated ms. */
  simElapsed(realStart: number): number {
    return (Date.now() - realStart) / this.scale;
  }

  /** Cancels every pending timer (stop/reset). */
  clearAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

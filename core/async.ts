/** Rejects with `<what> timed out after <ms> ms` (or the error `what` makes) unless the promise settles first. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(typeof what === 'string' ? new Error(`${what} timed out after ${ms} ms`) : what()), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** Spread each delay over [d/2, d] so that many CTI processes do not retry in lockstep. */
  jitter?: boolean;
}

/**
 * Exponential back-off for a reconnect loop: `next()` gives the delay before the next try,
 * `reset()` after a success. Doubling stops at maxMs.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly o: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const exp = Math.min(this.o.maxMs, this.o.minMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return this.o.jitter ? Math.round(exp / 2 + (this.random() * exp) / 2) : exp;
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}

/**
 * Runs `task` one pass at a time: triggers that come during a pass ask for exactly one more pass
 * after it, however many there were. `task` must not reject (it handles its own errors).
 */
export class OnePassAtATime {
  private running = false;
  private again = false;

  constructor(private readonly task: () => Promise<void>) {}

  trigger(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.task().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    });
  }
}

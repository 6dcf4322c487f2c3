/**
 * Runs `task` soon after the last of a burst of `poke()`s, never twice at once, and at least
 * every `maxWaitMs` while pokes keep coming: a busy hotline gets a fresh board several times a
 * second, not one per event.
 */
export class Coalescer {
  private timer?: NodeJS.Timeout;
  private firstPokeAt = 0;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly delayMs = 100,
    private readonly maxWaitMs = 1000,
  ) {}

  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const now = Date.now();
    if (!this.timer) this.firstPokeAt = now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.delayMs, this.firstPokeAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => void this.run(), wait);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      await this.task();
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

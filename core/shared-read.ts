/**
 * One value that many readers want at once (every console reconnecting after a process restart
 * asks for the same colleague list): concurrent readers share one read, a result is kept for
 * `ttlMs`, and `invalidate()` fences off a read that began before the change, so its older
 * result is neither kept nor handed to a reader who arrives after the change.
 */
export class SharedRead<T> {
  private version = 0;
  private held?: { value: T; readAt: number; version: number };
  private pending?: { promise: Promise<T>; version: number };

  constructor(
    private readonly read: () => Promise<T>,
    /** 0: only concurrent readers share; nothing is kept once the read is done. */
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    const held = this.held;
    if (held && held.version === this.version && this.now() - held.readAt < this.ttlMs) return Promise.resolve(held.value);
    if (this.pending && this.pending.version === this.version) return this.pending.promise;
    const version = this.version;
    // The age counts from the read's start: what it returns may be that old.
    const readAt = this.now();
    const promise = this.read().then((value) => {
      if (version === this.version && this.ttlMs > 0) this.held = { value, readAt, version };
      return value;
    });
    const pending = { promise, version };
    this.pending = pending;
    const clear = (): void => {
      if (this.pending === pending) this.pending = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  invalidate(): void {
    this.version++;
    this.held = undefined;
  }
}

interface Held<T> {
  value: T;
  readAt: number;
  version: number;
}
interface Pending<T> {
  promise: Promise<T>;
  version: number;
}

/**
 * Values that many readers want at once, one per key (every console reconnecting after a process
 * restart asks for the same colleague list; a call's arrival asks twice for its caller's customer):
 * concurrent readers of a key share one read, a result is kept for `ttlMs`, and `invalidate()`
 * fences off a read that began before the change, so its older result is neither kept nor handed
 * to a reader who arrives after the change.
 */
export class SharedReads<T> {
  private version = 0;
  private readonly held = new Map<string, Held<T>>();
  private readonly pending = new Map<string, Pending<T>>();

  constructor(
    private readonly read: (key: string) => Promise<T>,
    /** 0: only concurrent readers share; nothing is kept once the read is done. */
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): Promise<T> {
    const held = this.held.get(key);
    if (held && held.version === this.version && this.now() - held.readAt < this.ttlMs) return Promise.resolve(held.value);
    const inFlight = this.pending.get(key);
    if (inFlight && inFlight.version === this.version) return inFlight.promise;
    const version = this.version;
    // The age counts from the read's start: what it returns may be that old.
    const readAt = this.now();
    const promise = this.read(key).then((value) => {
      if (version === this.version && this.ttlMs > 0) this.held.set(key, { value, readAt, version });
      return value;
    });
    const pending = { promise, version };
    this.pending.set(key, pending);
    const clear = (): void => {
      if (this.pending.get(key) === pending) this.pending.delete(key);
    };
    promise.then(clear, clear);
    return promise;
  }

  invalidate(): void {
    this.version++;
    this.held.clear();
  }
}

/** One value shared the same way (a keyless `SharedReads`). */
export class SharedRead<T> {
  private readonly reads: SharedReads<T>;

  constructor(read: () => Promise<T>, ttlMs: number, now?: () => number) {
    this.reads = new SharedReads(() => read(), ttlMs, now);
  }

  get(): Promise<T> {
    return this.reads.get('');
  }

  invalidate(): void {
    this.reads.invalidate();
  }
}

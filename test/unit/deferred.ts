/** A promise the test settles by hand: lets a fake hold a write or a lookup "in flight". */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves once every pending promise callback has run, including those queued by callbacks (nothing timed). */
export function drained(): Promise<void> {
  return new Promise<void>((r) => setImmediate(r));
}

/** Whether `p` has settled once everything that could settle it without the test's help has run. */
export async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await drained();
  return done;
}

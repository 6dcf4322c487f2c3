import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Request/answer over Node's IPC channel between the bench and its child processes (simulator,
 * consoles, baseline server). Each child serves one API, typed on both sides by an interface
 * `{ method: { params; result } }`; the envelope is checked with zod on arrival.
 */
export type ApiShape = Record<string, { params: unknown; result: unknown }>;

const request = z.object({ rpc: z.literal('req'), id: z.number().int(), method: z.string(), params: z.unknown() });
const answer = z.discriminatedUnion('ok', [
  z.object({ rpc: z.literal('res'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ rpc: z.literal('res'), id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);

export interface RpcChild<A extends ApiShape> {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or signal name) once the child is gone. */
  readonly exited: Promise<number | string>;
  call<K extends keyof A & string>(method: K, params: A[K]['params'], timeoutMs?: number): Promise<A[K]['result']>;
  /** Asks the child to stop (method `stop`), then kills it if it has not gone within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The end of its log, to show why it failed. */
  logTail(lines?: number): string;
}

/**
 * Starts `file` (TypeScript, through tsx) as a child with an IPC channel; its stdout and stderr
 * go to `logFile`. It runs from the repository root, so `--import tsx` resolves there.
 */
export function forkTs<A extends ApiShape>(name: string, file: string, opts: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv; execArgv?: string[] }): RpcChild<A> {
  const fd = openSync(opts.logFile, 'a');
  const child = fork(file, [], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    execArgv: ['--import', 'tsx', ...(opts.execArgv ?? [])],
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout }>();
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${name} exited (${code ?? signal}) during a request; its log: ${opts.logFile}`));
      }
      pending.clear();
      resolve(code ?? signal ?? 'gone');
    });
  });
  child.on('message', (raw: unknown) => {
    const m = answer.safeParse(raw);
    if (!m.success) return;
    const p = pending.get(m.data.id);
    if (!p) return;
    pending.delete(m.data.id);
    clearTimeout(p.timer);
    if (m.data.ok) p.resolve(m.data.result);
    else p.reject(new Error(`${name}: ${m.data.error}`));
  });
  const call = <K extends keyof A & string>(method: K, params: A[K]['params'], timeoutMs?: number): Promise<A[K]['result']> =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
        reject(new Error(`${name} is not running; its log: ${opts.logFile}`));
        return;
      }
      const id = nextId++;
      const entry: { resolve: (v: unknown) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout } = {
        resolve: (v) => resolve(v as A[K]['result']),
        reject,
      };
      if (timeoutMs) {
        entry.timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}.${method} gave no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      pending.set(id, entry);
      child.send({ rpc: 'req', id, method, params });
    });
  return {
    name,
    process: child,
    exited,
    call,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) await call('stop' as keyof A & string, {} as A[keyof A & string]['params'], graceMs).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    logTail(lines = 20) {
      try {
        return readFileSync(opts.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
}

export type Handlers<A extends ApiShape> = { [K in keyof A]: (params: A[K]['params']) => Promise<A[K]['result']> };

/**
 * The child side: answers each request with its handler's result. `stop` answers first and then
 * exits the process; losing the parent (it crashed or was killed) ends the child too, so a
 * failed run leaves nothing behind.
 */
export function serve<A extends ApiShape>(handlers: Handlers<A>, onStop: () => Promise<void>): void {
  if (!process.send) throw new Error('this script runs as a child of scripts/bench/run.ts');
  const reply = (m: z.infer<typeof answer>): void => {
    if (process.connected) process.send?.(m);
  };
  let stopping: Promise<void> | null = null;
  const stopOnce = (): Promise<void> => (stopping ??= onStop().catch(() => undefined));
  process.on('message', (raw: unknown) => {
    const r = request.safeParse(raw);
    if (!r.success) return;
    const { id, method, params } = r.data;
    if (method === 'stop') {
      // Exits once the answer is written: the parent then sees the answer and the exit, in order.
      void stopOnce().then(() => {
        if (!process.connected) process.exit(0);
        process.send?.({ rpc: 'res', id, ok: true, result: null }, () => process.exit(0));
      });
      return;
    }
    const h = (handlers as Record<string, ((p: unknown) => Promise<unknown>) | undefined>)[method];
    if (!h) {
      reply({ rpc: 'res', id, ok: false, error: `unknown method ${method}` });
      return;
    }
    h(params).then(
      (result) => reply({ rpc: 'res', id, ok: true, result: result ?? null }),
      (err: unknown) => reply({ rpc: 'res', id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  process.on('disconnect', () => {
    void stopOnce().then(() => process.exit(0));
  });
  // Ctrl-C reaches the whole process group: the parent decides when children stop.
  process.on('SIGINT', () => undefined);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CtiChild {
  nodeId: string;
  url: string;
  pid: number;
  traceFile: string;
  logFile: string;
  exited: Promise<number | string>;
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

/**
 * The node options of `npm start` (package.json), its `${NAME:-default}` expanded from `env`: the
 * bench's CTI runs with the heap ceiling production runs with.
 */
export function startScriptNodeArgs(root: string, env: Record<string, string | undefined>): string[] {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const m = /^node (.*?) ?--import tsx main\.ts$/.exec(start);
  if (!m) throw new Error(`package.json's start script is not "node [options] --import tsx main.ts": ${start}`);
  return (m[1] ?? '')
    .split(' ')
    .filter(Boolean)
    .map((a) => a.replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_all, name: string, dflt: string) => env[name] || dflt));
}

/**
 * One CTI process exactly as production runs it (`npm start`'s node options, `main.ts`,
 * NODE_ENV=production), through tsx loaded into node itself so that the pid watched for CPU and
 * memory is the CTI's own.
 */
export async function startCti(o: {
  root: string;
  dir: string;
  nodeId: string;
  httpPort: number;
  env: Record<string, string>;
  execArgv?: string[];
}): Promise<CtiChild> {
  const logFile = join(o.dir, `cti-${o.nodeId}.log`);
  const traceFile = join(o.dir, `trace-${o.nodeId}.ndjson`);
  const url = `http://127.0.0.1:${o.httpPort}`;
  const fd = openSync(logFile, 'a');
  // Only what the CTI needs: nothing of the caller's environment (REDIS_URL, MONGO_URL, …) leaks in.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? o.root,
    // The one setting taken from the bench's caller: to compare heap ceilings.
    ...(process.env.CTI_HEAP_MB ? { CTI_HEAP_MB: process.env.CTI_HEAP_MB } : {}),
    ...o.env,
    NODE_ID: o.nodeId,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(o.httpPort),
    BENCH_TRACE_FILE: traceFile,
  };
  const child: ChildProcess = spawn(process.execPath, [...startScriptNodeArgs(o.root, env), '--import', 'tsx', ...(o.execArgv ?? []), 'main.ts'], { cwd: o.root, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'gone')));
  const logTail = (lines = 20): string => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGTERM: main.ts stops cleanly (and writes a --cpu-prof profile); killed if it hangs.
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // Ready = /readyz answers 200 (Redis, MongoDB, ARI and AMI all connected); polled, as a
  // process that is starting has no other way to say so.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (gone) throw new Error(`CTI ${o.nodeId} exited during start-up:\n${logTail()}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`CTI ${o.nodeId} not ready within 120 s:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { nodeId: o.nodeId, url, pid: child.pid!, traceFile, logFile, exited, stop, logTail };
}

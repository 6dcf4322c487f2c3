import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A port free on 127.0.0.1 now (the kernel picks it; nothing else is expected to take it meanwhile). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The backend scripts/services.sh starts when not told (HOTLINE_DB_BACKEND or its default); sqlite if it cannot say. */
export function defaultBackend(root: string): string {
  try {
    return execFileSync('bash', [join(root, 'scripts/services.sh'), 'backend'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'sqlite';
  } catch {
    return 'sqlite';
  }
}

export interface BenchServices {
  redisUrl: string;
  mongoUrl: string;
  /** Process ids to watch (Redis, the database server), read from the services' pid files. */
  pids(): Record<string, number>;
  stop(): Promise<void>;
}

/**
 * The bench's own Redis and database, through scripts/services.sh with its own ports and var
 * directory, never the development services. `db` picks FerretDB's backend (HOTLINE_DB_BACKEND).
 */
export async function startServices(o: { root: string; varDir: string; db: 'sqlite' | 'pg'; log: (s: string) => void }): Promise<BenchServices> {
  const script = join(o.root, 'scripts/services.sh');
  if (o.db !== 'sqlite' && !readFileSync(script, 'utf8').includes('HOTLINE_DB_BACKEND')) {
    throw new Error(`--db ${o.db}: scripts/services.sh has no HOTLINE_DB_BACKEND switch yet`);
  }
  const [redisPort, ferretPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  const base: NodeJS.ProcessEnv = { ...process.env };
  // Set, these would make services.sh use (and the CTI talk to) someone else's services.
  for (const k of ['REDIS_URL', 'MONGO_URL', 'REDIS_CLUSTER_NODES', 'HOTLINE_VAR_DIR']) delete base[k];
  // The FerretDB launcher is built once into the project's var/bin; the bench's var dir must not build another.
  const launcher = join(o.root, 'var/bin/ferretdb');
  if (!base.FERRETDB_BIN) {
    await run('bash', [script, 'build'], { env: base, cwd: o.root });
    if (existsSync(launcher)) base.FERRETDB_BIN = launcher;
  }
  const env: NodeJS.ProcessEnv = {
    ...base,
    HOTLINE_VAR_DIR: o.varDir,
    HOTLINE_REDIS_PORT: String(redisPort),
    HOTLINE_FERRET_PORT: String(ferretPort),
    HOTLINE_PG_PORT: String(pgPort),
    HOTLINE_DB_BACKEND: o.db,
  };
  let started = false;
  const stop = async (): Promise<void> => {
    await run('bash', [script, 'stop'], { env, cwd: o.root }).catch((err: unknown) => o.log(`services stop: ${(err as Error).message}`));
  };
  try {
    await run('bash', [script, 'start'], { env, cwd: o.root, timeout: 120_000 });
    started = true;
  } finally {
    // A half-started set (Redis up, the database failed) is stopped here; the caller never sees it.
    if (!started) await stop();
  }
  const pidOf = (name: string): number | null => {
    try {
      const pid = Number(readFileSync(join(o.varDir, 'run', `${name}.pid`), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  };
  return {
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    mongoUrl: `mongodb://127.0.0.1:${ferretPort}/hotline`,
    pids() {
      const out: Record<string, number> = {};
      const redis = pidOf('redis');
      if (redis) out.redis = redis;
      // FerretDB runs under a restart loop (its pid file names the loop): the server is its child.
      const loop = pidOf('ferretdb');
      const child = loop ? childPids(loop)[0] : undefined;
      if (child) out.ferretdb = child;
      const pg = pidOf('postgres') ?? pidOf('pg') ?? pidFromPostmaster(join(o.varDir, 'pg'));
      if (pg) out.postgres = pg;
      return out;
    },
    stop,
  };
}

/** Linux: the children of a process, from /proc (empty elsewhere). */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** PostgreSQL writes its pid as the first line of postmaster.pid in its data directory. */
function pidFromPostmaster(dir: string): number | null {
  for (const d of [dir, join(dir, 'data')]) {
    try {
      const pid = Number(readFileSync(join(d, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (Number.isInteger(pid) && pid > 0) return pid;
    } catch {
      // not this layout
    }
  }
  return null;
}

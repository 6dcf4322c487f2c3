/**
 * One FerretDB backend for the database micro-benchmark, started privately through
 * scripts/services.sh itself (so it runs with exactly the dev/test/CI settings): its own
 * HOTLINE_VAR_DIR under var/bench-db/, its own FerretDB port, wiped before each run.
 */
import { freePort } from './services';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * `sqlite` and `pg` are the two configurations services.sh offers. `pg-sync` is pg with
 * synchronous_commit back on: a reference with SQLite's per-commit durability (FerretDB's SQLite
 * runs WAL with SQLite's default synchronous=FULL), so the comparison shows what the setting buys.
 */
export const VARIANTS = ['sqlite', 'pg', 'pg-sync'] as const;
export type Variant = (typeof VARIANTS)[number];


/** User+system CPU seconds of a process and all its descendants, from /proc (Linux). */
function treeCpuSeconds(rootPid: number): number {
  const tick = 100; // USER_HZ: 100 on every Linux architecture Node runs on
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name (field 2) may hold spaces: fields are counted after its closing ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parent.set(Number(name), Number(f[1]));
    // utime + stime, and cutime + cstime: children it reaped (a PostgreSQL backend that ended).
    cpu.set(Number(name), (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) if (p === rootPid) return true;
    return false;
  };
  let sum = 0;
  for (const [pid, s] of cpu) if (inTree(pid)) sum += s;
  return sum;
}

export class DbInstance {
  private constructor(
    readonly variant: Variant,
    readonly varDir: string,
    readonly port: number,
  ) {}

  get mongoUrl(): string {
    return `mongodb://127.0.0.1:${this.port}/bench`;
  }

  private env(): NodeJS.ProcessEnv {
    // The launcher as built for the dev services, rather than one more build in each var dir.
    const launcher = join(ROOT, 'var', 'bin', 'ferretdb');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(!process.env.FERRETDB_BIN && existsSync(launcher) ? { FERRETDB_BIN: launcher } : {}),
      HOTLINE_DB_BACKEND: this.variant === 'sqlite' ? 'sqlite' : 'pg',
      HOTLINE_VAR_DIR: this.varDir,
      HOTLINE_FERRET_PORT: String(this.port),
      // Named, so services.sh starts no Redis of its own: this benchmark needs none.
      REDIS_URL: 'redis://127.0.0.1:1/unused',
    };
    delete env.MONGO_URL; // set, services.sh would start no FerretDB at all
    return env;
  }

  private services(command: string): Promise<{ stdout: string; stderr: string }> {
    return run('bash', [join(ROOT, 'scripts', 'services.sh'), command], { env: this.env() });
  }

  /** Stops what a killed earlier run left, wipes the directory, starts afresh. */
  static async start(variant: Variant): Promise<DbInstance> {
    // Built (or found newer than its source) under the main var/ first: see env().
    const { HOTLINE_VAR_DIR: _ignored, ...env } = process.env;
    await run('bash', [join(ROOT, 'scripts', 'services.sh'), 'build'], { env });
    const db = new DbInstance(variant, join(ROOT, 'var', 'bench-db', variant), await freePort());
    await db.services('stop');
    rmSync(db.varDir, { recursive: true, force: true });
    await db.services('start');
    if (variant === 'pg-sync') {
      await db.psql(['ALTER SYSTEM SET synchronous_commit = on', 'SELECT pg_reload_conf()']).catch(async (err: unknown) => {
        await db.stop();
        throw err;
      });
    }
    return db;
  }

  /** As services.sh reaches its cluster: the socket in var/pg-run, the default port. */
  private async psql(statements: string[]): Promise<void> {
    const { stdout } = await run('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1']);
    const port = process.env.HOTLINE_PG_PORT ?? '5433';
    await run(join(stdout.trim(), 'psql'), ['-h', join(this.varDir, 'pg-run'), '-p', port, '-U', 'ferretdb', '-d', 'ferretdb', '-XqAt', ...statements.flatMap((s) => ['-c', s])]);
  }

  /** CPU seconds used so far by FerretDB (and PostgreSQL, for pg): the database's whole cost. */
  cpuSeconds(): number {
    const pids = [join(this.varDir, 'run', 'ferretdb.pid'), join(this.varDir, 'pg', 'postmaster.pid')]
      .filter((f) => existsSync(f))
      .map((f) => Number(readFileSync(f, 'utf8').split('\n')[0]));
    return pids.reduce((s, pid) => s + treeCpuSeconds(pid), 0);
  }

  /** Stops it and removes its data (tens of MB per PostgreSQL cluster); the results are elsewhere. */
  async stop(): Promise<void> {
    await this.services('stop');
    rmSync(this.varDir, { recursive: true, force: true });
  }
}

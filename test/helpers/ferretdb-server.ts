import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { sharedPostgres } from './postgres-server';
import { freePort, killHard } from './redis-server';
import { waitFor } from './wait';

/** The FerretDB launcher the services script built (or FERRETDB_BIN). */
export function ferretdbBinary(): string | null {
  const candidates = [process.env.FERRETDB_BIN, join(__dirname, '..', '..', 'var', 'bin', 'ferretdb')].filter((c): c is string => !!c);
  return candidates.find((c) => existsSync(c)) ?? null;
}

export type DbBackend = 'sqlite' | 'pg';

/** Every FerretDB's temporary directory goes when the test process does (one listener for them all). */
const tempDirs = new Set<string>();
function removeAtExit(dir: string): void {
  if (!tempDirs.size) process.once('exit', () => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  tempDirs.add(dir);
}

/**
 * FerretDB's backend, from the same switch as scripts/services.sh (which prints it for test.sh to
 * export), so a test's own FerretDB runs on the backend the suite runs on.
 */
export function dbBackend(): DbBackend {
  return z
    .enum(['sqlite', 'pg'])
    .default('pg')
    .parse(process.env.HOTLINE_DB_BACKEND || undefined);
}

/**
 * A private, real FerretDB that a test may stop and start again: a MongoDB outage. On the pg
 * backend its PostgreSQL (one per test process, see postgres-server.ts) stays up throughout, so
 * what was written before a stop is there after the start, as with SQLite's files.
 */
export class DisposableFerretDb {
  private proc?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'hotline-ferretdb-'));
  private postgresUrl?: string;

  private constructor(
    readonly port: number,
    private readonly bin: string,
    readonly backend: DbBackend,
  ) {}

  static async create(bin: string, backend: DbBackend = dbBackend()): Promise<DisposableFerretDb> {
    const f = new DisposableFerretDb(await freePort(), bin, backend);
    removeAtExit(f.dir);
    await f.start();
    return f;
  }

  url(db: string): string {
    return `mongodb://127.0.0.1:${this.port}/${db}`;
  }

  private async backendArgs(): Promise<string[]> {
    if (this.backend === 'sqlite') {
      mkdirSync(join(this.dir, 'data'), { recursive: true });
      return ['--handler=sqlite', `--sqlite-url=file:${join(this.dir, 'data')}/`];
    }
    if (!this.postgresUrl) {
      const pg = await sharedPostgres();
      const database = `ferretdb_${this.port}`;
      await pg.createDatabase(database);
      this.postgresUrl = pg.url(database);
    }
    return ['--handler=postgresql', `--postgresql-url=${this.postgresUrl}`];
  }

  async start(): Promise<void> {
    const backend = await this.backendArgs();
    mkdirSync(join(this.dir, 'state'), { recursive: true });
    // Same flags as scripts/services.sh: no telemetry, no debug server, loopback only.
    this.proc = spawn(
      this.bin,
      [...backend, `--listen-addr=127.0.0.1:${this.port}`, `--state-dir=${join(this.dir, 'state')}`, '--telemetry=disable', '--debug-addr=-', '--log-level=error'],
      { stdio: 'ignore' },
    );
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = createConnection({ host: '127.0.0.1', port: this.port }, () => {
            s.destroy();
            resolve(true);
          });
          s.on('error', () => resolve(false));
        }),
      { what: `ferretdb on ${this.port}` },
    );
  }

  async stop(): Promise<void> {
    await killHard(this.proc);
  }
}

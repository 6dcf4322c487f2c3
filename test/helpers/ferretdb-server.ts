import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killHard } from './redis-server';
import { waitFor } from './wait';

/** The FerretDB launcher the services script built (or FERRETDB_BIN). */
export function ferretdbBinary(): string | null {
  const candidates = [process.env.FERRETDB_BIN, join(__dirname, '..', '..', 'var', 'bin', 'ferretdb')].filter((c): c is string => !!c);
  return candidates.find((c) => existsSync(c)) ?? null;
}

/** A private, real FerretDB (SQLite backend) that a test may stop and start again: a MongoDB outage. */
export class DisposableFerretDb {
  private proc?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'hotline-ferretdb-'));

  private constructor(
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async create(bin: string): Promise<DisposableFerretDb> {
    const f = new DisposableFerretDb(await freePort(), bin);
    await f.start();
    return f;
  }

  url(db: string): string {
    return `mongodb://127.0.0.1:${this.port}/${db}`;
  }

  async start(): Promise<void> {
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    mkdirSync(join(this.dir, 'state'), { recursive: true });
    // Same flags as scripts/services.sh: no telemetry, no debug server, loopback only.
    this.proc = spawn(
      this.bin,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${join(this.dir, 'data')}/`,
        `--listen-addr=127.0.0.1:${this.port}`,
        `--state-dir=${join(this.dir, 'state')}`,
        '--telemetry=disable',
        '--debug-addr=-',
        '--log-level=error',
      ],
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

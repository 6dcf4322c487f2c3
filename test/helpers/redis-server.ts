import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait';

/**
 * A private, real redis-server that a test may stop and start again (outage tests). With `persist`
 * it keeps an append-only file, as production runs (README "Production"): started again, it loads
 * what it had; without, it comes back empty.
 */
export class DisposableRedis {
  private proc?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'hotline-redis-'));
  constructor(
    readonly port: number,
    private readonly persist = false,
  ) {}

  static async create(opts: { persist?: boolean } = {}): Promise<DisposableRedis> {
    const r = new DisposableRedis(await freePort(), opts.persist);
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const aof = this.persist ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : [];
    this.proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--dir', this.dir, ...aof], {
      stdio: 'ignore',
    });
    await waitFor(
      async () => {
        const c = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        c.on('error', () => undefined);
        try {
          await c.connect();
          return (await c.ping()) === 'PONG';
        } finally {
          c.disconnect();
        }
      },
      { what: `redis-server on ${this.port}` },
    );
  }

  async stop(): Promise<void> {
    await killHard(this.proc);
  }
}

/** SIGKILL, as an outage is: no clean shutdown. Resolves once the process is gone. */
export async function killHard(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

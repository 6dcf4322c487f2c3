import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GIN_INDEXES_SQL = join(__dirname, '..', '..', 'scripts', 'pg', 'ferretdb-gin-indexes.sql');

/** Debian keeps the server binaries off PATH; the newest installed major wins (HOTLINE_PG_BIN overrides), as in scripts/services.sh. */
export function postgresBinDir(): string | null {
  if (process.env.HOTLINE_PG_BIN) return process.env.HOTLINE_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const newest = majors.at(-1);
  return newest ? join(root, newest, 'bin') : null;
}

/** PostgreSQL refuses to run as root: then it runs as Debian's `postgres` user, as in scripts/services.sh. */
const asRoot = () => process.getuid?.() === 0;
const asPg = (cmd: string, args: string[]): [string, string[]] => (asRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

/**
 * A private PostgreSQL cluster in a temporary directory for FerretDB's pg backend in tests: unix
 * socket only (no TCP port to collide on), trust over that socket, whose directory only the server's
 * user (and root) can enter. Settings as scripts/services.sh sets them.
 */
export class PrivatePostgres {
  /** Names the socket file only: nothing listens on TCP. */
  readonly port = 5432;
  readonly user = 'ferretdb';
  private stopped = false;

  private constructor(
    readonly dir: string,
    private readonly bin: string,
  ) {}

  get socketDir(): string {
    return join(this.dir, 'run');
  }

  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL server missing: HOTLINE_DB_BACKEND=pg scripts/bootstrap.sh installs it');
    const pg = new PrivatePostgres(mkdtempSync(join(tmpdir(), 'hotline-pg-')), bin);
    try {
      await pg.init();
    } catch (err) {
      pg.stopSync();
      throw err;
    }
    return pg;
  }

  private async init(): Promise<void> {
    const { bin, dir, socketDir, user, port } = this;
    const data = join(dir, 'data');
    mkdirSync(socketDir, { mode: 0o700 });
    if (asRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      chownSync(dir, uid, gid);
      chownSync(socketDir, uid, gid);
    }
    // -N: no fsync of a cluster that lives as long as this test process.
    await run(...asPg(join(bin, 'initdb'), ['-D', data, '-U', user, '--auth-local=trust', '--auth-host=reject', '--encoding=UTF8', '--locale=C', '-N']));
    // synchronous_commit as scripts/services.sh; fsync off too, unlike there: nothing in a cluster
    // that dies with this process is worth a disk flush.
    appendFileSync(
      join(data, 'postgresql.conf'),
      `\nlisten_addresses = ''\nport = ${port}\nunix_socket_directories = '${socketDir}'\nsynchronous_commit = off\nfsync = off\n`,
    );
    await run(...asPg(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgresql.log'), '-w', '-t', '30', '-s', 'start']));
  }

  /** postgres:// URL of one database, socket directory percent-encoded as FerretDB's net/url parsing needs. */
  url(database: string): string {
    return `postgres://${this.user}@/${database}?host=${encodeURIComponent(this.socketDir)}&port=${this.port}`;
  }

  /** Created with the GIN companions of FerretDB's indexes, as scripts/services.sh sets them up. */
  async createDatabase(name: string): Promise<void> {
    const conn = ['-h', this.socketDir, '-p', String(this.port), '-U', this.user];
    await run(join(this.bin, 'createdb'), [...conn, name]);
    await run(join(this.bin, 'psql'), [...conn, '-d', name, '-XqAt', '-v', 'ON_ERROR_STOP=1', '-f', GIN_INDEXES_SQL]);
  }

  /** Synchronous, so it can run in a process 'exit' handler. */
  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    const [cmd, args] = asPg(join(this.bin, 'pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', '-s', 'stop']);
    spawnSync(cmd, args, { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let shared: Promise<PrivatePostgres> | undefined;

/**
 * One cluster per test process, shared by every FerretDB a test starts (each in its own database),
 * so initdb runs once; stopped and removed when the process exits (mocha --exit included).
 */
export function sharedPostgres(): Promise<PrivatePostgres> {
  shared ??= PrivatePostgres.start().then((pg) => {
    process.once('exit', () => pg.stopSync());
    return pg;
  });
  return shared;
}

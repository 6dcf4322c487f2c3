import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { postgresBinDir } from '../helpers/postgres-server';
import { freePort } from '../helpers/redis-server';

const run = promisify(execFile);
const SERVICES = join(__dirname, '..', '..', 'scripts', 'services.sh');

/**
 * `HOTLINE_DB_BACKEND=pg scripts/services.sh start|stop` in a var dir of its own: a private
 * PostgreSQL that listens on no TCP port, FerretDB on it, both stopped by `stop`.
 */
describe('services.sh with HOTLINE_DB_BACKEND=pg', function () {
  this.timeout(60_000);
  let varDir: string;
  let env: NodeJS.ProcessEnv;
  const services = (cmd: string) => run('bash', [SERVICES, cmd], { env });

  before(async function () {
    // PostgreSQL is installed by bootstrap only when pg is the backend in use.
    if (!postgresBinDir()) this.skip();
    varDir = mkdtempSync(join(tmpdir(), 'hotline-svc-'));
    chmodSync(varDir, 0o755); // run as root, PostgreSQL runs as `postgres` and must reach var/pg
    const { MONGO_URL: _m, ...rest } = process.env;
    env = { ...rest, HOTLINE_DB_BACKEND: 'pg', HOTLINE_VAR_DIR: varDir, HOTLINE_FERRET_PORT: String(await freePort()), REDIS_URL: 'redis://127.0.0.1:1/unused' };
    // The launcher the dev services use, not a build into this var dir.
    env.FERRETDB_BIN ??= join(__dirname, '..', '..', 'var', 'bin', 'ferretdb');
  });
  after(async () => {
    if (!varDir) return;
    await services('stop').catch(() => undefined);
    rmSync(varDir, { recursive: true, force: true });
  });

  it('starts PostgreSQL and FerretDB on it; MongoDB clients work; PostgreSQL has no TCP listener', async () => {
    const { stdout } = await services('start');
    expect(stdout).to.include('HOTLINE_DB_BACKEND=pg');
    const url = /^MONGO_URL=(.*)$/m.exec(stdout)![1]!;
    const conn = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000, retryWrites: false }).asPromise();
    try {
      const c = conn.db!.collection('probe');
      await c.insertOne({ phone: '13900000000', n: 1 });
      await c.updateOne({ phone: '13900000000' }, { $set: { n: 2 } });
      expect(await c.findOne({ phone: '13900000000' }, { projection: { _id: 0 } })).to.deep.equal({ phone: '13900000000', n: 2 });
    } finally {
      await conn.close();
    }
    const { stdout: listen } = await run(join(postgresBinDir()!, 'psql'), ['-h', join(varDir, 'pg-run'), '-p', env.HOTLINE_PG_PORT ?? '5433', '-U', 'ferretdb', '-d', 'ferretdb', '-XtAc', 'SHOW listen_addresses']);
    expect(listen.trim(), 'listen_addresses').to.equal('');
    expect((await services('status')).stdout).to.match(/ferretdb running \(pg\)[\s\S]*postgresql running/);
  });

  it("gives each FerretDB index a GIN companion PostgreSQL's planner uses, and drops it with the index", async () => {
    const url = /^MONGO_URL=(.*)$/m.exec((await services('start')).stdout)![1]!;
    const psql = (sql: string) =>
      run(join(postgresBinDir()!, 'psql'), ['-h', join(varDir, 'pg-run'), '-p', env.HOTLINE_PG_PORT ?? '5433', '-U', 'ferretdb', '-d', 'ferretdb', '-XtAc', sql]).then((r) => r.stdout.trim());
    const companions = () => psql("SELECT count(*) FROM pg_indexes WHERE schemaname = 'gin_probe' AND indexname LIKE '%\\_gin'").then(Number);
    const conn = await mongoose.createConnection(url, { dbName: 'gin_probe', serverSelectionTimeoutMS: 5000, retryWrites: false }).asPromise();
    try {
      const c = conn.db!.collection('calls');
      await c.createIndex({ callId: 1 });
      await c.createIndex({ callerNumber: 1, arrivedAt: -1 });
      await c.insertMany(Array.from({ length: 1000 }, (_, i) => ({ callId: `c${i}`, callerNumber: `139${i % 250}`, arrivedAt: new Date() })));
      await psql('ANALYZE');
      for (const filter of [{ callId: 'c17' }, { callerNumber: '1393' }]) {
        const plan = JSON.stringify(((await c.find(filter).explain()) as { queryPlanner: unknown }).queryPlanner);
        expect(plan, JSON.stringify(filter)).to.not.include('Seq Scan');
        expect(plan, JSON.stringify(filter)).to.include('_gin');
      }
      const before = await companions();
      await c.dropIndex('callId_1');
      expect(await companions()).to.equal(before - 1);
    } finally {
      await conn.db!.dropDatabase().catch(() => undefined);
      await conn.close();
    }
  });

  it('refuses to start the sqlite backend over a running pg one, and stop stops both', async () => {
    const sqlite = await run('bash', [SERVICES, 'start'], { env: { ...env, HOTLINE_DB_BACKEND: 'sqlite' } }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(sqlite?.code).to.equal(1);
    expect(sqlite?.stderr).to.include('running on the pg backend');
    await services('stop');
    expect((await services('status')).stdout).to.match(/ferretdb stopped[\s\S]*postgresql stopped/);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';

const ROOT = join(__dirname, '..', '..');

/** The repository as a fresh clone has it: every tracked (and not ignored) file, no node_modules, no var/. */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-bootstrap-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dir, f));
  }
  return dir;
}

function bootstrap(dir: string, ...args: string[]): { status: number; out: string; ms: number } {
  // The copy gets its own Redis/FerretDB/var; MONGO_URL etc. from the test run must not leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['MONGO_URL', 'REDIS_URL', 'FERRETDB_BIN', 'HOTLINE_VAR_DIR'].includes(k)));
  const started = process.hrtime.bigint();
  const r = spawnSync('bash', ['scripts/bootstrap.sh', ...args], { cwd: dir, env, encoding: 'utf8', timeout: 280_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}`, ms };
}

const mtime = (f: string) => statSync(f).mtimeMs;

describe('bootstrap: one set-up step on a fresh clone', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = freshCopy();
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--check on a fresh copy names what is missing and changes nothing', () => {
    expect(existsSync(join(dir, 'node_modules'))).to.equal(false);
    const r = bootstrap(dir, '--check');
    expect(r.status, r.out).to.equal(1);
    expect(r.out).to.match(/missing: npm ci/);
    expect(r.out).to.match(/missing: FerretDB launcher/);
    expect(r.out).to.match(/missing: prompts/);
    expect(existsSync(join(dir, 'node_modules'))).to.equal(false);
    expect(existsSync(join(dir, 'var'))).to.equal(false);
  });

  it('installs the npm modules, builds the FerretDB launcher and generates the prompts', () => {
    const r = bootstrap(dir);
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.match(/\[bootstrap\] npm ci/);
    expect(existsSync(join(dir, 'node_modules/.package-lock.json'))).to.equal(true);
    expect(existsSync(join(dir, 'node_modules/.bin/tsx'))).to.equal(true);
    expect(statSync(join(dir, 'var/bin/ferretdb')).mode & 0o111).to.not.equal(0);
    expect(existsSync(join(dir, 'var/sounds/hotline/manifest.json'))).to.equal(true);
  });

  it('a second run changes nothing, says nothing, and is quick', () => {
    const files = ['node_modules/.package-lock.json', 'var/bin/ferretdb', 'var/sounds/hotline/manifest.json'].map((f) => join(dir, f));
    const before = files.map(mtime);
    const r = bootstrap(dir);
    expect(r.status, r.out).to.equal(0);
    expect(r.out, 'no step should have run').to.equal('');
    expect(files.map(mtime)).to.deep.equal(before);
    // A no-op is a few process starts (dpkg-query, node -p, stat); 2 s is the promise to people.
    expect(r.ms, `second run took ${Math.round(r.ms)} ms`).to.be.below(2000);
    const check = bootstrap(dir, '--check');
    expect(check.status, check.out).to.equal(0);
  });

  it('asks for the npm modules again when package-lock.json is newer than the install', () => {
    const lock = join(dir, 'package-lock.json');
    const installed = mtime(join(dir, 'node_modules/.package-lock.json'));
    execFileSync('touch', ['-d', `@${Math.ceil(installed / 1000) + 5}`, lock]);
    const r = bootstrap(dir, '--check');
    expect(r.status).to.equal(1);
    expect(r.out).to.match(/missing: npm ci/);
    expect(r.out).to.not.match(/FerretDB|prompts/);
  });
});

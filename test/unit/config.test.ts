import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../core/config';

describe('configuration', () => {
  it('has working embedded defaults', () => {
    const c = loadConfig({});
    expect(c.HTTP_PORT).to.equal(3000);
    expect(c.ANSWER_ALARM_MS).to.equal(20_000);
    expect(c.SILENCE_ALARM_MS).to.equal(30 * 60_000);
    expect(c.ARI_MODE).to.equal('broadcast');
  });

  it('reads and coerces values', () => {
    const c = loadConfig({ HTTP_PORT: '8123', ANSWER_ALARM_MS: '500', DEMO: 'true', DEFAULT_LANGUAGE: 'cmn' });
    expect(c.HTTP_PORT).to.equal(8123);
    expect(c.ANSWER_ALARM_MS).to.equal(500);
    expect(c.DEMO).to.equal(true);
    expect(c.DEFAULT_LANGUAGE).to.equal('cmn');
  });

  it('names every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({ HTTP_PORT: 'eighty', REDIS_URL: 'http://x', ANSWER_ALARM_MS: '-5', DEFAULT_LANGUAGE: 'fr' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const key of ['HTTP_PORT', 'REDIS_URL', 'ANSWER_ALARM_MS', 'DEFAULT_LANGUAGE']) expect(problems).to.contain(key);
    expect((err as ConfigError).problems).to.have.length(4);
  });

  it('npm start caps the V8 heap at CTI_HEAP_MB (default as the config\'s), and a bad value is named', () => {
    const start = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(start).to.match(/ --import tsx main\.ts$/);
    // The start script's own shell line, running a probe instead of main.ts: V8's heap ceiling in MB.
    const probe = start.replace(/ --import tsx main\.ts$/, ` -e "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit / 1048576))"`);
    const limitMb = (env: Record<string, string>) => Number(spawnSync('sh', ['-c', probe], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' }).stdout);
    const byDefault = limitMb({});
    expect(byDefault).to.be.within(loadConfig({}).CTI_HEAP_MB, loadConfig({}).CTI_HEAP_MB + 64);
    expect(limitMb({ CTI_HEAP_MB: '512' })).to.be.within(512, 512 + 64);
    expect(() => loadConfig({ CTI_HEAP_MB: '64' })).to.throw(ConfigError, /CTI_HEAP_MB/);
  });

  it('reads a Redis Cluster as a list of host:port start nodes, and names a bad one', () => {
    expect(loadConfig({}).REDIS_CLUSTER_NODES).to.equal(undefined);
    expect(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:6391, redis-b.internal:6379,[::1]:7000' }).REDIS_CLUSTER_NODES).to.deep.equal([
      { host: '127.0.0.1', port: 6391 },
      { host: 'redis-b.internal', port: 6379 },
      { host: '::1', port: 7000 },
    ]);
    for (const bad of ['127.0.0.1', 'redis://127.0.0.1:6391', '127.0.0.1:0', '127.0.0.1:6391,,127.0.0.1:6392', '127.0.0.1:6391,127.0.0.1:6391']) {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: bad }), bad).to.throw(ConfigError, 'REDIS_CLUSTER_NODES');
    }
  });

  it('imports fallback calls only when ASTERISK_QUEUE_LOG is set, every FALLBACK_IMPORT_MS', () => {
    expect(loadConfig({}).ASTERISK_QUEUE_LOG).to.equal(undefined);
    expect(loadConfig({}).FALLBACK_IMPORT_MS).to.equal(60_000);
    const c = loadConfig({ ASTERISK_QUEUE_LOG: '/var/log/asterisk/queue_log', FALLBACK_IMPORT_MS: '15000' });
    expect(c.ASTERISK_QUEUE_LOG).to.equal('/var/log/asterisk/queue_log');
    expect(c.FALLBACK_IMPORT_MS).to.equal(15_000);
    expect(() => loadConfig({ FALLBACK_IMPORT_MS: '0' })).to.throw(ConfigError, /FALLBACK_IMPORT_MS/);
  });

  it('never echoes secrets in the message', () => {
    try {
      loadConfig({ ARI_URL: 'nope', AMI_PORT: '99999', AMI_SECRET: 'hunter2' });
    } catch (e) {
      expect((e as Error).message).not.to.contain('hunter2');
    }
  });

  it('stops the process with one message and a non-zero exit code', function () {
    this.timeout(30_000);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
      env: { ...process.env, HTTP_PORT: 'x', MONGO_URL: 'postgres://db', NODE_ID: 'Bad Node' },
      encoding: 'utf8',
    });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('invalid configuration');
    for (const key of ['HTTP_PORT', 'MONGO_URL', 'NODE_ID']) expect(r.stderr).to.contain(key);
  });
});

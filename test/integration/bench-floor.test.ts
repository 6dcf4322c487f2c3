import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { FloorApi } from '../../scripts/bench/api';
import { forkTs, type RpcChild } from '../../scripts/bench/rpc';
import { testConfig } from '../helpers/env';

/** Holds Redis busy inside one script for `ms`: every other client's command waits that long. */
const BUSY = `local t0 = redis.call('TIME')
local start = t0[1] * 1000000 + t0[2]
repeat
  local t = redis.call('TIME')
until (t[1] * 1000000 + t[2]) - start >= tonumber(ARGV[1]) * 1000
return 1`;

/** The bench's machine-floor probe (scripts/bench/floor-process.ts) against the real Redis. */
describe('bench: the machine-floor probe', () => {
  const redisUrl = testConfig().REDIS_URL;
  let dir: string;
  let floor: RpcChild<FloorApi>;
  let redis: Redis;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
    floor = forkTs<FloorApi>('floor', resolve(__dirname, '../../scripts/bench/floor-process.ts'), { cwd: resolve(__dirname, '../..'), logFile: join(dir, 'floor.log') });
    redis = new Redis(redisUrl);
  });
  after(async () => {
    redis?.disconnect();
    await floor?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes one timer lateness per tick and one PING round trip per answer, none negative', async () => {
    await floor.call('start', { redisUrl, everyMs: 5 });
    const { timerLag, redisRtt } = await floor.call('take', { atLeast: 20 });
    expect(redisRtt.length).to.be.at.least(20);
    // A tick is counted before its PING is sent; the last one's answer may not be in yet.
    expect(timerLag.length - redisRtt.length).to.be.within(0, 1);
    expect(Math.min(...timerLag, ...redisRtt)).to.be.at.least(0);
  });

  it('reads the probe kept off the core for 200 ms as a timer that late', async () => {
    await floor.call('start', { redisUrl, everyMs: 5 });
    const pid = floor.process.pid!;
    // What a loaded machine does to a ready process, done on purpose: it is not run for a while.
    process.kill(pid, 'SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const { timerLag } = await floor.call('take', { atLeast: 20 });
    expect(Math.max(...timerLag)).to.be.within(100, 2000);
  });

  it('reads Redis held busy for 200 ms as a round trip of that order', async () => {
    await floor.call('start', { redisUrl, everyMs: 5 });
    await redis.eval(BUSY, 0, '200');
    const { redisRtt } = await floor.call('take', { atLeast: 20 });
    expect(Math.max(...redisRtt)).to.be.within(100, 2000);
  });
});

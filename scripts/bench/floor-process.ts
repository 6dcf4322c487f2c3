/**
 * Child process of `npm run bench`: what this machine allows under the run's load, measured by a
 * process that does nothing else. A timer's lateness is how long a ready process waits for a
 * core; a PING's round trip is the least a step that needs one Redis answer can take. The CTI's
 * figures (queue entry → originate, the pop) are read against these: a step with one Redis round
 * trip cannot have a p99 under the PING's p99 on the same machine at the same moment.
 */
import { EventEmitter, once } from 'node:events';
import { Redis } from 'ioredis';
import type { FloorApi } from './api';
import { serve } from './rpc';
import { now } from './stats';

let redis: Redis | null = null;
let running = false;
let timerLag: number[] = [];
let redisRtt: number[] = [];
const answered = new EventEmitter();

async function start(p: { redisUrl: string; everyMs: number }): Promise<null> {
  redis ??= new Redis(p.redisUrl, { maxRetriesPerRequest: 1 });
  await redis.ping();
  timerLag = [];
  redisRtt = [];
  running = true;
  const client = redis;
  const next = (): void => {
    if (running) setTimeout(tick, p.everyMs, now() + p.everyMs);
  };
  const tick = (due: number): void => {
    if (!running) return;
    // Timers run on the loop's whole-millisecond clock: one may fire up to 1 ms before `due` as
    // this sub-millisecond clock reads it. That is on time.
    timerLag.push(Math.max(0, now() - due));
    const sent = now();
    client.ping().then(() => {
      redisRtt.push(now() - sent);
      answered.emit('pong');
      next();
    }, next);
  };
  next();
  return null;
}

async function take(p: { atLeast: number }): Promise<{ timerLag: number[]; redisRtt: number[] }> {
  while (running && redisRtt.length < p.atLeast) await once(answered, 'pong');
  running = false;
  return { timerLag, redisRtt };
}

serve<FloorApi>({ start, take }, async () => {
  running = false;
  redis?.disconnect();
  redis = null;
});

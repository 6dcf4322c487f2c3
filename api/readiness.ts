import type { Connection } from 'mongoose';
import { withTimeout } from '../core/async';
import type { RedisClient } from '../core/connections';

/** One dependency /readyz checks; `check` rejects with the reason when it is not usable. */
export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

export interface ProbeResult {
  name: string;
  ok: boolean;
  ms: number;
  reason?: string;
}

export async function runProbes(probes: ReadinessProbe[], timeoutMs: number): Promise<ProbeResult[]> {
  return Promise.all(
    probes.map(async (p) => {
      const started = Date.now();
      try {
        await withTimeout(p.check(), timeoutMs, p.name);
        return { name: p.name, ok: true, ms: Date.now() - started };
      } catch (err) {
        return { name: p.name, ok: false, ms: Date.now() - started, reason: (err as Error).message };
      }
    }),
  );
}

export function redisProbe(redis: RedisClient): ReadinessProbe {
  return {
    name: 'redis',
    async check() {
      // ioredis queues commands while disconnected; report that state instead of waiting.
      if (redis.status !== 'ready') throw new Error(`redis connection is ${redis.status}`);
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
    },
  };
}

export function mongoProbe(conn: Connection): ReadinessProbe {
  return {
    name: 'mongodb',
    async check() {
      if (conn.readyState !== 1 || !conn.db) throw new Error('mongodb connection is not open');
      await conn.db.admin().ping();
    },
  };
}

/** The ARI events socket is up and Asterisk answers a ping. */
export function ariProbe(ari: { connected: boolean; ping(): Promise<void> }): ReadinessProbe {
  return {
    name: 'ari',
    async check() {
      if (!ari.connected) throw new Error('ARI events socket not connected');
      await ari.ping();
    },
  };
}

/** The AMI session is logged in. */
export function amiProbe(ami: { state: string; lastError?: Error | undefined }): ReadinessProbe {
  return {
    name: 'ami',
    async check() {
      if (ami.state !== 'connected') throw new Error(`AMI ${ami.state}${ami.lastError ? `: ${ami.lastError.message}` : ''}`);
    },
  };
}

import { EventEmitter } from 'node:events';
import { runProbes, type ReadinessProbe } from '../api/readiness';
import { withTimeout } from '../core/async';
import type { RedisClient } from '../core/connections';
import type { Logger } from '../core/logger';
import type { AmiClient, PbxHealth } from '../cti/ami';
import type { AriConnection } from '../cti/ari/connection';
import type { SelfCheckLog } from '../cti/health/self-check-log';
import type { NodeHealth, ProbeView, SelfCheckRecord, SystemHealth } from '../contracts';

const STALE_MS = 20_000;
const KEEP_MS = 24 * 3600_000;

export interface HealthReporterEvents {
  /** The system view changed (this node's own health, or another node's as read from Redis). */
  changed: [SystemHealth];
}

/**
 * Each CTI process knows only its own ARI and AMI connections, so each writes its health to
 * Redis (every few seconds and at once on a change) and the admin page shows every process's
 * entry. An entry not refreshed for 20 s is shown as stale: that process is gone or cut off.
 */
export class HealthReporter extends EventEmitter<HealthReporterEvents> {
  private timer?: NodeJS.Timeout;
  private pending?: NodeJS.Timeout;
  private last = '';
  private lastSelfChecks: SelfCheckRecord[] = [];
  private running?: Promise<SystemHealth>;
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly deps: {
      node: string;
      redis: RedisClient;
      keyPrefix: string;
      probes: ReadinessProbe[];
      /** Read on every round: a check run by any process reaches every admin page within a round. */
      selfChecks: Pick<SelfCheckLog, 'recent'>;
      telephony?: { ari: AriConnection; ami: AmiClient; pbx: PbxHealth };
      consoles: () => NodeHealth['consoles'];
      logger: Logger;
      intervalMs?: number;
    },
  ) {
    super();
  }

  start(): void {
    const soon = () => {
      clearTimeout(this.pending);
      this.pending = setTimeout(() => void this.refresh(), 100);
      this.pending.unref();
    };
    const t = this.deps.telephony;
    if (t) {
      t.ari.on('state', soon);
      t.ami.on('state', soon);
      t.pbx.on('phone', soon);
      t.pbx.on('trunk', soon);
      t.pbx.on('refreshed', soon);
      this.detach.push(() => {
        t.ari.off('state', soon);
        t.ami.off('state', soon);
        t.pbx.off('phone', soon);
        t.pbx.off('trunk', soon);
        t.pbx.off('refreshed', soon);
      });
    }
    this.timer = setInterval(() => void this.refresh(), this.deps.intervalMs ?? 3000);
    this.timer.unref();
    void this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.pending);
    for (const d of this.detach.splice(0)) d();
  }

  /** Recomputes this node's health, publishes it, reads every node's; emits `changed` on a difference. */
  refresh(): Promise<SystemHealth> {
    this.running ??= this.compute().finally(() => (this.running = undefined));
    return this.running;
  }

  private key = (node: string) => `${this.deps.keyPrefix}:console:health:${node}`;
  private nodesKey = () => `${this.deps.keyPrefix}:console:health-nodes`;

  private async compute(): Promise<SystemHealth> {
    const own = await this.own();
    const { redis, node } = this.deps;
    let nodes: Array<NodeHealth & { stale: boolean }> = [{ ...own, stale: false }];
    let selfChecks: SelfCheckRecord[] = this.lastSelfChecks;
    try {
      // Bounded: the main Redis client waits through an outage, and the page must show that outage.
      nodes = await withTimeout(
        (async () => {
          await redis.multi().set(this.key(node), JSON.stringify(own), 'PX', KEEP_MS).sadd(this.nodesKey(), node).exec();
          const ids = (await redis.smembers(this.nodesKey())).sort();
          const raw = ids.length ? await redis.mget(ids.map(this.key)) : [];
          const out: Array<NodeHealth & { stale: boolean }> = [];
          const gone: string[] = [];
          ids.forEach((id, i) => {
            const v = raw[i];
            if (!v) return void gone.push(id);
            const h = JSON.parse(v) as NodeHealth;
            out.push(id === node ? { ...own, stale: false } : { ...h, stale: Date.now() - h.at > STALE_MS });
          });
          if (gone.length) await redis.srem(this.nodesKey(), ...gone);
          selfChecks = await this.deps.selfChecks.recent();
          return out;
        })(),
        1500,
        'health exchange',
      );
    } catch (err) {
      this.deps.logger.debug({ err: (err as Error).message }, 'health exchange through redis failed');
    }
    // Kept through a Redis outage: the history did not go away, it just cannot be read.
    this.lastSelfChecks = selfChecks;
    const sys: SystemHealth = { serverNow: Date.now(), nodes, selfChecks };
    // `at`/`since` change on every round: compare what an admin would see change.
    const signature = JSON.stringify([
      nodes.map(({ at: _at, redis: r, mongodb: m, ...rest }) => ({ ...rest, redis: r.ok, mongodb: m.ok })),
      selfChecks.map((c) => c.at),
    ]);
    if (signature !== this.last) {
      this.last = signature;
      this.emit('changed', sys);
    }
    return sys;
  }

  private async own(): Promise<NodeHealth> {
    const { telephony: t, probes, node, consoles } = this.deps;
    const checks = await runProbes(probes, 1500);
    const probe = (name: string): ProbeView => {
      const c = checks.find((x) => x.name === name);
      return c ? { ok: c.ok, ms: c.ms, ...(c.reason ? { reason: c.reason } : {}) } : { ok: false, ms: 0, reason: 'not checked' };
    };
    const pbx = t?.pbx.snapshot();
    return {
      node,
      at: Date.now(),
      ari: t ? { connected: t.ari.connected } : null,
      ami: pbx
        ? {
            connected: pbx.ami.connected,
            state: pbx.ami.state,
            since: pbx.ami.since,
            reconnects: pbx.ami.reconnects,
            ...(pbx.ami.lastError ? { lastError: pbx.ami.lastError } : {}),
          }
        : null,
      trunk: pbx
        ? {
            registered: pbx.trunk.registered,
            registrations: pbx.trunk.registrations.map((r) => ({ name: r.name ?? r.serverUri, status: r.status, since: r.at })),
          }
        : null,
      phones: (pbx?.phones ?? []).map((p) => ({ extension: p.extension, status: p.status, reachable: p.reachable, since: p.at })),
      redis: probe('redis'),
      mongodb: probe('mongodb'),
      consoles: consoles(),
    };
  }
}

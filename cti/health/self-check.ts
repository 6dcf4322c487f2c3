import type { Connection } from 'mongoose';
import { withTimeout } from '../../core/async';
import type { RedisClient } from '../../core/connections';
import type { AcdStore } from '../acd/acd-store';
import type { AmiClient } from '../ami/client';
import type { PbxHealth } from '../ami/health';
import type { AriPort } from '../ari/port';
import type { CheckItem } from '../../contracts';
import type { TestCaller } from './test-call';


export interface SelfCheckDeps {
  ari: AriPort;
  ami: AmiClient;
  pbx: PbxHealth;
  acd: AcdStore;
  redis: RedisClient;
  mongo: Connection;
  testCall: TestCaller;
  /** The Stasis app name pattern every CTI process registers under (`^hotline-`). */
  appPattern: RegExp;
  itemTimeoutMs?: number;
}

/**
 * The system's check of itself (rule 十一): the whole chain, item by item, each with its result
 * and how long it took. A failing item never stops the others.
 */
export class SelfCheck {
  constructor(private readonly d: SelfCheckDeps) {}

  async run(): Promise<CheckItem[]> {
    const t = this.d.itemTimeoutMs ?? 5000;
    const items: Array<[CheckItem['item'], () => Promise<string>, number]> = [
      ['ari', () => this.ari(), t],
      ['ami', () => this.ami(), t],
      ['trunk', async () => this.trunk(), t],
      ['agent-phones', () => this.phones(), t],
      ['redis', async () => `PING → ${await this.d.redis.ping()}`, t],
      ['mongodb', async () => {
        if (!this.d.mongo.db) throw new Error('not connected');
        await this.d.mongo.db.admin().ping();
        return 'ping ok';
      }, t],
    ];
    const results = await Promise.all(items.map(([item, fn, ms]) => this.measure(item, fn, ms)));
    // The synthetic call last and alone: it needs the rest of the chain to be worth anything.
    results.push(await this.measure('test-call', async () => {
      const r = await this.d.testCall.run();
      if (!r.ok) throw new Error(r.detail);
      return r.detail;
    }, 60_000));
    return results;
  }

  private async measure(item: CheckItem['item'], fn: () => Promise<string>, timeoutMs: number): Promise<CheckItem> {
    const started = Date.now();
    try {
      const detail = await withTimeout(fn(), timeoutMs, item);
      return { item, ok: true, durationMs: Date.now() - started, detail };
    } catch (err) {
      return { item, ok: false, durationMs: Date.now() - started, detail: (err as Error).message };
    }
  }

  private async ari(): Promise<string> {
    if (!this.d.ari.connected) throw new Error('events socket not connected');
    await this.d.ari.ping();
    const apps = (await this.d.ari.applications()).filter((a) => this.d.appPattern.test(a));
    if (apps.length === 0) throw new Error('no hotline Stasis app registered');
    return `apps registered: ${apps.join(', ')}`;
  }

  private async ami(): Promise<string> {
    if (this.d.ami.state !== 'connected') throw new Error(`AMI ${this.d.ami.state}${this.d.ami.lastError ? `: ${this.d.ami.lastError.message}` : ''}`);
    await this.d.ami.action({ Action: 'Ping' });
    return 'logged in, Ping answered';
  }

  private trunk(): string {
    const t = this.d.pbx.snapshot().trunk;
    if (!t.registered) throw new Error('carrier trunk not registered');
    return 'carrier trunk registered';
  }

  /** Every logged-in agent's phone must be reachable, and at least one phone must be. */
  private async phones(): Promise<string> {
    const loggedIn = (await this.d.acd.agents()).filter((a) => a.state !== 'offline');
    const unreachable = new Set(await this.d.acd.unreachablePhones());
    const phones = this.d.pbx.snapshot().phones;
    const bad = loggedIn.filter((a) => unreachable.has(a.extension) || phones.find((p) => p.extension === a.extension)?.reachable === false);
    const reachable = phones.filter((p) => p.reachable).length;
    if (bad.length) throw new Error(`unreachable: ${bad.map((a) => `${a.workNumber} (PJSIP/${a.extension})`).join(', ')}`);
    if (reachable === 0) throw new Error('no agent phone is reachable');
    return `${reachable} phones reachable; all ${loggedIn.length} logged-in agents reachable`;
  }
}

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

/** What an item found, in English for logs and API users and in Chinese for the admin page. */
export interface CheckFinding {
  detail: string;
  zh: string;
}

/** A failed item: the English reason and what the admin page says. */
export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly zh: string,
  ) {
    super(message);
    this.name = 'CheckFailure';
  }
}

const found = (detail: string, zh: string): CheckFinding => ({ detail, zh });

/**
 * The system's check of itself (rule 十一): the whole chain, item by item, each with its result
 * and how long it took. A failing item never stops the others.
 */
class ItemTimedOut extends Error {}

export class SelfCheck {
  constructor(private readonly d: SelfCheckDeps) {}

  async run(): Promise<CheckItem[]> {
    const t = this.d.itemTimeoutMs ?? 5000;
    const items: Array<[CheckItem['item'], () => Promise<CheckFinding>, number]> = [
      ['ari', () => this.ari(), t],
      ['ami', () => this.ami(), t],
      ['trunk', async () => this.trunk(), t],
      ['agent-phones', () => this.phones(), t],
      ['redis', async () => {
        const pong = await this.d.redis.ping();
        return found(`PING → ${pong}`, pong === 'PONG' ? '应答正常' : `应答异常（${pong}）`);
      }, t],
      ['mongodb', async () => {
        if (!this.d.mongo.db) throw new CheckFailure('not connected', '未连接');
        await this.d.mongo.db.admin().ping();
        return found('ping ok', '应答正常');
      }, t],
    ];
    const results = await Promise.all(items.map(([item, fn, ms]) => this.measure(item, fn, ms)));
    // The synthetic call last and alone: it needs the rest of the chain to be worth anything.
    results.push(await this.measure('test-call', async () => {
      const r = await this.d.testCall.run();
      if (!r.ok) throw new CheckFailure(r.detail, r.zh);
      return found(r.detail, r.zh);
    }, 60_000));
    return results;
  }

  private async measure(item: CheckItem['item'], fn: () => Promise<CheckFinding>, timeoutMs: number): Promise<CheckItem> {
    const started = Date.now();
    try {
      const f = await withTimeout(fn(), timeoutMs, () => new ItemTimedOut(`${item} timed out after ${timeoutMs} ms`));
      return { item, ok: true, durationMs: Date.now() - started, detail: f.detail, zh: f.zh };
    } catch (err) {
      // Told by the error, not by the time elapsed: a timer may fire a millisecond before Date.now() says it is due.
      const zh =
        err instanceof CheckFailure
          ? err.zh
          : err instanceof ItemTimedOut
            ? timeoutMs >= 1000
              ? `${Math.round(timeoutMs / 1000)} 秒内无响应`
              : `${timeoutMs} 毫秒内无响应`
            : '检查出错（原因见服务日志）';
      return { item, ok: false, durationMs: Date.now() - started, detail: (err as Error).message, zh };
    }
  }

  private async ari(): Promise<CheckFinding> {
    if (!this.d.ari.connected) throw new CheckFailure('events socket not connected', '事件连接已断开');
    await this.d.ari.ping();
    const apps = (await this.d.ari.applications()).filter((a) => this.d.appPattern.test(a));
    if (apps.length === 0) throw new CheckFailure('no hotline Stasis app registered', '没有已注册的热线应用');
    return found(`apps registered: ${apps.join(', ')}`, `已注册热线应用 ${apps.length} 个（${apps.join('、')}）`);
  }

  private async ami(): Promise<CheckFinding> {
    const { state, lastError } = this.d.ami;
    if (state !== 'connected') {
      throw new CheckFailure(`AMI ${state}${lastError ? `: ${lastError.message}` : ''}`, state === 'connecting' ? '正在连接，尚未登录' : '未连接');
    }
    await this.d.ami.action({ Action: 'Ping' });
    return found('logged in, Ping answered', '已登录，应答正常');
  }

  private trunk(): CheckFinding {
    const t = this.d.pbx.snapshot().trunk;
    if (!t.registered) throw new CheckFailure('carrier trunk not registered', t.registrations.length ? '运营商中继未注册' : '未配置运营商中继注册');
    return found('carrier trunk registered', '运营商中继已注册');
  }

  /** Every logged-in agent's phone must be reachable, and at least one phone must be. */
  private async phones(): Promise<CheckFinding> {
    const loggedIn = (await this.d.acd.agents()).filter((a) => a.state !== 'offline');
    const unreachable = new Set(await this.d.acd.unreachablePhones());
    const phones = this.d.pbx.snapshot().phones;
    const bad = loggedIn.filter((a) => unreachable.has(a.extension) || phones.find((p) => p.extension === a.extension)?.reachable === false);
    const reachable = phones.filter((p) => p.reachable).length;
    if (bad.length) {
      throw new CheckFailure(
        `unreachable: ${bad.map((a) => `${a.workNumber} (PJSIP/${a.extension})`).join(', ')}`,
        `已登录坐席的话机不可达：${bad.map((a) => `工号 ${a.workNumber}（分机 ${a.extension}）`).join('、')}`,
      );
    }
    if (reachable === 0) throw new CheckFailure('no agent phone is reachable', '没有可达的坐席话机');
    return found(
      `${reachable} phones reachable; all ${loggedIn.length} logged-in agents reachable`,
      `${reachable} 部话机可达；已登录的 ${loggedIn.length} 名坐席话机均可达`,
    );
  }
}

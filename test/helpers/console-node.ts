import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../core/config';
import type { DomainEvent } from '../../events/domain-events';
import { startCti, type CtiNode } from '../../main';
import { seed } from '../../scripts/seed';
import type { ConsoleNamespace, LoginResponse } from '../../contracts';
import { ConsoleClient, login } from './consoles';
import { testConfig } from './env';

export const PASSWORD = 'test-password';

/**
 * A CTI node without telephony (storage-only) with the demo people seeded: the consoles are
 * driven by publishing domain events on the real Redis bus, the boundary between cti/ and ws/.
 */
export class ConsoleNode {
  readonly clients: ConsoleClient<object, object>[] = [];
  private readonly sessions = new Map<string, LoginResponse>();

  private constructor(
    readonly node: CtiNode,
    readonly config: Config,
  ) {}

  static async start(env: Record<string, string> = {}, base?: Config): Promise<ConsoleNode> {
    const config = base ?? testConfig({ RECORDINGS_DIR: mkdtempSync(join(tmpdir(), 'hotline-rec-')), ...env });
    const node = await startCti(config, { telephony: false });
    if (!base) await seed(node.models, { password: PASSWORD });
    return new ConsoleNode(node, config);
  }

  get url(): string {
    return this.node.url;
  }

  get live() {
    return this.node.live;
  }

  /**
   * What the ACD's reserve script does for one call, aimed at one agent: a console test needs
   * that agent, not whichever Ready agent the ACD would pick.
   */
  async reserve(workNumber: string, callId: string): Promise<void> {
    const k = this.live.acd.keys;
    await this.node.redis.eval(
      `redis.call('HSET', KEYS[1], 'state', 'reserved', 'since', ARGV[2], 'reason', '', 'callId', ARGV[3])
       for i = 2, 4 do redis.call('ZREM', KEYS[i], ARGV[1]) end
       redis.call('ZADD', KEYS[6], redis.call('INCR', KEYS[5]), ARGV[1])`,
      6,
      k.agent(workNumber),
      k.ready('yue'),
      k.ready('cmn'),
      k.ready('any'),
      k.agentsVersion(),
      k.agentsChanged(),
      workNumber,
      String(Date.now()),
      callId,
    );
  }

  publish(e: DomainEvent): Promise<void> {
    return this.live.bus.publish(e);
  }

  async session(workNumber: string): Promise<LoginResponse> {
    let s = this.sessions.get(workNumber);
    if (!s) this.sessions.set(workNumber, (s = await login(this.url, workNumber, PASSWORD)));
    return s;
  }

  async token(workNumber: string): Promise<string> {
    return (await this.session(workNumber)).token;
  }

  /** A connected console of `workNumber` (its first snapshot may still be on the way). */
  async client<S extends object = object, C extends object = object>(nsp: ConsoleNamespace, workNumber: string, baseUrl = this.url): Promise<ConsoleClient<S, C>> {
    const c = new ConsoleClient<S, C>(baseUrl, nsp, await this.token(workNumber));
    this.clients.push(c as unknown as ConsoleClient<object, object>);
    await c.connect();
    return c;
  }

  async stop(opts: { dropDb?: boolean } = {}): Promise<void> {
    for (const c of this.clients) c.close();
    if (opts.dropDb !== false) {
      await this.node.mongo.dropDatabase().catch(() => undefined);
      // The adapter's stream has no expiry of its own; the test prefix is private to this file.
      await this.node.redis.del(`${this.config.REDIS_PREFIX}:socket.io`).catch(() => undefined);
    }
    await this.node.stop();
  }
}

import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { duplicateRedis, type RedisClient } from '../core/connections';
import type { Logger } from '../core/logger';
import type { DomainEvent } from './domain-events';

const lua = (name: string) => readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');

type PublishRedis = RedisClient & { busPublish(channel: string, event: string): Promise<number> };

export interface EventBus {
  publish(e: DomainEvent): Promise<void>;
  subscribe(handler: (e: DomainEvent) => void): () => void;
  /**
   * The subscription came back after its connection dropped (a Redis restart or a network cut):
   * events published meanwhile are lost, so whoever shows state from events shows it afresh.
   */
  onGap(handler: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Domain events over Redis pub/sub, so a console connected to any CTI process sees events of
 * calls owned by any other. Delivery is at-most-once: consoles re-read full state when they
 * reconnect, and are sent it afresh when this process's subscription comes back (`onGap`).
 */
export class RedisEventBus implements EventBus {
  private readonly local = new EventEmitter();
  private sub?: RedisClient;
  private ready?: Promise<void>;
  private readonly pub: PublishRedis;

  constructor(
    pub: RedisClient,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {
    this.local.setMaxListeners(0);
    // Loaded once (EVALSHA): about fifteen events a call, each an EVAL sending and hashing the script before.
    if (!('busPublish' in pub)) pub.defineCommand('busPublish', { numberOfKeys: 1, lua: lua('publish') });
    this.pub = pub as PublishRedis;
  }

  /**
   * PUBLISH from a one-key script whose key is the channel: on a Redis Cluster a bare PUBLISH goes
   * to any node, and two events of this process then reach subscribers out of order (seen: 21 of
   * 500); a script runs on the node of its key's slot, so all of them take one path, in order.
   */
  async publish(e: DomainEvent): Promise<void> {
    await this.pub.busPublish(this.channel, JSON.stringify(e));
  }

  subscribe(handler: (e: DomainEvent) => void): () => void {
    void this.ensureSubscribed();
    this.local.on('event', handler);
    return () => this.local.off('event', handler);
  }

  onGap(handler: () => void): () => void {
    this.local.on('gap', handler);
    return () => this.local.off('gap', handler);
  }

  /** Resolves once the Redis subscription is active (tests await it before acting). */
  whenSubscribed(): Promise<void> {
    return this.ensureSubscribed();
  }

  private ensureSubscribed(): Promise<void> {
    if (!this.ready) {
      this.sub = duplicateRedis(this.pub);
      this.sub.on('error', () => undefined);
      this.sub.on('message', (_ch: string, msg: string) => {
        let e: DomainEvent;
        try {
          e = JSON.parse(msg) as DomainEvent;
        } catch {
          this.logger.warn('unparseable domain event dropped');
          return;
        }
        for (const l of this.local.listeners('event') as Array<(e: DomainEvent) => void>) {
          try {
            l(e);
          } catch (err) {
            this.logger.error({ err, type: e.type }, 'domain event handler failed');
          }
        }
      });
      const sub = this.sub;
      let dropped = false;
      sub.on('close', () => (dropped = true));
      sub.on('ready', () => {
        if (!dropped) return;
        dropped = false;
        // Subscribed again (idempotent; ioredis resubscribes too) before anyone reads state afresh,
        // so nothing published after that read is missed.
        sub.subscribe(this.channel).then(
          () => {
            this.logger.warn('domain-event subscription restored after a drop: consoles get their state afresh');
            for (const l of this.local.listeners('gap') as Array<() => void>) {
              try {
                l();
              } catch (err) {
                this.logger.error({ err }, 'gap handler failed');
              }
            }
          },
          (err: Error) => this.logger.error({ err: err.message }, 'domain-event subscription not restored'),
        );
      });
      this.ready = sub.subscribe(this.channel).then(() => undefined);
    }
    return this.ready;
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
    this.sub?.disconnect();
  }
}

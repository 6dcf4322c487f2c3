import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import type { DomainEvent } from './domain-events';

export interface EventBus {
  publish(e: DomainEvent): Promise<void>;
  subscribe(handler: (e: DomainEvent) => void): () => void;
  close(): Promise<void>;
}

/**
 * Domain events over Redis pub/sub, so a console connected to any CTI process sees events of
 * calls owned by any other. Delivery is at-most-once: consoles re-read full state on reconnect.
 */
export class RedisEventBus implements EventBus {
  private readonly local = new EventEmitter();
  private sub?: Redis;
  private ready?: Promise<void>;

  constructor(
    private readonly pub: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {
    this.local.setMaxListeners(0);
  }

  async publish(e: DomainEvent): Promise<void> {
    await this.pub.publish(this.channel, JSON.stringify(e));
  }

  subscribe(handler: (e: DomainEvent) => void): () => void {
    void this.ensureSubscribed();
    this.local.on('event', handler);
    return () => this.local.off('event', handler);
  }

  /** Resolves once the Redis subscription is active (tests await it before acting). */
  whenSubscribed(): Promise<void> {
    return this.ensureSubscribed();
  }

  private ensureSubscribed(): Promise<void> {
    if (!this.ready) {
      this.sub = this.pub.duplicate();
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
      this.ready = this.sub.subscribe(this.channel).then(() => undefined);
    }
    return this.ready;
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
    this.sub?.disconnect();
  }
}

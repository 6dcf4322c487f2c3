import type { Logger } from '../core/logger';
import type { OutageChannel } from '../models/outage';

/** One notice as a publisher receives it: the words, and the facts for a page that lays them out itself. */
export interface OutagePost {
  /** `TS20261203-01.v2`: the same id for a retry, a new one for each version. */
  id: string;
  number: string;
  version: number;
  what: 'notice' | 'cancelled' | 'restored';
  title: string;
  text: string;
  areaCodes: string[];
  streets: string[];
  startsAt: number;
  expectedEndAt: number;
}

export interface OutagePublisher {
  readonly kind: 'webhook' | 'log';
  publish(post: OutagePost): Promise<void>;
}

/**
 * An HTTP webhook (the WeChat official account's, the company website's, 红豆网's integration):
 * the post as JSON; any 2xx takes it, anything else is a failure retried by the publish rule.
 */
export class WebhookPublisher implements OutagePublisher {
  readonly kind = 'webhook';
  constructor(
    private readonly url: string,
    private readonly token?: string,
    private readonly timeoutMs = 5000,
  ) {}
  async publish(post: OutagePost): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': post.id, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify(post),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`publisher webhook answered ${res.status}`);
  }
}

/** No endpoint configured: the post is written to the log, where the demo shows it. */
export class LogPublisher implements OutagePublisher {
  readonly kind = 'log';
  constructor(
    private readonly channel: OutageChannel,
    private readonly logger: Logger,
  ) {}
  async publish(post: OutagePost): Promise<void> {
    this.logger.info({ channel: this.channel, id: post.id, title: post.title }, `outage notice published (log publisher): ${post.text}`);
  }
}

export type OutagePublishers = Record<OutageChannel, OutagePublisher>;

/** OUTAGE_PUBLISH_<CHANNEL>_URL set → that webhook; unset → the log. */
export function publishersFrom(urls: Partial<Record<OutageChannel, string>>, token: string | undefined, logger: Logger): OutagePublishers {
  const one = (c: OutageChannel): OutagePublisher => (urls[c] ? new WebhookPublisher(urls[c], token) : new LogPublisher(c, logger));
  return { wechat: one('wechat'), website: one('website'), hongdou: one('hongdou') };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '../core/connections';
import type { Logger } from '../core/logger';
import type { RecentCallView, ScreenPop } from '../contracts';
import type { PopBuilder } from './pops';

/** What a pop shows beyond the ringing event itself: gathered at arrival, joined at ringing. */
export type PopContent = Pick<ScreenPop, 'customer' | 'recentCalls' | 'openWorkOrders' | 'outages'>;

/** A pop's content when nothing is known: the fields a bare pop's JSON lacks (see pop-show.lua). */
export const EMPTY_CONTENT_FIELDS = fieldsOf({ customer: null, recentCalls: [], openWorkOrders: [], outages: [] });

const lua = (name: string) => readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');

type ContextRedis = RedisClient & { popRecentCall(numberKey: string, viewJson: string, callId: string, keep: string): Promise<number> };

/** How many earlier calls a pop lists. */
const RECENT_CALLS = 5;
/** A call's context outlives any wait in the queue (the maximum wait is 10 minutes by default). */
const CONTEXT_TTL_MS = 4 * 3600_000;
/**
 * Cache lifetimes. A number's entry takes each of its calls that ends into its recent calls, and
 * is dropped whenever any order changes; an area's outages when any outage changes. The TTLs only
 * bound what a change made without telling us (an edit straight in the database) can leave stale.
 */
const NUMBER_TTL_MS = 10 * 60_000;
const AREA_TTL_MS = 60_000;

interface NumberEntry {
  customer: ScreenPop['customer'];
  /** One more than a pop shows: the call being popped may be among them and is left out. */
  recentCalls: ScreenPop['recentCalls'];
  openWorkOrders: ScreenPop['openWorkOrders'];
}

/** `{"a":1,"b":2}` → `"a":1,"b":2`: the content as fields to append to the bare pop's JSON. */
function fieldsOf(content: PopContent): string {
  return JSON.stringify(content).slice(1, -1);
}

/**
 * The screen-pop's content, taken off the ringing path: while the caller hears the greeting, the
 * owning process reads (or finds cached) the customer, their recent calls and open orders, and the
 * outages of their area, and stores them as the call's context in Redis. At ringing every process
 * joins that context to the ringing event in one script (PopStore.showPop): no MongoDB query
 * stands between the agent's phone ringing and the pop.
 */
export class PopContext {
  private readonly redis: ContextRedis;

  constructor(
    redis: RedisClient,
    /** `{prefix}`: the ACD's hash tag, so these keys share its Redis Cluster slot. */
    private readonly p: string,
    readonly builder: PopBuilder,
    private readonly log: Logger,
  ) {
    if (!('popRecentCall' in redis)) redis.defineCommand('popRecentCall', { numberOfKeys: 1, lua: lua('recent-call') });
    this.redis = redis as ContextRedis;
  }

  contextKey = (callId: string) => `${this.p}:console:ctx:${callId}`;
  private ordersVersionKey = () => `${this.p}:popcache:orders-ver`;
  private outagesVersionKey = () => `${this.p}:popcache:outages-ver`;
  /** A hash: `base` (customer and open orders) and `recent` (recent calls), JSON each. */
  private numberKey = (version: string, number: string) => `${this.p}:popcache:number:${version}:${number}`;
  private areaKey = (version: string, area: string) => `${this.p}:popcache:area:${version}:${area}`;

  /**
   * Gathers and stores the call's context. Never rejects: with MongoDB slow or down the pop falls
   * back to a bounded read at ringing (AgentConsole), so a failure here costs time, not the pop.
   */
  async prepare(call: { callId: string; callerNumber: string }, now = Date.now()): Promise<void> {
    try {
      const [ordersVer, outagesVer] = await this.redis.mget(this.ordersVersionKey(), this.outagesVersionKey());
      const entry = await this.numberEntry(call.callerNumber, ordersVer ?? '0');
      const area = entry.customer?.areaCode;
      const outages = area ? (await this.areaOutages(area, outagesVer ?? '0', now)).filter((o) => o.expectedEndAt > now) : [];
      const content: PopContent = {
        customer: entry.customer,
        recentCalls: entry.recentCalls.filter((c) => c.callId !== call.callId).slice(0, RECENT_CALLS),
        openWorkOrders: entry.openWorkOrders,
        outages,
      };
      await this.redis.set(this.contextKey(call.callId), fieldsOf(content), 'PX', CONTEXT_TTL_MS);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, callId: call.callId }, 'screen-pop context not prepared: the pop will read MongoDB at ringing');
    }
  }

  /**
   * A call of this number ended: it joins the number's cached recent calls, so the next call of a
   * repeat caller finds them in Redis. Dropping the entry instead sent every such call back to
   * MongoDB, and FerretDB reads and sorts all of a number's calls for it (38 ms for 250 calls).
   */
  async callEnded(callerNumber: string, view: RecentCallView): Promise<void> {
    if (!callerNumber) return;
    const version = (await this.redis.get(this.ordersVersionKey())) ?? '0';
    await this.redis.popRecentCall(this.numberKey(version, callerNumber), JSON.stringify(view), view.callId, String(RECENT_CALLS + 1));
  }

  /** Any order opened or changed: every number's cached open orders may be stale. */
  async ordersChanged(): Promise<void> {
    await this.redis.incr(this.ordersVersionKey());
  }

  /** Any outage published, changed or ended: every area's cached outages may be stale. */
  async outagesChanged(): Promise<void> {
    await this.redis.incr(this.outagesVersionKey());
  }

  private async numberEntry(callerNumber: string, version: string): Promise<NumberEntry> {
    if (!callerNumber) return { customer: null, recentCalls: [], openWorkOrders: [] };
    const key = this.numberKey(version, callerNumber);
    const [base, recent] = await this.redis.hmget(key, 'base', 'recent');
    if (base !== null && recent !== null) return { ...(JSON.parse(base) as Omit<NumberEntry, 'recentCalls'>), recentCalls: JSON.parse(recent) as NumberEntry['recentCalls'] };
    const customer = await this.builder.customer({ callerNumber });
    const [recentCalls, openWorkOrders] = await Promise.all([
      this.builder.recentCalls(callerNumber, RECENT_CALLS + 1),
      this.builder.openOrders({ callerNumber, customerAccount: customer?.accountNumber }),
    ]);
    await this.redis
      .multi()
      .hset(key, { base: JSON.stringify({ customer, openWorkOrders }), recent: JSON.stringify(recentCalls) })
      .pexpire(key, NUMBER_TTL_MS)
      .exec();
    return { customer, recentCalls, openWorkOrders };
  }

  private async areaOutages(area: string, version: string, now: number): Promise<ScreenPop['outages']> {
    const key = this.areaKey(version, area);
    const cached = await this.redis.get(key);
    if (cached) return JSON.parse(cached) as ScreenPop['outages'];
    const outages = await this.builder.outages(area, now);
    await this.redis.set(key, JSON.stringify(outages), 'PX', AREA_TTL_MS);
    return outages;
  }
}

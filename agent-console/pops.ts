import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '../core/connections';
import type { DomainEvent } from '../events/domain-events';
import type { Models } from '../models';
import { customerByPhone } from '../models/customer';
import type { CallOutcome, CallState, DepartmentCode, Language, WorkOrderCategory, WorkOrderStatus } from '../models/enums';
import { EMPTY_CONTENT_FIELDS } from './pop-context';
import { OUTAGE_ACTIVE_STATUSES } from '../models/outage';
import { MISSED_OFFER_RESULTS, type CurrentCallView, type LastCallView, type MissedCallView, type MissedOfferResult, type ScreenPop, type WorkOrderSummary } from '../contracts';

const lua = (name: string) => readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');

type PopRedis = RedisClient & {
  consolePopSet(popKey: string, goneOffer: string, goneCall: string, callId: string, attempt: string, json: string, ttl: string, callerNumber: string): Promise<number>;
  consolePopShow(
    popKey: string,
    goneOffer: string,
    goneCall: string,
    contextKey: string,
    channel: string,
    callId: string,
    attempt: string,
    bareJson: string,
    ttl: string,
    callerNumber: string,
    emptyFields: string,
    eventJson: string,
  ): Promise<[string, number] | null>;
  consolePopClear(
    popKey: string,
    goneOffer: string,
    missedKey: string,
    callId: string,
    attempt: string,
    ttl: string,
    missed: string,
    result: string,
    ringMs: string,
    at: string,
    missedTtl: string,
  ): Promise<number>;
  consolePopOrders(key: string, callId: string, field: string, read: string, json: string): Promise<number>;
  consoleCallAnswered(callKey: string, goneCall: string, callId: string, json: string, ttl: string): Promise<number>;
  consoleCallEnded(popKey: string, callKey: string, lastKey: string, goneCall: string, callId: string, lastJson: string, goneTtl: string, lastTtl: string): Promise<string>;
};

const POP_TTL_MS = 4 * 3600_000;
const TOMBSTONE_TTL_MS = 6 * 3600_000;
const LAST_TTL_MS = 24 * 3600_000;

/**
 * Each agent's current pop, current call and last call, in Redis so any CTI process can replay
 * them to a console that (re)connects to it. Every process applies every domain event; the Lua
 * scripts make that idempotent and order-proof (a late `ringing` cannot resurrect an ended offer).
 */
export class PopStore {
  private readonly r: PopRedis;
  /** `{prefix}`: the ACD's hash tag, so these keys share its Redis Cluster slot. */
  constructor(
    redis: RedisClient,
    private readonly p: string,
  ) {
    if (!('consolePopSet' in redis)) {
      redis.defineCommand('consolePopSet', { numberOfKeys: 3, lua: lua('pop-set') });
      redis.defineCommand('consolePopShow', { numberOfKeys: 5, lua: lua('pop-show') });
      redis.defineCommand('consolePopClear', { numberOfKeys: 3, lua: lua('pop-clear') });
      redis.defineCommand('consolePopOrders', { numberOfKeys: 1, lua: lua('pop-orders') });
      redis.defineCommand('consoleCallAnswered', { numberOfKeys: 2, lua: lua('call-answered') });
      redis.defineCommand('consoleCallEnded', { numberOfKeys: 4, lua: lua('call-ended') });
    }
    this.r = redis as PopRedis;
  }

  private popKey = (wn: string) => `${this.p}:console:pop:${wn}`;
  private callKey = (wn: string) => `${this.p}:console:call:${wn}`;
  private lastKey = (wn: string) => `${this.p}:console:last:${wn}`;
  private missedKey = (wn: string) => `${this.p}:console:missed:${wn}`;
  private goneOffer = (callId: string, attempt: number) => `${this.p}:console:gone:${callId}:${attempt}`;
  private goneCall = (callId: string) => `${this.p}:console:gone:${callId}`;

  /**
   * The pop at ringing, in one script: the ringing event's own fields joined with the call's
   * prepared context (`contextKey`, see PopContext). Null when the offer already ended; `full` is
   * false when there was no context to join (the pop then carries no customer data yet).
   */
  showPop(agent: string, bare: BarePop, contextKey: string): Promise<{ pop: ScreenPop; full: boolean } | null> {
    // Nothing is published: any key of the slot stands in for the channel.
    return this.show(agent, bare, contextKey, this.popKey(agent), '');
  }

  /**
   * showPop, and in the same script the ringing event published on `channel` with the pop joined
   * in (`pop`, null when the offer already ended; `popFull`): what the call's owner does as it
   * tells of the ring, so each process only emits the pop to its consoles.
   */
  showAndTell(agent: string, bare: BarePop, contextKey: string, channel: string, event: DomainEvent & { type: 'call.ringing' }): Promise<{ pop: ScreenPop; full: boolean } | null> {
    return this.show(agent, bare, contextKey, channel, JSON.stringify(event));
  }

  private async show(agent: string, bare: BarePop, contextKey: string, channel: string, eventJson: string): Promise<{ pop: ScreenPop; full: boolean } | null> {
    const res = await this.r.consolePopShow(
      this.popKey(agent),
      this.goneOffer(bare.callId, bare.attempt),
      this.goneCall(bare.callId),
      contextKey,
      channel,
      bare.callId,
      String(bare.attempt),
      JSON.stringify(bare),
      String(POP_TTL_MS),
      bare.callerNumber,
      EMPTY_CONTENT_FIELDS,
      eventJson,
    );
    return res ? { pop: JSON.parse(res[0]) as ScreenPop, full: Number(res[1]) === 1 } : null;
  }

  /**
   * The tombstone of an offer (with `attempt`) or of a whole call, alone: what the owner of a
   * call sets as it tells of the end, so a ringing it publishes later (showAndTell) finds it.
   * Every process still runs the end's full script when the event reaches it.
   */
  async markGone(callId: string, attempt?: number): Promise<void> {
    await this.r.set(attempt === undefined ? this.goneCall(callId) : this.goneOffer(callId, attempt), '1', 'PX', TOMBSTONE_TTL_MS);
  }

  /** False when the offer already ended: the pop must not be shown. */
  async setPop(agent: string, pop: ScreenPop): Promise<boolean> {
    const ok = await this.r.consolePopSet(
      this.popKey(agent),
      this.goneOffer(pop.callId, pop.attempt),
      this.goneCall(pop.callId),
      pop.callId,
      String(pop.attempt),
      JSON.stringify(pop),
      String(POP_TTL_MS),
      pop.callerNumber,
    );
    return ok === 1;
  }

  /**
   * The offer ended; when the agent's phone failed it (`isMissed`), it becomes the agent's latest
   * miss, returned so the console can say so at once.
   */
  async clearPop(agent: string, end: { callId: string; attempt: number; result: string; ringMs: number; at: number }): Promise<MissedCallView | null> {
    const missed = isMissed(end.result);
    await this.r.consolePopClear(
      this.popKey(agent),
      this.goneOffer(end.callId, end.attempt),
      this.missedKey(agent),
      end.callId,
      String(end.attempt),
      String(TOMBSTONE_TTL_MS),
      missed ? '1' : '0',
      end.result,
      String(Math.max(0, Math.round(end.ringMs))),
      String(end.at),
      String(LAST_TTL_MS),
    );
    if (!missed) return null;
    const m = await this.missed(agent);
    return m && m.callId === end.callId && m.attempt === end.attempt ? m : null;
  }

  async missed(agent: string): Promise<MissedCallView | null> {
    const h = await this.r.hgetall(this.missedKey(agent));
    if (!h.callId || !isMissed(h.result ?? '')) return null;
    return {
      callId: h.callId,
      attempt: Number(h.attempt),
      callerNumber: h.callerNumber ?? '',
      result: h.result as MissedOfferResult,
      ringMs: Number(h.ringMs ?? 0),
      at: Number(h.at ?? 0),
    };
  }

  /**
   * Puts freshly read open orders into the stored pop of `callId`, live or kept with the last call,
   * so a refresh shows them too. Returns whether any stored pop was that call's.
   */
  async setOpenOrders(agent: string, callId: string, orders: WorkOrderSummary[]): Promise<boolean> {
    let any = false;
    for (const [key, field] of [
      [this.popKey(agent), 'json'],
      [this.lastKey(agent), 'pop'],
    ] as const) {
      const read = await this.r.hget(key, field);
      if (!read) continue;
      const pop = JSON.parse(read) as ScreenPop;
      if (pop.callId !== callId) continue;
      if ((await this.r.consolePopOrders(key, callId, field, read, JSON.stringify({ ...pop, openWorkOrders: orders }))) === 1) any = true;
    }
    return any;
  }

  async answered(agent: string, call: CurrentCallView): Promise<boolean> {
    return (await this.r.consoleCallAnswered(this.callKey(agent), this.goneCall(call.callId), call.callId, JSON.stringify(call), String(POP_TTL_MS))) === 1;
  }

  /** Ends the call for its agent (if any); returns the agent's last-call view including the pop. */
  async ended(callId: string, agent: string | undefined, last: Omit<LastCallView, 'pop'>): Promise<LastCallView | null> {
    const a = agent ?? '-';
    const popJson = await this.r.consoleCallEnded(
      this.popKey(a),
      this.callKey(a),
      this.lastKey(a),
      this.goneCall(callId),
      callId,
      agent ? JSON.stringify(last) : '',
      String(TOMBSTONE_TTL_MS),
      String(LAST_TTL_MS),
    );
    return agent ? { ...last, pop: popJson ? (JSON.parse(popJson) as ScreenPop) : null } : null;
  }

  /**
   * A transfer moved the call away from this agent (they handed it on, or a consult of them ended):
   * their pop and current call of it are dropped, and with `last` it becomes their last call. No
   * tombstone for the call itself: it goes on with someone else.
   */
  async handedOff(callId: string, agent: string, last: Omit<LastCallView, 'pop'> | null): Promise<LastCallView | null> {
    const popJson = await this.r.consoleCallEnded(
      this.popKey(agent),
      this.callKey(agent),
      this.lastKey(agent),
      `${this.goneCall(callId)}:off:${agent}`,
      callId,
      last ? JSON.stringify(last) : '',
      String(TOMBSTONE_TTL_MS),
      String(LAST_TTL_MS),
    );
    return last ? { ...last, pop: popJson ? (JSON.parse(popJson) as ScreenPop) : null } : null;
  }

  async pop(agent: string): Promise<ScreenPop | null> {
    const json = await this.r.hget(this.popKey(agent), 'json');
    return json ? (JSON.parse(json) as ScreenPop) : null;
  }

  async call(agent: string): Promise<CurrentCallView | null> {
    const json = await this.r.hget(this.callKey(agent), 'json');
    return json ? (JSON.parse(json) as CurrentCallView) : null;
  }

  async last(agent: string): Promise<LastCallView | null> {
    const h = await this.r.hgetall(this.lastKey(agent));
    if (!h.json) return null;
    return { ...(JSON.parse(h.json) as Omit<LastCallView, 'pop'>), pop: h.pop ? (JSON.parse(h.pop) as ScreenPop) : null };
  }
}

/** The agent's own phone did not take the call (see MISSED_OFFER_RESULTS). */
export function isMissed(result: string): result is MissedOfferResult {
  return (MISSED_OFFER_RESULTS as readonly string[]).includes(result);
}

type RingingEvent = Extract<DomainEvent, { type: 'call.ringing' }>;

/** A pop without its content fields (PopContent): the part the ringing event itself gives. */
export type BarePop = Omit<ScreenPop, 'customer' | 'recentCalls' | 'openWorkOrders' | 'outages'>;

/** Builds the screen-pop from MongoDB: who is calling, what happened before, what is going on in their area. */
export class PopBuilder {
  constructor(
    /** Read by the console's 我的工单 too (agent-console/my-orders.ts): one set of models per console. */
    readonly models: Models,
    private readonly ringLimitMs: number,
  ) {}

  /** What the ringing event alone says: who is calling, in which language, since when. */
  ringing(e: RingingEvent): BarePop {
    return {
      callId: e.callId,
      attempt: e.attempt,
      callerNumber: e.callerNumber,
      language: e.language,
      queuedAt: e.queuedAt,
      ringingAt: e.ringingAt,
      ringLimitMs: this.ringLimitMs,
      ...(e.consult ? { consult: e.consult } : {}),
      ...(e.queueCallback ? { queueCallback: e.queueCallback } : {}),
    };
  }

  /** The pop without anything from the database. */
  bare(e: RingingEvent): ScreenPop {
    return { ...this.ringing(e), customer: null, recentCalls: [], openWorkOrders: [], outages: [] };
  }

  /**
   * Open work orders of the caller's number or customer account, and those filed on the call
   * itself (the agent may have typed another contact number), newest first.
   */
  async openOrders(of: { callerNumber: string; customerAccount: string | undefined; callId?: string }): Promise<WorkOrderSummary[]> {
    const owners: Array<Record<string, string>> = [];
    if (of.callerNumber) owners.push({ contactPhone: of.callerNumber });
    if (of.customerAccount) owners.push({ customerAccount: of.customerAccount });
    if (of.callId) owners.push({ callId: of.callId });
    if (!owners.length) return [];
    // One equality query per owner, merged here: FerretDB hands no `$or` to PostgreSQL (70 ms on
    // 300 orders against 3 ms for the plain ones); on MongoDB each is one index lookup.
    const found = await Promise.all(
      owners.map((owner) =>
        this.models.WorkOrder.find({ ...owner, status: { $nin: ['resolved', 'archived'] } })
          .sort({ createdAt: -1 })
          .limit(10)
          .select('number category department status emergency createdAt address description')
          .lean(),
      ),
    );
    const byNumber = new Map(found.flat().map((o) => [o.number, o]));
    const orders = [...byNumber.values()]
      .sort((a, b) => ((b as { createdAt?: Date }).createdAt?.getTime() ?? 0) - ((a as { createdAt?: Date }).createdAt?.getTime() ?? 0))
      .slice(0, 10);
    return orders.map((o) => ({
      number: o.number,
      category: o.category as WorkOrderCategory,
      department: o.department as DepartmentCode,
      status: o.status as WorkOrderStatus,
      emergency: !!o.emergency,
      createdAt: ((o as { createdAt?: Date }).createdAt ?? new Date(0)).getTime(),
      address: o.address,
      description: o.description,
    }));
  }

  /** The customer on file for this account or, without one, for this phone number. */
  async customer(of: { callerNumber: string; customerAccount?: string | undefined }): Promise<ScreenPop['customer']> {
    const { Customer } = this.models;
    const c = of.customerAccount
      ? await Customer.findOne({ accountNumber: of.customerAccount }).lean()
      : of.callerNumber
        ? await customerByPhone(Customer, of.callerNumber)
        : null;
    return c
      ? { accountNumber: c.accountNumber, name: c.name, address: c.address, areaCode: c.areaCode, bigUser: !!c.bigUser, phones: [...(c.phones ?? [])] }
      : null;
  }

  /** The number's latest calls, newest first, without `exceptCallId` (the call being popped). */
  async recentCalls(callerNumber: string, limit: number, exceptCallId?: string): Promise<ScreenPop['recentCalls']> {
    if (!callerNumber) return [];
    const calls = await this.models.Call.find({ callerNumber, test: { $ne: true }, ...(exceptCallId ? { callId: { $ne: exceptCallId } } : {}) })
      .sort({ arrivedAt: -1 })
      .limit(limit)
      .select('callId arrivedAt state outcome agentWorkNumber language recordingName')
      .lean();
    return calls.map((c) => ({
      callId: c.callId,
      arrivedAt: c.arrivedAt.getTime(),
      state: c.state as CallState,
      outcome: (c.outcome as CallOutcome | undefined) ?? null,
      agentWorkNumber: c.agentWorkNumber ?? null,
      language: (c.language as Language | undefined) ?? null,
      recordingName: c.recordingName ?? null,
    }));
  }

  /** Outages of an area announced or under way that have not ended by `now`, soonest first. */
  async outages(areaCode: string, now: number): Promise<ScreenPop['outages']> {
    const outages = await this.models.Outage.find({ areaCodes: areaCode, status: { $in: [...OUTAGE_ACTIVE_STATUSES] }, expectedEndAt: { $gt: new Date(now) } })
      .sort({ startsAt: 1 })
      .limit(5)
      .lean();
    return outages.map((o) => ({
      id: String(o._id),
      number: o.number,
      kind: o.kind as 'planned' | 'unplanned',
      source: o.source as 'network' | 'plant',
      status: o.status as 'published' | 'in_progress',
      areaCodes: [...(o.areaCodes ?? [])],
      areaDescription: o.areaDescription,
      startsAt: o.startsAt.getTime(),
      expectedEndAt: o.expectedEndAt.getTime(),
    }));
  }

  /** The whole pop straight from MongoDB: used only when the call's prepared context is missing. */
  async build(e: RingingEvent, now = Date.now()): Promise<ScreenPop> {
    const customer = await this.customer({ callerNumber: e.callerNumber, customerAccount: e.customerAccount });
    const [recentCalls, openWorkOrders, outages] = await Promise.all([
      this.recentCalls(e.callerNumber, 5, e.callId),
      this.openOrders({ callerNumber: e.callerNumber, customerAccount: customer?.accountNumber }),
      customer ? this.outages(customer.areaCode, now) : [],
    ]);
    return { ...this.bare(e), customer, recentCalls, openWorkOrders, outages };
  }
}

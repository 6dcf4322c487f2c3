import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { CommandStartedEvent } from 'mongodb';
import { customers } from '../../scripts/seed-data';
import type { PopContent } from '../../agent-console/pop-context';
import { ConsoleNode } from '../helpers/console-node';

/**
 * The screen-pop's content prepared at arrival (real Redis and FerretDB): cached per number and
 * area so a repeat caller costs no MongoDB read, dropped when an order or outage changes, and
 * given each call of the number that ends, so the next pop is never stale.
 */
describe('screen-pop context: prepared at arrival, cached, invalidated', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  const known = customers()[1]!;
  const phone = known.phones[0]!;
  /** MongoDB reads since `mark()`, by collection. */
  let reads: string[] = [];
  const onCommand = (e: CommandStartedEvent) => {
    if (e.commandName === 'find') reads.push(String((e.command as { find?: unknown }).find));
  };

  before(async () => {
    n = await ConsoleNode.start();
    n.node.mongo.getClient().on('commandStarted', onCommand);
    await n.node.models.Outage.create({
      kind: 'unplanned',
      number: 'TS20261201-01',
      source: 'network',
      department: 'engineering',
      areaCodes: [known.areaCode],
      areaDescription: '爆管抢修',
      startsAt: new Date(Date.now() - 600_000),
      expectedEndAt: new Date(Date.now() + 3600_000),
      peopleAffected: 300,
      status: 'published',
      createdBy: '9001',
    });
  });
  after(async () => {
    n?.node.mongo.getClient().off('commandStarted', onCommand);
    await n?.stop();
  });

  async function prepared(callerNumber: string): Promise<{ callId: string; content: PopContent }> {
    const callId = randomUUID();
    await n.node.popContext.prepare({ callId, callerNumber });
    const fields = await n.node.redis.get(n.node.popContext.contextKey(callId));
    expect(fields, 'context stored').to.be.a('string');
    return { callId, content: JSON.parse(`{${fields}}`) as PopContent };
  }

  it('gathers customer, recent calls, open orders and area outages; a repeat caller is served from the cache', async () => {
    reads = [];
    const first = await prepared(phone);
    expect(first.content.customer?.accountNumber).to.equal(known.accountNumber);
    expect(first.content.outages.map((o) => o.areaDescription)).to.deep.equal(['爆管抢修']);
    expect(reads.length).to.be.at.least(4);

    reads = [];
    const again = await prepared(phone);
    expect(again.content).to.deep.equal(first.content);
    expect(reads).to.deep.equal([]);
  });

  it('an order changing drops every cached number: the next call sees the new order', async () => {
    await prepared(phone);
    await n.node.models.WorkOrder.create({
      number: 'WO20201231-0007',
      category: 'leak',
      department: 'engineering',
      createdBy: '1003',
      contactPhone: phone,
      address: known.address,
      description: '门口漏水',
    });
    await n.publish({ type: 'work-order.changed', number: 'WO20201231-0007', department: 'engineering', at: Date.now() });
    const next = await (async () => {
      for (let i = 0; i < 50; i++) {
        const p = await prepared(phone);
        if (p.content.openWorkOrders.length > 0) return p;
        await new Promise((r) => setImmediate(r));
      }
      throw new Error('the new order never reached a prepared pop');
    })();
    expect(next.content.openWorkOrders.map((o) => o.number)).to.deep.equal(['WO20201231-0007']);
  });

  it('a call of the number ending joins its cached recent calls in place: listed next time with no MongoDB read, latest arrival first, at most five, never the call being popped', async () => {
    await prepared(phone);
    const at = Date.now();
    const view = (callId: string, arrivedAt: number, outcome: 'answered' | 'abandoned-queue') =>
      ({ callId, arrivedAt, state: 'ended', outcome, agentWorkNumber: outcome === 'answered' ? '1001' : null, language: 'yue', recordingName: null }) as const;
    const [newer, older] = [randomUUID(), randomUUID()];
    reads = [];
    await n.node.popContext.callEnded(phone, view(newer, at, 'abandoned-queue'));
    // A call that arrived earlier and ended later (two calls of one number at once) goes after it.
    await n.node.popContext.callEnded(phone, view(older, at - 60_000, 'answered'));
    const next = await prepared(phone);
    expect(next.content.recentCalls.slice(0, 2)).to.deep.equal([view(newer, at, 'abandoned-queue'), view(older, at - 60_000, 'answered')]);
    expect(reads, 'no MongoDB read').to.deep.equal([]);

    // The same call told again replaces its view; six more push the oldest out.
    await n.node.popContext.callEnded(phone, view(newer, at, 'answered'));
    expect((await prepared(phone)).content.recentCalls.filter((c) => c.callId === newer)).to.deep.equal([view(newer, at, 'answered')]);
    const six = Array.from({ length: 6 }, (_, i) => ({ callId: randomUUID(), arrivedAt: at + 1_000 * (i + 1) }));
    for (const c of six) await n.node.popContext.callEnded(phone, view(c.callId, c.arrivedAt, 'answered'));
    const listed = (await prepared(phone)).content.recentCalls.map((c) => c.callId);
    expect(listed).to.deep.equal(six.map((c) => c.callId).reverse().slice(0, 5));

    // The call being popped is never among its own recent calls.
    const own = six[5]!.callId;
    await n.node.popContext.prepare({ callId: own, callerNumber: phone });
    const mine = JSON.parse(`{${await n.node.redis.get(n.node.popContext.contextKey(own))}}`) as PopContent;
    expect(mine.recentCalls.map((c) => c.callId)).to.deep.equal(six.map((c) => c.callId).reverse().slice(1, 6));
    expect(reads, 'still no MongoDB read').to.deep.equal([]);
  });

  it('a call ending with no cached entry for its number stores nothing: the next call reads MongoDB, where its record already is', async () => {
    const other = customers()[2]!.phones[0]!;
    const callId = randomUUID();
    await n.node.models.Call.create({
      callId,
      node: 'a',
      callerChannelId: `ch-${callId}`,
      callerNumber: other,
      dialledNumber: '952525',
      state: 'ended',
      outcome: 'abandoned-queue',
      arrivedAt: new Date(),
    });
    await n.node.popContext.callEnded(other, { callId, arrivedAt: Date.now(), state: 'ended', outcome: 'abandoned-queue', agentWorkNumber: null, language: null, recordingName: null });
    reads = [];
    const fresh = await prepared(other);
    expect(reads, 'read, not found cached').to.include('calls');
    expect(fresh.content.recentCalls.map((c) => c.callId)).to.deep.equal([callId]);
  });

  it('a withheld number gets an empty context, stored all the same (the ringing pop finds it)', async () => {
    const anon = await prepared('');
    expect(anon.content).to.deep.equal({ customer: null, recentCalls: [], openWorkOrders: [], outages: [] });
  });
});

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { CommandStartedEvent } from 'mongodb';
import { customers } from '../../scripts/seed-data';
import type { PopContent } from '../../agent-console/pop-context';
import { ConsoleNode } from '../helpers/console-node';

/**
 * The screen-pop's content prepared at arrival (real Redis and FerretDB): cached per number and
 * area so a repeat caller costs no MongoDB read, and dropped when an order or outage changes or a
 * call of the number ends, so the next pop is never stale.
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

  it('a call of the number ending drops its entry: the next pop lists that call, never the call being popped', async () => {
    const { callId } = await prepared(phone);
    await n.node.models.Call.create({
      callId,
      node: 'a',
      callerChannelId: `ch-${callId}`,
      callerNumber: phone,
      dialledNumber: '952525',
      state: 'ended',
      outcome: 'abandoned-queue',
      arrivedAt: new Date(),
    });
    const stale = await prepared(phone);
    expect(stale.content.recentCalls.map((c) => c.callId)).to.not.include(callId);
    await n.node.popContext.callEnded(phone);
    const fresh = await prepared(phone);
    expect(fresh.content.recentCalls.map((c) => c.callId)).to.include(callId);

    // The call itself, prepared after its own record exists, does not list itself.
    await n.node.popContext.callEnded(phone);
    await n.node.popContext.prepare({ callId, callerNumber: phone });
    const own = JSON.parse(`{${await n.node.redis.get(n.node.popContext.contextKey(callId))}}`) as PopContent;
    expect(own.recentCalls.map((c) => c.callId)).to.not.include(callId);
  });

  it('a withheld number gets an empty context, stored all the same (the ringing pop finds it)', async () => {
    const anon = await prepared('');
    expect(anon.content).to.deep.equal({ customer: null, recentCalls: [], openWorkOrders: [], outages: [] });
  });
});

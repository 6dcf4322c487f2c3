/**
 * The database work of one hotline call, as the CTI does it, on the project's own models (so the
 * indexes are the real ones): the Call document's outbox writes (models/apply-write.ts: one upsert
 * at arrival, then one `$set` upsert per step), the Recording upsert, and the screen-pop's four reads
 * (the queries of agent-console/pops.ts `PopBuilder.build`).
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../core/logger';
import { DEPARTMENTS, WORK_ORDER_CATEGORIES, WORK_ORDER_STATUSES } from '../../models/enums';
import { applyWrite } from '../../models/apply-write';
import type { Models } from '../../models';
import { areas, customers, type SeedCustomer } from '../seed-data';

export const OP_KINDS = ['call.create', 'call.set', 'recording.upsert', 'pop.customer', 'pop.calls', 'pop.orders', 'pop.outages', 'pop.total'] as const;
export type OpKind = (typeof OP_KINDS)[number];
export type Timings = Record<OpKind, number[]>;

export const emptyTimings = (): Timings => Object.fromEntries(OP_KINDS.map((k) => [k, []])) as unknown as Timings;

async function timed<T>(timings: Timings, kind: OpKind, op: () => PromiseLike<T>): Promise<T> {
  const t0 = performance.now();
  const out = await op();
  timings[kind].push(performance.now() - t0);
  return out;
}

const DAY = 86_400_000;

/** The demo's 200 customers, a history of calls, open and closed work orders, a few outages. */
export async function seedBenchData(models: Models, opts: { historyCalls: number; workOrders: number }): Promise<SeedCustomer[]> {
  const people = customers(200);
  await models.Customer.insertMany(people);
  const now = Date.now();
  const phoneOf = (i: number) => people[i % people.length]!.phones[0]!;
  await models.Call.insertMany(
    Array.from({ length: opts.historyCalls }, (_, i) => ({
      callId: `hist-${i}`,
      node: 'seed',
      callerChannelId: `hist-ch-${i}`,
      callerNumber: i % 5 === 4 ? `1380000${String(i).padStart(4, '0')}` : phoneOf(i),
      dialledNumber: '952525',
      state: 'ended',
      arrivedAt: new Date(now - (i % 90) * DAY - i * 1000),
      endedAt: new Date(now - (i % 90) * DAY - i * 1000 + 120_000),
      outcome: 'answered',
      language: i % 2 ? 'yue' : 'cmn',
      agentWorkNumber: String(1001 + (i % 10)),
    })),
  );
  await models.WorkOrder.insertMany(
    Array.from({ length: opts.workOrders }, (_, i) => {
      const c = people[(i * 7) % people.length]!;
      return {
        number: `WO20261101-${String(i + 1).padStart(4, '0')}`,
        category: WORK_ORDER_CATEGORIES[i % WORK_ORDER_CATEGORIES.length],
        department: DEPARTMENTS[i % DEPARTMENTS.length],
        status: WORK_ORDER_STATUSES[i % WORK_ORDER_STATUSES.length],
        createdBy: '1001',
        customerAccount: c.accountNumber,
        contactPhone: c.phones[0],
        address: c.address,
        description: '用户反映水压偏低，请派员检查。',
      };
    }),
  );
  await models.Outage.insertMany(
    areas.flatMap((a, i) => [
      { kind: 'planned', number: `TS-BENCH-${i}-1`, source: 'network', department: 'engineering', areaCodes: [a.code], areaDescription: `${a.name}管网维修`, startsAt: new Date(now - DAY), expectedEndAt: new Date(now + DAY), peopleAffected: 1000 + i, status: 'published', createdBy: '2001' },
      { kind: 'unplanned', number: `TS-BENCH-${i}-2`, source: 'plant', department: 'production', areaCodes: [a.code], areaDescription: `${a.name}水厂检修`, startsAt: new Date(now - 10 * DAY), expectedEndAt: new Date(now - 9 * DAY), peopleAffected: 500, status: 'restored', createdBy: '2001' },
    ]),
  );
  return people;
}

/** Counts what applyWrite refused (it logs and drops a permanent failure rather than throwing). */
export interface DropCounter {
  dropped: number;
}

export function callWorkload(models: Models, people: SeedCustomer[], drops: DropCounter) {
  // applyWrite logs (at error) and drops a write the database refused: each such line is counted.
  const logger = createLogger({ LOG_LEVEL: 'error', NODE_ID: 'bench-db' }, { write: () => void drops.dropped++ });
  const write = applyWrite(models, logger);
  const { Customer, Call, WorkOrder, Outage } = models;

  /** The screen-pop at ringing: customer by number, then recent calls, open orders, outages at once. */
  async function pop(t: Timings, callId: string, number: string): Promise<void> {
    const customer = await timed(t, 'pop.customer', () => Customer.findOne({ phones: number }).lean());
    const owners: Array<Record<string, string>> = [{ contactPhone: number }];
    if (customer) owners.push({ customerAccount: customer.accountNumber });
    await Promise.all([
      timed(t, 'pop.calls', () =>
        Call.find({ callerNumber: number, callId: { $ne: callId }, test: { $ne: true } })
          .sort({ arrivedAt: -1 })
          .limit(5)
          .select('callId arrivedAt state outcome agentWorkNumber language recordingName')
          .lean(),
      ),
      timed(t, 'pop.orders', () =>
        WorkOrder.find({ $or: owners, status: { $nin: ['resolved', 'archived'] } })
          .sort({ createdAt: -1 })
          .limit(10)
          .select('number category department status emergency createdAt address description')
          .lean(),
      ),
      customer
        ? timed(t, 'pop.outages', () =>
            Outage.find({ areaCodes: customer.areaCode, status: 'published', expectedEndAt: { $gt: new Date() } })
              .sort({ startsAt: 1 })
              .limit(5)
              .lean(),
          )
        : Promise.resolve([]),
    ]);
  }

  /** One call, its writes in order (the outbox keeps a record's writes sequential). Call `i` picks the caller. */
  return async function oneCall(t: Timings, i: number): Promise<void> {
    const callId = randomUUID();
    // Four in five callers are customers on file; the rest are unknown numbers.
    const number = i % 5 === 4 ? `1370000${String(i % 10_000).padStart(4, '0')}` : people[(i * 13) % people.length]!.phones[0]!;
    const at = (ms: number) => new Date(Date.now() + ms);
    const set = (patch: Record<string, unknown>) => timed(t, 'call.set', () => write({ collection: 'calls', filter: { callId }, set: patch }));
    const offer = { attempt: 1, agentWorkNumber: '1001', extension: '1001', channelId: `${callId}-1`, offeredAt: at(0), ringingAt: at(0) };
    const recordingName = `rec-${callId}`;

    await timed(t, 'call.create', () =>
      write({
        collection: 'calls',
        filter: { callId },
        set: {},
        setOnInsert: { callId, node: 'bench', callerChannelId: `ch-${callId}`, callerNumber: number, dialledNumber: '952525', state: 'arrived', arrivedAt: at(0), test: false },
      }),
    );
    await set({ state: 'greeting', greetingAt: at(0), language: 'yue', languageSource: 'dtmf' });
    await set({ state: 'queued', queuedAt: at(0) });
    await set({ state: 'ringing', ringingAt: at(0), offers: [{ ...offer, result: 'ringing' }] });
    const p0 = performance.now();
    await pop(t, callId, number);
    t['pop.total'].push(performance.now() - p0);
    await set({
      state: 'talking',
      answeredAt: at(0),
      talkingAt: at(0),
      agentWorkNumber: '1001',
      agentChannelId: `${callId}-1`,
      answerDelayMs: 1200,
      answerRingMs: 1000,
      offers: [{ ...offer, endedAt: at(0), ringMs: 1000, result: 'answered' }],
    });
    await set({ state: 'ended', endedAt: at(0), hangupBy: 'caller', outcome: 'answered', recordingName });
    await timed(t, 'recording.upsert', () =>
      write({
        collection: 'recordings',
        filter: { name: recordingName },
        set: { state: 'done', endedAt: at(0), durationSec: 60 },
        setOnInsert: { name: recordingName, callId, format: 'wav', file: `/var/spool/asterisk/recording/${recordingName}.wav`, startedAt: at(-60_000) },
      }),
    );
  };
}

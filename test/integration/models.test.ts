import { expect } from 'chai';
import mongoose, { type Connection, type Model } from 'mongoose';
import { openMongo } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { createModels, syncIndexes, type Models } from '../../models';
import { testConfig } from '../helpers/env';

/** Each model: a valid document, one bad field that must be named in the error, and a unique key if any. */
interface Case {
  model: keyof Models;
  valid: () => Record<string, unknown>;
  invalid: Array<{ field: string; patch: Record<string, unknown> }>;
  uniqueBy?: string;
}

const now = new Date('2026-11-29T08:00:00Z');
const cases: Case[] = [
  {
    model: 'Agent',
    valid: () => ({ workNumber: '1001', name: '陈小明', passwordHash: 'x'.repeat(60), role: 'agent', languages: ['yue', 'cmn'], extension: '1001' }),
    invalid: [
      { field: 'workNumber', patch: { workNumber: 'A1' } },
      { field: 'languages', patch: { languages: [] } },
      { field: 'languages.0', patch: { languages: ['fr'] } },
      { field: 'role', patch: { role: 'boss' } },
      { field: 'department', patch: { role: 'department', department: undefined } },
    ],
    uniqueBy: 'workNumber',
  },
  {
    model: 'Department',
    valid: () => ({ code: 'engineering', name: '工程公司', leaderContacts: [{ name: '李经理', phone: '13800000001' }] }),
    invalid: [
      { field: 'code', patch: { code: 'marketing' } },
      { field: 'leaderContacts.0.phone', patch: { leaderContacts: [{ name: 'x', phone: 'call me' }] } },
    ],
    uniqueBy: 'code',
  },
  {
    model: 'Customer',
    valid: () => ({ accountNumber: '10000001', name: '黄先生', phones: ['13912345678'], address: '东城区一路1号', areaCode: 'DC-01', bigUser: true }),
    invalid: [
      { field: 'accountNumber', patch: { accountNumber: '12' } },
      { field: 'areaCode', patch: { areaCode: 'east side' } },
      { field: 'phones.0', patch: { phones: ['abc'] } },
      { field: 'address', patch: { address: undefined } },
    ],
    uniqueBy: 'accountNumber',
  },
  {
    model: 'Call',
    valid: () => ({
      callId: 'c-1', node: 'a', callerChannelId: '1795926045.211', callerNumber: '13912345678', dialledNumber: '952525',
      language: 'cmn', arrivedAt: now, state: 'ended', outcome: 'answered',
      offers: [{ attempt: 1, agentWorkNumber: '1004', extension: '1004', offeredAt: now, ringMs: 3000, result: 'answered', alarmed: false }],
    }),
    invalid: [
      { field: 'outcome', patch: { outcome: 'lost' } },
      { field: 'language', patch: { language: 'en' } },
      { field: 'offers.0.result', patch: { offers: [{ attempt: 1, agentWorkNumber: '1', extension: '1', offeredAt: now, result: 'maybe' }] } },
      { field: 'arrivedAt', patch: { arrivedAt: undefined } },
    ],
    uniqueBy: 'callId',
  },
  {
    model: 'Recording',
    valid: () => ({ name: 'call-c-1', callId: 'c-1', file: 'var/recordings/call-c-1.wav', startedAt: now, durationSec: 12, state: 'done' }),
    invalid: [
      { field: 'name', patch: { name: '../etc/passwd' } },
      { field: 'format', patch: { format: 'mp3' } },
    ],
    uniqueBy: 'name',
  },
  {
    model: 'WorkOrder',
    valid: () => ({
      number: 'WO20261129-0001', category: 'leak', department: 'engineering', createdBy: '1001', contactPhone: '13912345678',
      address: '东城区一路1号', description: '路面冒水', leak: { location: '一路与二路交界', pipeDiameterMm: 100, meterSide: 'before', landmarks: '加油站旁' },
    }),
    invalid: [
      { field: 'category', patch: { category: 'gossip' } },
      { field: 'contactPhone', patch: { contactPhone: 'none' } },
      { field: 'leak.meterSide', patch: { leak: { meterSide: 'inside' } } },
      { field: 'number', patch: { number: '1' } },
    ],
    uniqueBy: 'number',
  },
  {
    model: 'Callback',
    valid: () => ({
      id: 'WO20261129-0001.complaint', workOrderNumber: 'WO20261129-0001', category: 'complaint', department: 'business', method: 'phone', reason: 'complaint',
      phone: '13800000000', address: '东城路 1 号', status: 'done', completedAt: now, dueBy: now, verdict: 'satisfied', attitude: 'fair',
    }),
    invalid: [
      { field: 'method', patch: { method: 'fax' } },
      { field: 'attitude', patch: { attitude: 'great' } },
      { field: 'verdict', patch: { verdict: 'meh' } },
      { field: 'status', patch: { status: 'sent' } },
      { field: 'phone', patch: { phone: 'none' } },
    ],
    uniqueBy: 'id',
  },
  {
    model: 'Outage',
    valid: () => ({
      number: 'TS20261203-01', kind: 'planned', source: 'network', department: 'engineering', areaCodes: ['DC-01'], areaDescription: '东城区一路至三路', startsAt: now,
      expectedEndAt: new Date(now.getTime() + 6 * 3600_000), peopleAffected: 6000, createdBy: '1001',
      valves: [{ count: 2, diameterMm: 300, number: 'V-17', location: '一路口' }],
    }),
    invalid: [
      { field: 'expectedEndAt', patch: { expectedEndAt: new Date(now.getTime() - 1000) } },
      { field: 'areaCodes', patch: { areaCodes: [] } },
      { field: 'valves.0.diameterMm', patch: { valves: [{ count: 1, diameterMm: 0, location: 'x' }] } },
      { field: 'peopleAffected', patch: { peopleAffected: -1 } },
      { field: 'status', patch: { status: 'ended' } },
    ],
    uniqueBy: 'number',
  },
  {
    model: 'DispatchEntry',
    valid: () => ({ kind: 'valve', location: 'F-12 阀门井', valveStatus: 'closed', areaCodes: ['DC-01'], createdBy: '1001', side: 'call-centre' }),
    invalid: [
      { field: 'kind', patch: { kind: 'fire' } },
      { field: 'valveStatus', patch: { valveStatus: 'half' } },
      { field: 'diameterMm', patch: { diameterMm: 5 } },
    ],
  },
  {
    model: 'AreaContact',
    valid: () => ({ areaCode: 'DC-01', kind: 'estate', name: '东城花园', phone: '13500000001' }),
    invalid: [
      { field: 'kind', patch: { kind: 'school' } },
      { field: 'phone', patch: { phone: 'abc' } },
    ],
  },
  {
    model: 'Alarm',
    valid: () => ({ key: 'answer-alarm:c-1:1', kind: 'answer-timeout', message: '坐席1004振铃20秒未接', callId: 'c-1', agentWorkNumber: '1004', ringMs: 20000, raisedAt: now }),
    invalid: [
      { field: 'kind', patch: { kind: 'fire' } },
      { field: 'key', patch: { key: undefined } },
    ],
    uniqueBy: 'key',
  },
  {
    model: 'Shift',
    valid: () => ({ name: '早班', startsAt: now, endsAt: new Date(now.getTime() + 8 * 3600_000), leader: '2001', agents: ['1001', '1002'] }),
    invalid: [
      { field: 'endsAt', patch: { endsAt: now } },
      { field: 'leader', patch: { leader: 'boss' } },
    ],
  },
];

describe('models on the real database (FerretDB or MongoDB)', function () {
  let conn: Connection;
  let models: Models;

  before(async () => {
    const config = testConfig();
    conn = await openMongo(config.MONGO_URL, createLogger({ LOG_LEVEL: 'silent', NODE_ID: 'test' }));
    models = createModels(conn);
    await syncIndexes(models);
  });
  after(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  for (const c of cases) {
    describe(c.model, () => {
      const model = () => models[c.model] as unknown as Model<Record<string, unknown>>;

      it('stores a valid document and reads it back', async () => {
        const doc = c.valid();
        const saved = await model().create(doc);
        const read = await model().findById(saved._id).lean();
        expect(read).to.not.equal(null);
        for (const [k, v] of Object.entries(doc)) {
          if (k === 'passwordHash') continue; // select: false by design
          expect(JSON.parse(JSON.stringify(read![k])), k).to.deep.equal(JSON.parse(JSON.stringify(v)));
        }
        await model().deleteMany({});
      });

      for (const bad of c.invalid) {
        it(`rejects a bad ${bad.field} naming the field`, async () => {
          const doc = { ...c.valid(), ...bad.patch };
          let err: unknown;
          try {
            await model().create(doc);
          } catch (e) {
            err = e;
          }
          expect(err, 'validation error').to.be.instanceOf(mongoose.Error.ValidationError);
          expect(Object.keys((err as mongoose.Error.ValidationError).errors)).to.include(bad.field);
          expect(await model().countDocuments({})).to.equal(0);
        });
      }

      if (c.uniqueBy) {
        it(`refuses a second document with the same ${c.uniqueBy}`, async () => {
          await model().create(c.valid());
          let err: unknown;
          try {
            await model().create(c.valid());
          } catch (e) {
            err = e;
          }
          expect((err as { code?: number })?.code, 'duplicate key error').to.equal(11000);
          expect(await model().countDocuments({})).to.equal(1);
          await model().deleteMany({});
        });
      }
    });
  }
});

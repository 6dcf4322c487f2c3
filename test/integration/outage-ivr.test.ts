import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { HeardEntry } from '../../sim/ari/types';
import type { CallerHandle } from '../../sim/ari/script';
import { callClosed } from '../helpers/calls';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const HOUR = 3600_000;
const played = (heard: HeardEntry[]) => heard.flatMap((e) => (e.kind === 'playback' ? [e.media] : []));

/**
 * The outage-aware greeting through the real ari-client against the ARI simulator: a known
 * customer from an area with a published outage hears it right after the greeting (its words
 * spoken by the TTS in their language), presses 1 and leaves informed — never queued, never
 * abandoned; one who stays is queued as usual with the call tagged; one from elsewhere hears nothing of it.
 */
describe('outage-aware calls: a caller from an affected area is told before queueing and may leave with 1', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  const soundsDir = mkdtempSync(join(tmpdir(), 'hotline-outage-speech-'));
  let affected: { phone: string; area: string };
  let elsewhere: { phone: string };
  let outageNumber: string;

  before(async () => {
    h = await PbxHarness.start({ ready: ['1001', '1004'], soundMs: 60, trunkEndpoint: 'carrier', env: { OUTAGE_LEADER_CONTACTS: 'deputy_manager=13800000202', AFTER_CALL_WORK_MS: '100', OUTAGE_IVR_KEY_WAIT_MS: '400', NOTICE_SOUNDS_DIR: soundsDir, NOTICE_SOUNDS_MEDIA: 'hotline-notices' } });
    const { Customer, Outage } = h.node.models;
    const a = (await Customer.findOne({ areaCode: 'DC-01' }).lean())!;
    const b = (await Customer.findOne({ areaCode: 'XC-02' }).lean())!;
    affected = { phone: a.phones[0]!, area: a.areaCode };
    elsewhere = { phone: b.phones[0]! };
    const o = await Outage.create({
      number: 'TS20261203-91',
      kind: 'unplanned',
      source: 'network',
      department: 'engineering',
      areaCodes: ['DC-01'],
      areaDescription: '东风路一带',
      startsAt: new Date(Date.now() - HOUR),
      expectedEndAt: new Date(Date.now() + 3 * HOUR),
      peopleAffected: 800,
      status: 'in_progress',
      version: 1,
      createdBy: '3101',
    });
    outageNumber = o.number;
  });
  after(async () => h?.stop());

  /** Waits for a prompt the caller hears, then presses `digit`. */
  const pressAfter = (caller: CallerHandle, media: string, digit: string) =>
    new Promise<void>((resolve) =>
      caller.on('heard', (e) => {
        if (e.kind === 'playback' && e.media.endsWith(media)) {
          caller.sendDtmf(digit);
          resolve();
        }
      }),
    );

  it('hears the outage and its expected end after the greeting, presses 1 and leaves informed: never queued, not abandoned', async () => {
    const caller = h.ari.placeCall({ callerNumber: affected.phone });
    await pressAfter(caller, '/outage-press', '1');
    await caller.ended;
    const call = await callClosed(h, caller);
    expect(call).to.include({ outcome: 'informed-ivr', outageNumber, state: 'ended' });
    expect(call.queuedAt ?? null).to.equal(null);
    expect(call.offers).to.have.length(0);
    expect(call.abandonWaitMs ?? null).to.equal(null);
    const media = played(caller.heard());
    const words = media.find((m) => m.startsWith('sound:hotline-notices/TS20261203-91-v1-'));
    expect(words, JSON.stringify(media)).to.not.equal(undefined);
    // Spoken for this outage in the caller's language, once, where Asterisk reads it.
    const lang = call.language!;
    expect(words).to.match(new RegExp(`-${lang}-[0-9a-f]{10}$`));
    expect(existsSync(join(soundsDir, `${words!.split('/').pop()}.wav`))).to.equal(true);
    expect(media.indexOf(words!)).to.be.greaterThan(media.findIndex((m) => m.includes('greeting-welcome')));
    expect(media.slice(-2)).to.deep.equal([`sound:hotline/${lang}/outage-press`, `sound:hotline/${lang}/outage-bye`]);
  });

  it('stays on the line: queued as usual after the prompt, answered, the call tagged with the outage', async () => {
    const caller = h.ari.placeCall({ callerNumber: affected.phone, hangupAfterBridgedMs: 300 });
    await caller.ended;
    const call = await callClosed(h, caller);
    expect(call).to.include({ outcome: 'answered', outageNumber });
    const media = played(caller.heard());
    expect(media.some((m) => m.endsWith('/outage-press'))).to.equal(true);
    expect(media.some((m) => m.endsWith('/outage-bye'))).to.equal(false);
  });

  it('a caller from another area hears nothing of it', async () => {
    const caller = h.ari.placeCall({ callerNumber: elsewhere.phone, hangupAfterBridgedMs: 300 });
    await caller.ended;
    const call = await callClosed(h, caller);
    expect(call.outcome).to.equal('answered');
    expect(call.outageNumber ?? null).to.equal(null);
    expect(played(caller.heard()).filter((m) => m.includes('outage') || m.includes('hotline-notices'))).to.deep.equal([]);
  });

  it('the outage list counts its calls and those who left informed', async () => {
    const list = await waitFor(async () => {
      const l = await h.node.services.outages.list({ active: 'true', limit: 10 });
      const o = l.find((x) => x.number === outageNumber);
      return o?.calls && o.calls.total >= 2 && o;
    }, { what: 'the counts' });
    expect(list.calls).to.deep.equal({ total: 2, informed: 1 });
  });

  it('an unknown caller is offered the areas with an outage by key; keying theirs, they hear it and may leave with 1', async () => {
    const caller = h.ari.placeCall({ callerNumber: '13999990001' });
    // Only 东城区 has an outage: only it is offered, under its key (OUTAGE_IVR_AREAS: 1=DC-01).
    await new Promise<void>((resolve) =>
      caller.on('heard', (e) => {
        if (e.kind === 'playback' && e.media.includes('/areas-')) {
          caller.sendDtmf('1');
          resolve();
        }
      }),
    );
    await pressAfter(caller, '/outage-press', '1');
    await caller.ended;
    const call = await callClosed(h, caller);
    expect(call).to.include({ outcome: 'informed-ivr', outageNumber });
    const media = played(caller.heard());
    const menu = media.find((m) => m.includes('/areas-'))!;
    expect(media.indexOf(menu)).to.be.lessThan(media.findIndex((m) => m.startsWith('sound:hotline-notices/TS20261203-91-')));
    // One menu per wording and language, spoken once where Asterisk reads it.
    expect(existsSync(join(soundsDir, `${menu.split('/').pop()}.wav`))).to.equal(true);
  });

  it('an unknown caller who keys nothing is queued as usual, untagged', async () => {
    const caller = h.ari.placeCall({ callerNumber: '13999990002', hangupAfterBridgedMs: 300 });
    await caller.ended;
    const call = await callClosed(h, caller);
    expect(call.outcome).to.equal('answered');
    expect(call.outageNumber ?? null).to.equal(null);
    const media = played(caller.heard());
    expect(media.some((m) => m.includes('/areas-'))).to.equal(true);
    expect(media.some((m) => m.endsWith('/outage-press'))).to.equal(false);
  });

  it('a large outage is phoned to the company leader with the recorded notice call; key 1 is kept on the outage', async () => {
    const LEADER = '13800000202';
    // 生产部's own phones are busy here: only the leader's call is followed.
    h.ari.setCallee('*', { kind: 'busy' });
    h.ari.setCallee(LEADER, { kind: 'answer', afterMs: 200, dtmf: [{ digit: '1', afterMs: 1500 }] });
    const svc = h.node.services.outages;
    const clerk = { workNumber: '3101', name: '营业部值班员', role: 'department' as const, department: 'business' as const };
    const o = await svc.create({ kind: 'unplanned', source: 'network', areaCodes: ['KF-05'], streets: [], areaDescription: '高新开发区科技大道', startsAt: Date.now() - 60_000, expectedEndAt: Date.now() + 6 * HOUR, valves: [], mainRoadDug: false, peopleAffected: 9000 }, clerk);
    await svc.step(o.number, 'publish', clerk);
    const notice = await waitFor(async () => {
      const n = await h.node.models.Notice.findOne({ workOrderNumber: o.number, 'receiver.phone': LEADER }).lean();
      return n?.call?.status === 'acknowledged' && n;
    }, { what: 'the leader to acknowledge', timeoutMs: 30_000 });
    expect(notice).to.include({ reason: 'outage' });
    const after = await svc.get(o.number);
    expect(after.history.find((e) => e.action === 'call-acknowledged')).to.include({ by: LEADER });
    const call = (await h.node.models.Call.findOne({ noticeKey: notice.key, state: 'ended' }).lean())!;
    expect(call).to.include({ direction: 'outbound', dialledNumber: LEADER, noticeResult: 'acknowledged' });
    // 生产部's on-duty phone was called too (busy here: it will be tried once more).
    expect(await h.node.models.Notice.countDocuments({ workOrderNumber: o.number, reason: 'outage' })).to.be.at.least(2);
  });
});

import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWavHeader } from '../../core/wav';
import { FALLBACK_DIALPLAN } from '../../sim/ami/app-queue';
import { AmiMessageParser, getHeader, type AmiHeaders } from '../../sim/ami/protocol';
import { AmiSimulator, type AmiSimulatorOptions } from '../../sim/ami/server';
import { AmiWireClient } from '../../sim/ami/wire-client';
import { AriSimulator } from '../../sim/ari/server';
import type { HeardEntry } from '../../sim/ari/types';
import { PbxModel } from '../../sim/pbx';

/**
 * The dialplan fallback (no Stasis app takes the call → Asterisk's own queue) played by the two
 * simulators together, against trace ami/06-queue-fallback of Asterisk 22.10.1: the caller comes
 * from the ARI simulator (StasisBroadcast not claimed), app_queue's and MixMonitor's AMI events
 * come from the AMI simulator in the trace's order with its fields, queue_log gets the trace's
 * lines and MixMonitor's file carries the caller's Uniqueid.
 */

const TRACE = join(__dirname, '..', 'fixtures', 'asterisk-traces', 'ami', '06-queue-fallback.jsonl');
/** 20 s of ringing in 2 s of test: a late timer on a busy machine costs a fraction of a simulated second. */
const SCALE = 0.1;

interface TraceRecord {
  t: number;
  dir: 'in' | 'out' | 'sock' | 'note';
  conn?: string;
  text?: string;
}

const MODELLED = new Set([
  'MixMonitorStart',
  'DeviceStateChange',
  'QueueCallerJoin',
  'AgentCalled',
  'QueueMemberStatus',
  'AgentRingNoAnswer',
  'QueueCallerLeave',
  'AgentConnect',
  'AgentComplete',
  'QueueCallerAbandon',
]);

function parse(text: string): AmiHeaders {
  const msgs = new AmiMessageParser().push(text);
  expect(msgs).to.have.length(1);
  return msgs[0]!;
}

/** The trace's messages the simulators model, after the login, for one time window. */
function expectedWindow(fromT: number, toT: number): Array<{ dir: 'in' | 'out'; m: AmiHeaders; t: number }> {
  const records = readFileSync(TRACE, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceRecord);
  const out: Array<{ dir: 'in' | 'out'; m: AmiHeaders; t: number }> = [];
  for (const r of records) {
    if (r.t < fromT || r.t >= toT || (r.dir !== 'in' && r.dir !== 'out') || !r.text) continue;
    const m = parse(r.text);
    const event = getHeader(m, 'Event');
    const action = getHeader(m, 'Action');
    const isQueueStatus = action === 'QueueStatus' || getHeader(m, 'ActionID') === 'a-2';
    if ((event && MODELLED.has(event)) || isQueueStatus) out.push({ dir: r.dir, m, t: r.t });
  }
  return out;
}

const uniqueid = /^\d+\.\d+$/;
const uint = /^\d+$/;
/** Simulated durations: timers only ever fire late, so more room above than below. */
const near = (below: number, above: number) => (e: string, a: string) => uint.test(a) && Number(a) >= Number(e) - below && Number(a) <= Number(e) + above;
/** Values that differ per run: compared by shape, or numerically within a tolerance for simulated durations. */
const VOLATILE: Record<string, (expected: string, actual: string) => boolean> = {
  Channel: (_e, a) => /^PJSIP\/pstn-[0-9a-f]{8}$/.test(a),
  DestChannel: (e, a) => new RegExp(`^${e.replace(/-[0-9a-f]{8}$/, '')}-[0-9a-f]{8}$`).test(a),
  Uniqueid: (_e, a) => uniqueid.test(a),
  Linkedid: (_e, a) => uniqueid.test(a),
  DestUniqueid: (_e, a) => uniqueid.test(a),
  DestLinkedid: (_e, a) => uniqueid.test(a),
  LoginTime: (_e, a) => uint.test(a),
  LastCall: (e, a) => (e === '0' ? a === '0' : uint.test(a) && a !== '0'),
  HoldTime: near(1, 2),
  Holdtime: near(1, 2),
  TalkTime: near(2, 2),
};

function compare(expected: AmiHeaders, actual: AmiHeaders, where: string): void {
  const ctx = `${where}\nexpected ${JSON.stringify(expected)}\nactual   ${JSON.stringify(actual)}`;
  expect(actual.map(([k]) => k), ctx).to.deep.equal(expected.map(([k]) => k));
  expected.forEach(([k, v], i) => {
    const a = actual[i]![1];
    // RingTime of a ring-out is exactly the queue's timeout; of an answer, whole seconds.
    const shape = k === 'RingTime' && v !== '20000' ? near(1, 1) : VOLATILE[k];
    if (shape) expect(shape(v, a), `${k}: ${JSON.stringify(a)} vs trace ${JSON.stringify(v)}\n${ctx}`).to.equal(true);
    else expect(a, `${k}\n${ctx}`).to.equal(v);
  });
}

/** Plays one window of the trace: sends its actions and checks every modelled message it received. */
async function replayWindow(c: AmiWireClient, fromT: number, toT: number): Promise<AmiHeaders[]> {
  const got: AmiHeaders[] = [];
  for (const rec of expectedWindow(fromT, toT)) {
    if (rec.dir === 'out') {
      c.send(rec.m);
      continue;
    }
    const m = await c.next(5000);
    compare(rec.m, m, `t=${rec.t} ${getHeader(rec.m, 'Event') ?? getHeader(rec.m, 'Response')}`);
    got.push(m);
  }
  return got;
}

const queueLog = (file: string): string[][] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('|'));

describe('AMI simulator: app_queue of the dialplan fallback (trace ami/06)', function () {
  this.timeout(30_000);
  let ari: AriSimulator | undefined;
  let ami: AmiSimulator | undefined;
  let client: AmiWireClient | undefined;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotline-queue-fallback-'));
  });

  afterEach(async () => {
    client?.close();
    client = undefined;
    await ari?.stop();
    await ami?.stop();
    ari = ami = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(pbx: PbxModel, queue: AmiSimulatorOptions['queue'], exten = '952525'): Promise<AmiWireClient> {
    ari = new AriSimulator({
      pbx,
      dialplan: { exten, mode: 'broadcast', appPattern: '^hotline-.*', timeoutMs: 2000 },
      timeScale: SCALE,
      soundDurationMs: () => 400,
    });
    ami = new AmiSimulator({ pbx, username: 'cti', secret: 'cti', queue });
    await ari.start();
    const { port } = await ami.start();
    const c = await AmiWireClient.connect(port);
    await c.login('cti', 'cti');
    // Login noise (FullyBooted, SuccessfulAuth) is covered by ami-sim.test.ts; a Ping is the barrier.
    await c.action([['Action', 'Ping'], ['ActionID', 'barrier']]);
    while (c.pending().length > 0) await c.next();
    client = c;
    return c;
  }

  it('replays both calls: ring-no-answer then answered by the second member, then an abandon; queue_log and recordings as Asterisk wrote them', async () => {
    const pbx = new PbxModel({ extensions: ['agent1001', 'agent1002'], trunkName: 'pstn' });
    const logFile = join(dir, 'log', 'queue_log');
    const monitorDir = join(dir, 'monitor');
    // The trace's test dialplan: Answer, MixMonitor (priority 2), Queue (priority 3), no language menu.
    const c = await start(
      pbx,
      { languageMenu: false, dialplan: { context: 'from-pstn-fallback', mixMonitorPriority: 2, queuePriority: 3 }, maxWaitMs: 60_000, queueLogFile: logFile, monitorDir },
      '952527',
    );

    // Call 1: agent1001 rings forever, agent1002 answers 1 s after it is rung; the caller hangs up 28 s after the answer.
    pbx.setPhone('agent1001', { behaviour: { kind: 'no-answer' } });
    pbx.setPhone('agent1002', { behaviour: { kind: 'answer', afterMs: 1000 } });
    const first = ari!.placeCall({ callerNumber: '85291234567', callerName: 'HK Caller', exten: '952527', hangupAfterMs: 28_000 });
    const call1 = await replayWindow(c, 1000, 31_000);
    expect(await first.ended).to.include({ by: 'caller' });
    expect(first.talkingSince()).to.not.equal(null);

    // Call 2: both phones ring forever; the caller gives up 6 s after the answer.
    pbx.setPhone('agent1002', { behaviour: { kind: 'no-answer' } });
    const second = ari!.placeCall({ callerNumber: '85291234567', callerName: 'HK Caller', exten: '952527', hangupAfterMs: 6000 });
    const call2 = await replayWindow(c, 31_000, 41_000);
    // Every modelled message of the trace was compared (QueueStatus and its list included).
    expect([call1.length, call2.length]).to.deep.equal([27, 13]);
    expect(await second.ended).to.include({ by: 'caller' });
    // Nothing the trace does not have.
    await c.action([['Action', 'Ping'], ['ActionID', 'end']]);
    expect(c.pending()).to.deep.equal([]);

    // One call's events all name the caller's channel and Uniqueid; the member legs are linked to it.
    for (const [events, caller] of [
      [call1, first],
      [call2, second],
    ] as const) {
      for (const e of events.filter((m) => getHeader(m, 'Uniqueid'))) {
        expect(getHeader(e, 'Uniqueid')).to.equal(caller.id);
        expect(getHeader(e, 'Linkedid')).to.equal(caller.id);
        expect(getHeader(e, 'Channel')).to.equal(caller.name);
        if (getHeader(e, 'DestLinkedid')) expect(getHeader(e, 'DestLinkedid')).to.equal(caller.id);
      }
    }
    const connect = call1.find((m) => getHeader(m, 'Event') === 'AgentConnect')!;
    const rna = call1.find((m) => getHeader(m, 'Event') === 'AgentRingNoAnswer')!;
    const called = call1.filter((m) => getHeader(m, 'Event') === 'AgentCalled');
    expect(getHeader(rna, 'DestUniqueid')).to.equal(getHeader(called[0]!, 'DestUniqueid'));
    expect(getHeader(connect, 'DestUniqueid')).to.equal(getHeader(called[1]!, 'DestUniqueid'));

    // queue_log: the trace's seven lines (after app_queue's QUEUESTART), timestamps by shape.
    const lines = queueLog(logFile);
    expect(lines[0]!.slice(1)).to.deep.equal(['NONE', 'NONE', 'NONE', 'QUEUESTART', '']);
    const calls = lines.slice(1);
    for (const l of calls) expect(l[0], l.join('|')).to.match(/^\d{10}$/);
    const shape = calls.map((l) => l.slice(1));
    const [id1, id2] = [first.id, second.id];
    const q = 'hotline-fallback';
    expect(shape.map((l) => l.slice(0, 4))).to.deep.equal([
      [id1, q, 'NONE', 'ENTERQUEUE'],
      [id1, q, 'Agent 1001', 'RINGNOANSWER'],
      [id1, q, 'Agent 1002', 'CONNECT'],
      [id1, q, 'Agent 1002', 'COMPLETECALLER'],
      [id2, q, 'NONE', 'ENTERQUEUE'],
      [id2, q, 'Agent 1001', 'RINGCANCELED'],
      [id2, q, 'NONE', 'ABANDON'],
    ]);
    const data = shape.map((l) => l.slice(4));
    const within = (v: string | undefined, lo: number, hi: number) => expect(Number(v), String(v)).to.be.within(lo, hi);
    expect(data[0]).to.deep.equal(['', '85291234567', '1']);
    expect(data[1]).to.deep.equal(['20000']);
    within(data[2]![0], 21, 24);
    expect(data[2]![1]).to.equal(getHeader(connect, 'DestUniqueid'));
    within(data[2]![2], 0, 2);
    within(data[3]![0], 21, 24);
    within(data[3]![1], 4, 8);
    expect(data[3]![2]).to.equal('1');
    expect(data[4]).to.deep.equal(['', '85291234567', '1']);
    within(data[5]![0], 5500, 6500);
    expect(data[6]!.slice(0, 2)).to.deep.equal(['1', '1']);
    within(data[6]![2], 5, 7);
    // Line times agree with the durations in the data (CONNECT − ENTERQUEUE = hold time).
    within(String(Number(calls[2]![0]) - Number(calls[0]![0])), 21, 24);

    // MixMonitor: one file per caller, named by the Uniqueid, the abandoned call too.
    for (const [id, seconds] of [
      [id1, 28],
      [id2, 6],
    ] as const) {
      const file = join(monitorDir, `fallback-${id}.wav`);
      expect(existsSync(file), file).to.equal(true);
      expect(parseWavHeader(readFileSync(file)).durationMs / 1000).to.be.within(seconds - 1.5, seconds + 1.5);
    }
  });

  it("with the hotline's dialplan: bilingual greeting, key 2 logged as Mandarin, priorities of extensions.conf, the agent hanging up first", async () => {
    const pbx = new PbxModel({ extensions: ['1001', '1002'] });
    const logFile = join(dir, 'queue_log');
    const c = await start(pbx, { queueLogFile: logFile });
    pbx.setPhone('1001', { behaviour: { kind: 'answer', afterMs: 500, hangupAfterMs: 3000 } });
    const caller = ari!.placeCall({ callerNumber: '13800138000', dtmf: [{ digit: '2', afterMs: 100 }] });
    const join_ = await c.take((m) => getHeader(m, 'Event') === 'QueueCallerJoin', 5000);
    expect(getHeader(join_, 'Context')).to.equal(FALLBACK_DIALPLAN.context);
    expect(getHeader(join_, 'Priority')).to.equal(String(FALLBACK_DIALPLAN.queuePriority));
    expect(getHeader(join_, 'Exten')).to.equal('952525');
    expect(getHeader(join_, 'CallerIDName')).to.equal('<unknown>');
    const complete = await c.take((m) => getHeader(m, 'Event') === 'AgentComplete', 5000);
    expect(getHeader(complete, 'Reason')).to.equal('agent');
    expect(await caller.ended).to.include({ by: 'agent' });

    const heard = caller.heard().flatMap((h: HeardEntry) => (h.kind === 'playback' ? [h.media] : []));
    // The key ended the menu after the first prompt (Read() stops at a digit).
    expect(heard).to.deep.equal(['sound:hotline/yue/greeting-welcome']);
    const events = queueLog(logFile).slice(1).map((l) => l.slice(4));
    expect(events.map((l) => l[0])).to.deep.equal(['LANGUAGE', 'ENTERQUEUE', 'CONNECT', 'COMPLETEAGENT']);
    expect(events[0]).to.deep.equal(['LANGUAGE', 'cmn', '2']);
  });

  it('a caller nobody answers leaves at the Queue() limit: EXITWITHTIMEOUT, the busy message in both languages, hang-up', async () => {
    const pbx = new PbxModel({ extensions: ['1001', '1002'], defaultBehaviour: { kind: 'no-answer' } });
    pbx.setPhone('1002', { behaviour: { kind: 'busy' } });
    const logFile = join(dir, 'queue_log');
    await start(pbx, { queueLogFile: logFile, maxWaitMs: 25_000 });
    const caller = ari!.placeCall({ callerNumber: '13800138001' });
    expect(await caller.ended).to.include({ by: 'pbx', reason: 'fallback-queue-timeout' });
    const heard = caller.heard().flatMap((h: HeardEntry) => (h.kind === 'playback' ? [h.media] : []));
    expect(heard.slice(-2)).to.deep.equal(['sound:hotline/yue/please-call-again', 'sound:hotline/cmn/please-call-again']);
    const lines = queueLog(logFile).slice(1);
    const events = lines.map((l) => `${l[3]} ${l[4]}`);
    expect(events[0]).to.equal('NONE LANGUAGE');
    expect(events[1]).to.equal('NONE ENTERQUEUE');
    // Round robin over both phones: 1001 rings out, 1002 is busy (no ring), and so on.
    expect(events).to.include.members(['Agent 1001 RINGNOANSWER', 'Agent 1002 RINGNOANSWER']);
    expect(events.at(-1)).to.equal('NONE EXITWITHTIMEOUT');
    expect(lines.find((l) => l[3] === 'Agent 1001')![5]).to.equal('20000');
    expect(lines.find((l) => l[3] === 'Agent 1002')![5]).to.equal('0');
    expect(lines.at(-1)!.slice(5, 7)).to.deep.equal(['1', '1']);
  });

  it('without app_queue (queue: false) an unclaimed caller hears "please call again" as before', async () => {
    const pbx = new PbxModel({ extensions: ['1001'] });
    await start(pbx, false);
    const caller = ari!.placeCall({ callerNumber: '13800138002' });
    expect(await caller.ended).to.include({ by: 'pbx', reason: 'broadcast-unclaimed' });
  });

  it('QueueStatus lists a waiting caller (QueueEntry) and an unavailable member', async () => {
    const pbx = new PbxModel({ extensions: ['1001', '1002'], defaultBehaviour: { kind: 'no-answer' } });
    pbx.setPhone('1002', { registered: false });
    const c = await start(pbx, { languageMenu: false });
    const caller = ari!.placeCall({ callerNumber: '13800138003' });
    await c.take((m) => getHeader(m, 'Event') === 'AgentCalled', 5000);
    c.send([
      ['Action', 'QueueStatus'],
      ['ActionID', 'qs'],
    ]);
    const items: AmiHeaders[] = [];
    for (;;) {
      const m = await c.take((x) => getHeader(x, 'ActionID') === 'qs', 5000);
      items.push(m);
      if (getHeader(m, 'Event') === 'QueueStatusComplete') break;
    }
    expect(items.map((m) => getHeader(m, 'Event') ?? getHeader(m, 'Response'))).to.deep.equal([
      'Success',
      'QueueParams',
      'QueueMember',
      'QueueMember',
      'QueueEntry',
      'QueueStatusComplete',
    ]);
    expect(getHeader(items[1]!, 'Calls')).to.equal('1');
    expect(items.slice(2, 4).map((m) => getHeader(m, 'Status'))).to.deep.equal(['6', '5']);
    expect(getHeader(items[4]!, 'Uniqueid')).to.equal(caller.id);
    expect(getHeader(items[5]!, 'ListItems')).to.equal('4');
    caller.hangup();
    await caller.ended;
  });
});

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { CallerHandle } from '../../sim/ari/script';
import { startCti } from '../../main';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

/** A real HTTP endpoint standing in for the SMS provider's webhook. */
async function smsSink(): Promise<{ server: Server; url: string; got: Array<{ to: string; role: string; text: string }> }> {
  const got: Array<{ to: string; role: string; text: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push(JSON.parse(body) as { to: string; role: string; text: string });
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, got };
}

const ITEMS = ['ari', 'ami', 'trunk', 'agent-phones', 'redis', 'mongodb', 'test-call'];

describe('30-minute silence alarm (shortened) with two CTI processes', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  let sms: Awaited<ReturnType<typeof smsSink>>;
  const WINDOW = 2500;

  before(async () => {
    sms = await smsSink();
    h = await PbxHarness.start({
      nodes: 2,
      env: {
        SILENCE_ALARM_MS: String(WINDOW),
        SMS_GATEWAY: 'webhook',
        SMS_WEBHOOK_URL: sms.url,
        ALARM_CONTACTS: 'shift_leader=13800000111,sysadmin=13800000112,dept_leader=13800000101',
        AFTER_CALL_WORK_MS: '100',
      },
    });
  });
  after(async () => {
    await h?.stop();
    sms?.server.close();
  });

  const alarms = () => h.node.models.Alarm.find({ kind: 'silence' }).sort({ raisedAt: 1 }).lean();

  it('no call for the window → exactly one alarm, every check item stored, the synthetic call placed and not counted', async () => {
    const list = await waitFor(async () => {
      const a = await alarms();
      return a.length > 0 && a;
    }, { what: 'silence alarm', timeoutMs: WINDOW + 20_000 });
    expect(list).to.have.length(1);
    const alarm = list[0]!;
    expect(alarm.checks.map((c) => c.item)).to.deep.equal(ITEMS);
    for (const c of alarm.checks) {
      expect(c.ok, `${c.item}: ${c.detail}`).to.equal(true);
      expect(c.durationMs).to.be.a('number');
    }
    expect(alarm.severity).to.equal('warning');
    expect(alarm.message).to.contain('自检正常');

    // The synthetic call went through the simulator's dialplan as a Local channel...
    const originate = h.ari.requests().find((r) => r.method === 'POST' && r.path === '/ari/channels' && /Local\/952525@from-pstn/.test(JSON.stringify(r)));
    expect(originate, 'Local originate seen by the PBX').to.not.equal(undefined);
    // ...was recorded as a test call, offered to nobody, and counted nowhere. While the silence lasts
    // each further window checks again (into the same open alarm), so a slow reader may find more.
    const test = await h.node.models.Call.find({ test: true }).sort({ arrivedAt: 1 }).lean();
    expect(test.length).to.be.at.least(1);
    for (const t of test) expect(t.offers).to.deep.equal([]);
    expect(test[0]!.arrivedAt.getTime()).to.be.at.most(alarm.raisedAt.getTime());
    expect(await alarms(), 'still one alarm: later windows update it').to.have.length(1);
    for (const n of h.nodes) {
      const text = await (await fetch(`${n.url}/metrics`)).text();
      expect(text).to.not.match(/^hotline_calls_total\{[^}]*\} [1-9]/m);
    }

    // Admins and leaders were told: one SMS per contact.
    await waitFor(() => sms.got.length >= 3, { what: 'SMS webhook calls' });
    expect(sms.got.map((m) => m.to).sort()).to.deep.equal(['13800000101', '13800000111', '13800000112']);
    expect(sms.got[0]!.text).to.contain('952525');
  });

  it('the first call afterwards closes the alarm, and a call inside the window prevents the next one', async () => {
    const caller: CallerHandle = h.ari.placeCall({ callerNumber: '13100000001', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    await caller.ended;
    const closed = await waitFor(async () => {
      const a = await alarms();
      return a[0]?.closedAt && a;
    }, { what: 'alarm closed' });
    expect(closed[0]!.closeNote).to.equal('calls resumed');

    // Each call starts the window again from its arrival, stamped in Redis; the pending job stays
    // the one instance (calls do not move it: it finds the latest call when it is due).
    const armed = await waitFor(async () => {
      const j = await h.calls.silence.rule.queue.getJob(h.calls.silence.rule.id);
      return j && (await j.isDelayed()) && j;
    }, { what: 'the window pending' });
    let last = 0;
    for (const number of ['13100000002', '13100000012', '13100000022']) {
      const placedAt = Date.now();
      const c = h.ari.placeCall({ callerNumber: number, dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 50 });
      last = await waitFor(async () => {
        const at = await h.calls.silence.rule.lastCall();
        return at !== null && at >= placedAt && at;
      }, { what: 'window restarted by the call' });
      await c.ended;
    }
    const job = await h.calls.silence.rule.queue.getJob(h.calls.silence.rule.id);
    expect([job?.id, job?.timestamp]).to.deep.equal([armed?.id, armed?.timestamp]);
    // Then silence again: the next alarm counts from the last call, a whole window after it.
    const second = await waitFor(async () => {
      const a = await alarms();
      return a.length === 2 && a[1];
    }, { what: 'second alarm after silence', timeoutMs: WINDOW + 20_000 });
    expect(second.key).to.equal(`silence.${last}`);
    expect(second.raisedAt.getTime()).to.be.at.least(last + WINDOW);
  });

  it('survives a restart of every CTI process: the pending window keeps its due time', async () => {
    const c = h.ari.placeCall({ callerNumber: '13100000004', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 50 });
    await c.ended;
    await waitFor(async () => (await alarms()).every((a) => a.closedAt), { what: 'open alarm closed by the call' });
    // The window starts at the later of the last call and the job's own start: the previous
    // alarm's run re-arms a window when it completes, which may come a few ms after this call.
    const job = await waitFor(async () => {
      const j = await h.calls.silence.rule.queue.getJob(h.calls.silence.rule.id);
      return j && (await j.isDelayed()) && j;
    }, { what: 'the window pending' });
    const since = Math.max(job.data.since, (await h.calls.silence.rule.lastCall())!);
    const due = since + WINDOW;
    const before = (await alarms()).length;
    const config = h.config;
    for (const n of h.nodes.splice(0)) await n.stop();
    // A fresh process (new name, same Redis and database) finds the window pending and leaves it be.
    h.nodes.push(await startCti({ ...config, NODE_ID: 'c' }));
    const next = await waitFor(async () => {
      const a = await alarms();
      return a.length > before && a[a.length - 1];
    }, { what: 'alarm after the restart', timeoutMs: WINDOW + 20_000 });
    // The window that fired is the one pending before the restart (its key names its start), and not
    // before it was due: the restart neither lost it nor started a new one.
    expect(next.key).to.equal(`silence.${since}`);
    expect(next.raisedAt.getTime()).to.be.at.least(due - 50);
  });

  it('a failing AMI, an unregistered trunk and an unreachable agent phone each fail their own check item', async () => {
    await h.calls.agents.login('1003');
    await h.calls.agents.change('1003', 'ready').catch(() => undefined);
    h.pbx.setTrunk(false);
    h.pbx.setPhone('1003', { reachable: false });
    await waitFor(async () => (await h.calls.acd.unreachablePhones()).includes('1003'), { what: '1003 unreachable' });
    await waitFor(() => !h.calls.pbx.snapshot().trunk.registered, { what: 'trunk down' });
    let items = await h.calls.selfCheck.run();
    const byItem = (name: string) => items.find((i) => i.item === name)!;
    expect(byItem('trunk')).to.include({ ok: false });
    expect(byItem('agent-phones').ok).to.equal(false);
    expect(byItem('agent-phones').detail).to.contain('1003');
    expect(byItem('ami').ok).to.equal(true);

    await h.ami.stop();
    await waitFor(() => h.calls.ami.state !== 'connected', { what: 'AMI down' });
    items = await h.calls.selfCheck.run();
    expect(byItem('ami')).to.include({ ok: false });
    expect(byItem('redis').ok).to.equal(true);
    expect(byItem('test-call').ok).to.equal(true); // calls still flow without AMI
    const ready = await fetch(`${h.node.url}/readyz`);
    expect(ready.status).to.equal(503);
    expect(((await ready.json()) as { reasons: string[] }).reasons.join(' ')).to.match(/^ami: /);
  });
});

describe('/metrics', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  before(async () => {
    h = await PbxHarness.start({ env: { AFTER_CALL_WORK_MS: '100', ANSWER_ALARM_MS: '800' } });
  });
  after(async () => h?.stop());

  /** Prometheus text format: every line a comment, blank, or `name{labels} value`. */
  function parse(text: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
      expect(m, `not Prometheus text: ${line}`).to.not.equal(null);
      out.set(`${m![1]}${m![2] ?? ''}`, Number(m![3]));
    }
    return out;
  }
  const series = (m: Map<string, number>, name: string, label: string) =>
    [...m.entries()].find(([k]) => k.startsWith(name) && k.includes(label))?.[1] ?? 0;

  it('parses as Prometheus text and its counters move when calls are made', async () => {
    const before = parse(await (await fetch(`${h.node.url}/metrics`)).text());
    expect(series(before, 'hotline_pbx_connected', 'link="ari"')).to.equal(1);
    expect(series(before, 'hotline_agents', 'state="ready"')).to.equal(10);

    h.pbx.setPhone('1001', { behaviour: { kind: 'no-answer' } });
    const c = h.ari.placeCall({ callerNumber: '13100000003', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    await c.ended;
    const after = await waitFor(async () => {
      const m = parse(await (await fetch(`${h.node.url}/metrics`)).text());
      return series(m, 'hotline_calls_total', 'outcome="answered"') === 1 && m;
    }, { what: 'answered counter' });
    expect(series(after, 'hotline_alarms_total', 'kind="answer-timeout"')).to.equal(1);
    expect(series(after, 'hotline_ring_seconds_count', 'result="no-answer"')).to.equal(1);
    expect(series(after, 'hotline_answer_delay_seconds_count', '')).to.equal(1);
    expect(series(after, 'hotline_jobs', 'rule="silence-alarm",state="delayed"')).to.equal(1);
    expect(after.has('hotline_job_lag_seconds{rule="answer-alarm",node="a"}') || [...after.keys()].some((k) => k.startsWith('hotline_job_lag_seconds'))).to.equal(true);
  });
});

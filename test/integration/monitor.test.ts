import { expect } from 'chai';
import type { AgentMonitorNotice, AgentSnapshot, BoardSnapshot, MonitorView } from '../../contracts';
import type { CtiNode } from '../../main';
import type { CallerHandle } from '../../sim/ari/script';
import type { RestLogEntry } from '../../sim/ari/types';
import { callClosed, callInState } from '../helpers/calls';
import { ConsoleClient, login } from '../helpers/consoles';
import { PbxHarness, SUPERVISOR_EXTENSION } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const PASSWORD = 'test-password';
const DEPT_NUMBER = '075786000101'; // 营业部's transfer line (seed)
/** Query and body of a logged REST request as one: ari-client sends parameters in the query string. */
const params = (r: RestLogEntry): Record<string, unknown> => ({ ...r.query, ...(r.body && typeof r.body === 'object' ? (r.body as Record<string, unknown>) : {}) });
const isMonitor = (id: string) => id.startsWith('mon-');

describe('supervisor monitoring: listen, whisper and barge through snoop channels (trace 11)', function () {
  this.timeout(60_000);
  let h: PbxHarness;
  const clients: ConsoleClient<object, object>[] = [];

  before(async () => {
    h = await PbxHarness.start({ nodes: 2, soundMs: 40, trunkEndpoint: 'carrier', env: { AFTER_CALL_WORK_MS: '100' } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await h?.stop();
  });
  beforeEach(async () => {
    h.pbx.setPhone(SUPERVISOR_EXTENSION, { behaviour: { kind: 'answer', afterMs: 200 } });
    await h.quiet();
    await h.calls.agents.change('1001', 'ready');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    // A failed test leaves no caller behind to hold agent 1001.
    for (const c of h.ari.callerHandles()) if (c.isUp()) c.hangup();
  });

  /** A caller in conversation with agent 1001; the process that owns it, and the other one. */
  async function talkingCall(callerNumber: string): Promise<{ caller: CallerHandle; callId: string; agentLeg: string; owner: CtiNode; other: CtiNode }> {
    const caller = h.ari.placeCall({ callerNumber, dtmf: [{ digit: '1', afterMs: 0 }] });
    await callInState(h, caller, 'talking');
    const call = await waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callerChannelId: caller.id }).lean();
      return c?.agentChannelId ? c : undefined;
    }, { what: 'answer recorded' });
    const owner = h.nodes.find((n) => n.config.NODE_ID === call.node)!;
    const other = h.nodes.find((n) => n !== owner)!;
    return { caller, callId: call.callId, agentLeg: call.agentChannelId!, owner, other };
  }

  async function board(node: CtiNode, workNumber = '2001'): Promise<ConsoleClient<object, object>> {
    const c = new ConsoleClient<object, object>(node.url, '/supervisor', (await login(node.url, workNumber, PASSWORD)).token);
    clients.push(c);
    await c.connect();
    return c;
  }

  const monitorIn = (b: BoardSnapshot, callId: string) => b.inProgress.find((c) => c.callId === callId)?.monitor ?? null;
  const bridge = (id: string) => h.ari.bridges().find((b) => b.id === id);
  const monitorBridge = () => h.ari.bridges().find((b) => isMonitor(b.id));
  const supervisorLegs = () => h.ari.channels().filter((c) => c.endpoint === `PJSIP/${SUPERVISOR_EXTENSION}`);
  const snoops = () => h.ari.channels().filter((c) => c.kind === 'snoop');
  const snoopRequests = (agentLeg: string) => h.ari.requests().filter((r) => r.method === 'POST' && r.path.includes(`/channels/${agentLeg}/snoop`));
  const ringsOfSupervisor = () => h.ari.requests().filter((r) => r.method === 'POST' && /\/channels$/.test(r.path) && params(r).endpoint === `PJSIP/${SUPERVISOR_EXTENSION}`);
  const nothingOfTheMonitorLeft = () =>
    waitFor(() => !h.ari.channels().some((c) => isMonitor(c.id) || c.kind === 'snoop') && !h.ari.bridges().some((b) => isMonitor(b.id)), { what: 'no monitor channel or bridge left' });

  it('listen → whisper → barge → stop, from the board of the process that does not own the call; the Call and the audit keep it', async () => {
    const { caller, callId, agentLeg, owner, other } = await talkingCall('13800005501');
    const sup = await board(other);
    h.ari.clearRequests();

    // 监听: the supervisor's phone is rung into the app; a snoop spy=both whisper=none on the agent's leg; both in a mixing bridge of their own.
    const listen = await sup.command<MonitorView>('call:monitor', { callId, mode: 'listen' });
    expect(listen).to.deep.include({ ok: true });
    expect(listen.ok && listen.data).to.include({ callId, supervisor: '2001', mode: 'listen' });
    const ring = await waitFor(() => ringsOfSupervisor()[0], { what: "the supervisor's phone rung" });
    expect(params(ring)).to.include({ app: `hotline-${other.config.NODE_ID}`, appArgs: `monitor,${callId}` });
    const listening = await waitFor(() => {
      const b = monitorBridge();
      return b?.channels.length === 2 ? b : undefined;
    }, { what: 'snoop and supervisor in the monitor bridge' });
    const [supLeg] = supervisorLegs();
    expect(supLeg?.state).to.equal('Up');
    const [firstSnoop] = snoops();
    expect(listening.channels).to.have.members([firstSnoop!.id, supLeg!.id]);
    expect(listening.bridge_type).to.equal('mixing');
    expect(snoopRequests(agentLeg).map(params)).to.deep.equal([{ spy: 'both', whisper: 'none', app: `hotline-${other.config.NODE_ID}`, appArgs: `snoop,${callId}` }]);
    // The caller and the agent talk on in their own bridge, recorded.
    expect(bridge(`br-${callId}`)?.channels).to.have.length(2);
    const shown = await sup.next<BoardSnapshot>('board', (b) => monitorIn(b, callId)?.phase === 'active');
    expect(monitorIn(shown, callId)).to.include({ supervisor: '2001', mode: 'listen' });

    // 耳语: the listen snoop replaced by one with whisper=out in the same bridge; the supervisor's call is the same.
    const whisper = await sup.command<MonitorView>('call:monitor', { callId, mode: 'whisper' });
    expect(whisper.ok && whisper.data).to.include({ mode: 'whisper', phase: 'active' });
    const whispering = await waitFor(() => {
      const b = monitorBridge();
      return b?.channels.length === 2 && !b.channels.includes(firstSnoop!.id) ? b : undefined;
    }, { what: 'the whisper snoop in the monitor bridge' });
    expect(h.ari.channels().map((c) => c.id)).to.not.include(firstSnoop!.id);
    expect(whispering.channels).to.include(supLeg!.id);
    expect(snoopRequests(agentLeg).map((r) => params(r).whisper)).to.deep.equal(['none', 'out']);
    expect(ringsOfSupervisor(), 'the supervisor is not rung again').to.have.length(1);

    // 强插: the supervisor in the call's bridge with the caller and the agent; no snoop left.
    const barge = await sup.command<MonitorView>('call:monitor', { callId, mode: 'barge' });
    expect(barge.ok && barge.data).to.include({ mode: 'barge' });
    await waitFor(() => bridge(`br-${callId}`)?.channels.length === 3 && snoops().length === 0, { what: 'supervisor in the call bridge' });
    expect(bridge(`br-${callId}`)?.channels).to.have.members([caller.id, agentLeg, supLeg!.id]);
    expect(ringsOfSupervisor()).to.have.length(1);
    // The call's bridge recording was never stopped nor started again.
    expect(h.ari.requests().filter((r) => r.path.includes('/recordings') || r.path.endsWith('/record'))).to.deep.equal([]);

    // 结束监听: the supervisor's leg hung up, the monitor bridge gone; the call goes on.
    const stop = await sup.command<{ callId: string }>('call:monitor-stop', { callId });
    expect(stop).to.deep.equal({ ok: true, data: { callId } });
    await nothingOfTheMonitorLeft();
    expect(bridge(`br-${callId}`)?.channels).to.have.members([caller.id, agentLeg]);
    await sup.next<BoardSnapshot>('board', (b) => b.inProgress.some((c) => c.callId === callId) && monitorIn(b, callId) === null, { from: sup.mark() - 1 });

    caller.hangup();
    const call = await callClosed(h, caller);
    expect(call.outcome).to.equal('answered');
    const monitoring = await waitFor(async () => {
      const doc = await owner.models.Call.findOne({ callId }).lean();
      return doc?.monitoring?.length === 3 && doc.monitoring.every((m) => m.endedAt) ? doc.monitoring : undefined;
    }, { what: 'monitoring on the Call' });
    expect(monitoring.map((m) => [m.supervisor, m.mode])).to.deep.equal([
      ['2001', 'listen'],
      ['2001', 'whisper'],
      ['2001', 'barge'],
    ]);
    for (let i = 1; i < monitoring.length; i++) expect(monitoring[i]!.startedAt.getTime()).to.equal(monitoring[i - 1]!.endedAt!.getTime());
    expect(monitoring[2]!.endedAt!.getTime()).to.be.at.most(call.endedAt!.getTime());

    // The audit: who, which call, how, from where; admins read it with the recordings' listens.
    const admin = (await login(h.node.url, '9001', PASSWORD)).token;
    const res = await fetch(`${h.node.url}/api/audit/recordings?callId=${callId}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).to.equal(200);
    const audit = (await res.json()) as Array<{ workNumber: string; role: string; via: string; callId: string; recording: string | null; ip: string | null }>;
    expect(audit.map((a) => a.via)).to.deep.equal(['barge', 'whisper', 'listen']);
    for (const a of audit) expect(a).to.include({ workNumber: '2001', role: 'supervisor', callId, recording: null }).and.to.have.property('ip').that.is.a('string').and.not.empty;
  });

  it('the caller hanging up ends the monitor: supervisor leg, snoop and monitor bridge gone; the entry closed', async () => {
    const { caller, callId, owner } = await talkingCall('13800005502');
    const sup = await board(owner);
    expect((await sup.command('call:monitor', { callId, mode: 'listen' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'listening' });
    caller.hangup();
    await nothingOfTheMonitorLeft();
    const doc = await waitFor(async () => {
      const d = await owner.models.Call.findOne({ callId }).lean();
      return d?.monitoring?.[0]?.endedAt ? d : undefined;
    }, { what: 'monitoring entry closed' });
    expect(doc.monitoring!.map((m) => m.mode)).to.deep.equal(['listen']);
    expect(await owner.calls!.monitor.views()).to.not.have.key(callId);
  });

  it('the supervisor hanging up ends the monitor; barge then caller hang-up leaves nothing either', async () => {
    const first = await talkingCall('13800005503');
    const sup = await board(first.owner);
    expect((await sup.command('call:monitor', { callId: first.callId, mode: 'whisper' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'whispering' });
    h.ari.agentHangup(supervisorLegs()[0]!.id);
    await nothingOfTheMonitorLeft();
    expect(first.caller.isUp()).to.equal(true);
    expect(await first.owner.calls!.monitor.views()).to.not.have.key(first.callId);
    // Another listen of the same call afterwards, barged, then the caller leaves.
    expect((await sup.command('call:monitor', { callId: first.callId, mode: 'barge' })).ok).to.equal(true);
    await waitFor(() => bridge(`br-${first.callId}`)?.channels.length === 3, { what: 'barged in' });
    first.caller.hangup();
    await nothingOfTheMonitorLeft();
    const doc = await waitFor(async () => {
      const d = await first.owner.models.Call.findOne({ callId: first.callId }).lean();
      return d?.monitoring?.length === 2 && d.monitoring[1]!.endedAt ? d : undefined;
    }, { what: 'both monitors on the Call' });
    expect(doc.monitoring!.map((m) => m.mode)).to.deep.equal(['whisper', 'barge']);
  });

  it('refusals in Chinese: a second supervisor, bad input, a call not in conversation, no phone; nothing rung', async () => {
    const { caller, callId, other } = await talkingCall('13800005504');
    const sup = await board(other);
    expect((await sup.command('call:monitor', { callId, mode: 'listen' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'listening' });
    h.ari.clearRequests();

    // One monitor per call: the admin (also allowed to monitor) is refused while 2001 listens.
    const adminBoard = await board(other, '9001');
    const second = await adminBoard.command('call:monitor', { callId, mode: 'barge' });
    expect(second.ok).to.equal(false);
    expect(!second.ok && second.error).to.include({ code: 'conflict' });
    expect(!second.ok && second.error.zh).to.contain('正由').and.to.contain('2001');
    expect((await adminBoard.command('call:monitor-stop', { callId })).ok, 'nor may they stop it').to.equal(false);

    const bad = await sup.command('call:monitor', { callId, mode: 'sideways' });
    expect(!bad.ok && bad.error).to.include({ code: 'validation', zh: '请从列表中选择监听方式' });
    const noCall = await sup.command('call:monitor', { callId: 'no-such-call', mode: 'listen' });
    expect(!noCall.ok && noCall.error).to.include({ code: 'not_found', zh: '该通话已结束或不存在' });
    expect(ringsOfSupervisor()).to.deep.equal([]);
    expect(h.ari.requests().filter((r) => r.path.includes('/snoop'))).to.deep.equal([]);

    await sup.command('call:monitor-stop', { callId });
    await nothingOfTheMonitorLeft();
    // The admin has no desk phone in the seed: refused before anything is rung.
    const noPhone = await adminBoard.command('call:monitor', { callId, mode: 'listen' });
    expect(!noPhone.ok && noPhone.error.zh).to.contain('分机');
    expect(ringsOfSupervisor()).to.deep.equal([]);
    caller.hangup();
    await callClosed(h, caller);

    // A call still waiting in the queue cannot be monitored.
    await h.calls.agents.change('1001', 'not_ready', 'other');
    const waiting = h.ari.placeCall({ callerNumber: '13800005505', dtmf: [{ digit: '1', afterMs: 0 }] });
    await callInState(h, waiting, 'queued');
    const queued = (await h.node.models.Call.findOne({ callerChannelId: waiting.id }).lean())!;
    const early = await sup.command('call:monitor', { callId: queued.callId, mode: 'listen' });
    expect(!early.ok && early.error.zh).to.contain('只能监听通话中的来电');
    waiting.hangup();
    await callClosed(h, waiting);
  });

  it('an agent cannot monitor: /supervisor refuses the agent, /agent drops the command, the service refuses the role', async () => {
    const { caller, callId, owner } = await talkingCall('13800005506');
    const agentToken = (await login(owner.url, '1002', PASSWORD)).token;
    const refused = new ConsoleClient(owner.url, '/supervisor', agentToken);
    const err = (await refused.connect().catch((e: Error & { data?: { code: string } }) => e)) as Error & { data?: { code: string } };
    expect(err.data?.code).to.equal('forbidden');
    refused.close();

    const agent = new ConsoleClient<object, object>(owner.url, '/agent', agentToken);
    clients.push(agent);
    await agent.connect();
    let answered = false;
    agent.raw.emit('call:monitor', { callId, mode: 'listen' }, () => (answered = true));
    // Packets are handled in order: once a later command is answered, the first would have been.
    expect((await agent.command('session:resync')).ok).to.equal(true);
    expect(answered).to.equal(false);
    const direct = await owner.calls!.monitor.monitor(callId, 'listen', { workNumber: '1002', role: 'agent' }).catch((e: { code?: string; zh?: string }) => e);
    expect(direct).to.include({ code: 'forbidden' });
    expect(ringsOfSupervisor().filter((r) => params(r).appArgs === `monitor,${callId}`)).to.deep.equal([]);
    expect(await owner.calls!.monitor.views()).to.not.have.key(callId);
    caller.hangup();
    await callClosed(h, caller);
  });

  it('the agent is told of a barge and of its end, not of a listen (MONITOR_TELL_AGENT unset)', async () => {
    const { caller, callId, owner, other } = await talkingCall('13800005508');
    const agent = new ConsoleClient<object, object>(other.url, '/agent', (await login(other.url, '1001', PASSWORD)).token);
    clients.push(agent);
    await agent.connect();
    const from = agent.mark();
    const sup = await board(owner);
    expect((await sup.command('call:monitor', { callId, mode: 'listen' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'listening' });
    expect((await sup.command('call:monitor', { callId, mode: 'barge' })).ok).to.equal(true);
    const barged = await agent.next<AgentMonitorNotice>('call:monitor', () => true, { from });
    expect(barged).to.deep.equal({ callId, mode: 'barge', supervisor: '2001', supervisorName: '班长 林国栋' });
    expect((await sup.command('call:monitor-stop', { callId })).ok).to.equal(true);
    const over = await agent.next<AgentMonitorNotice>('call:monitor', (m) => m.mode === null, { from });
    expect(over).to.include({ callId, supervisor: '2001' });
    expect(agent.events('call:monitor', from).map((m) => (m as AgentMonitorNotice).mode)).to.deep.equal(['barge', null]);
    caller.hangup();
    await callClosed(h, caller);
  });

  it('a switch while the supervisor’s phone still rings takes effect on the answer (barge: no snoop at all)', async () => {
    h.pbx.setPhone(SUPERVISOR_EXTENSION, { behaviour: { kind: 'answer', afterMs: 1500 } });
    const { caller, callId, agentLeg, other } = await talkingCall('13800005507');
    const sup = await board(other);
    h.ari.clearRequests();
    const first = await sup.command<MonitorView>('call:monitor', { callId, mode: 'listen' });
    expect(first.ok && first.data.phase).to.equal('dialing');
    const switched = await sup.command<MonitorView>('call:monitor', { callId, mode: 'barge' });
    expect(switched.ok && switched.data).to.include({ mode: 'barge', phase: 'dialing' });
    await waitFor(() => bridge(`br-${callId}`)?.channels.length === 3, { what: 'barged in on answer' });
    expect(snoopRequests(agentLeg)).to.deep.equal([]);
    caller.hangup();
    await callClosed(h, caller);
    await nothingOfTheMonitorLeft();
  });

  /** 1001's console: it runs the transfers of its call. */
  async function agentConsole(node: CtiNode, workNumber = '1001'): Promise<ConsoleClient<object, object>> {
    const c = new ConsoleClient<object, object>(node.url, '/agent', (await login(node.url, workNumber, PASSWORD)).token);
    clients.push(c);
    await c.connect();
    return c;
  }

  /** The Call's agent leg once the hand-over is on record. */
  const legAfterHandOver = (callId: string, before: string) =>
    waitFor(async () => {
      const c = await h.node.models.Call.findOne({ callId }).lean();
      return c?.agentChannelId && c.agentChannelId !== before ? c.agentChannelId : undefined;
    }, { what: 'hand-over on record' });

  it('a consult transfer completed while listening: the monitor follows the call to the colleague’s leg with a new snoop, same supervisor call, same entry', async () => {
    await h.calls.agents.change('1005', 'ready');
    const { caller, callId, agentLeg, owner, other } = await talkingCall('13800005511');
    const agent = await agentConsole(owner);
    const sup = await board(other);
    h.ari.clearRequests();
    expect((await sup.command('call:monitor', { callId, mode: 'listen' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'listening' });
    const [supLeg] = supervisorLegs();
    const [firstSnoop] = snoops();

    expect((await agent.command('call:consult', { callId, target: '1005' })).ok).to.equal(true);
    await agent.next<{ stage: string }>('transfer:update', (t) => t.stage === 'consulting');
    expect((await agent.command('call:consult-complete', { callId })).ok).to.equal(true);
    const newLeg = await legAfterHandOver(callId, agentLeg);

    // A new listen snoop on the colleague's leg, in the same monitor bridge with the same supervisor leg.
    const following = await waitFor(() => {
      const b = monitorBridge();
      return b?.channels.length === 2 && !b.channels.includes(firstSnoop!.id) ? b : undefined;
    }, { what: 'the monitor bridge with a snoop on the new leg' });
    expect(following.channels).to.include(supLeg!.id);
    expect(snoopRequests(newLeg).map(params)).to.deep.equal([{ spy: 'both', whisper: 'none', app: `hotline-${other.config.NODE_ID}`, appArgs: `snoop,${callId}` }]);
    expect(snoops().map((c) => c.id)).to.deep.equal(following.channels.filter((id) => id !== supLeg!.id));
    expect(supervisorLegs().map((c) => c.id)).to.deep.equal([supLeg!.id]);
    expect(ringsOfSupervisor(), 'the supervisor is not rung again').to.have.length(1);
    expect((await other.calls!.monitor.views()).get(callId)).to.include({ supervisor: '2001', mode: 'listen', phase: 'active' });
    expect(bridge(`br-${callId}`)?.channels).to.have.members([caller.id, newLeg]);

    // Still one listen on the Call, closed when the caller leaves.
    caller.hangup();
    await callClosed(h, caller);
    await nothingOfTheMonitorLeft();
    const doc = await waitFor(async () => {
      const d = await owner.models.Call.findOne({ callId }).lean();
      return d?.monitoring?.[0]?.endedAt ? d : undefined;
    }, { what: 'monitoring entry closed' });
    expect(doc.monitoring!.map((m) => [m.supervisor, m.mode])).to.deep.equal([['2001', 'listen']]);
    expect(doc.agentWorkNumber).to.equal('1005');
  });

  it('the agent hangs up during the consult: the snoop ends with their leg, the supervisor stays on and hears the colleague once they take the caller', async () => {
    await h.calls.agents.change('1005', 'ready');
    const { caller, callId, agentLeg, owner, other } = await talkingCall('13800005514');
    const agent = await agentConsole(owner);
    const sup = await board(other);
    expect((await sup.command('call:monitor', { callId, mode: 'listen' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'listening' });
    const [supLeg] = supervisorLegs();
    expect((await agent.command('call:consult', { callId, target: '1005' })).ok).to.equal(true);
    await agent.next<{ stage: string }>('transfer:update', (t) => t.stage === 'consulting');
    h.ari.clearRequests();

    // Their leg, and the snoop on it, end before the call names the colleague.
    h.ari.agentHangup(agentLeg);
    const newLeg = await legAfterHandOver(callId, agentLeg);
    await waitFor(() => snoopRequests(newLeg).length === 1 && monitorBridge()?.channels.length === 2 && snoops().length === 1, { what: 'a snoop on the colleague’s leg' });
    expect(monitorBridge()!.channels).to.include(supLeg!.id);
    expect(supervisorLegs().map((c) => c.id)).to.deep.equal([supLeg!.id]);
    expect((await other.calls!.monitor.views()).get(callId)).to.include({ mode: 'listen', phase: 'active' });
    caller.hangup();
    await callClosed(h, caller);
    await nothingOfTheMonitorLeft();
  });

  it('barged in, then a consult transfer completed: the supervisor stays in the call bridge; the colleague’s console is told, the first agent’s no more', async () => {
    await h.calls.agents.change('1005', 'ready');
    const { caller, callId, agentLeg, owner, other } = await talkingCall('13800005515');
    const first = await agentConsole(owner);
    const colleague = await agentConsole(other, '1005');
    const sup = await board(other);
    expect((await sup.command('call:monitor', { callId, mode: 'barge' })).ok).to.equal(true);
    await first.next<AgentMonitorNotice>('call:monitor', (m) => m.mode === 'barge');
    const [supLeg] = supervisorLegs();
    h.ari.clearRequests();
    expect((await first.command('call:consult', { callId, target: '1005' })).ok).to.equal(true);
    await first.next<{ stage: string }>('transfer:update', (t) => t.stage === 'consulting');
    const from = first.mark();
    expect((await first.command('call:consult-complete', { callId })).ok).to.equal(true);
    const newLeg = await legAfterHandOver(callId, agentLeg);

    const told = await colleague.next<AgentMonitorNotice>('call:monitor', () => true);
    expect(told).to.deep.equal({ callId, mode: 'barge', supervisor: '2001', supervisorName: '班长 林国栋' });
    await first.next<AgentMonitorNotice>('call:monitor', (m) => m.mode === null, { from });
    await waitFor(() => bridge(`br-${callId}`)?.channels.length === 3, { what: 'caller, colleague and supervisor' });
    expect(bridge(`br-${callId}`)?.channels).to.have.members([caller.id, newLeg, supLeg!.id]);
    expect(h.ari.requests().filter((r) => r.path.includes('/snoop'))).to.deep.equal([]);
    // The colleague's console, reloaded, shows it too.
    const resync = await colleague.command<AgentSnapshot>('session:resync');
    expect(resync.ok && resync.data.monitor).to.deep.include({ callId, mode: 'barge' });
    caller.hangup();
    await callClosed(h, caller);
    await nothingOfTheMonitorLeft();
  });

  it('转部门 while whispering: the monitor follows the call to the department’s trunk leg', async () => {
    const { caller, callId, agentLeg, owner } = await talkingCall('13800005512');
    const agent = await agentConsole(owner);
    const sup = await board(owner);
    h.ari.setCallee(DEPT_NUMBER, { kind: 'answer', afterMs: 300 });
    expect((await sup.command('call:monitor', { callId, mode: 'whisper' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'whispering' });
    const [supLeg] = supervisorLegs();
    h.ari.clearRequests();

    expect((await agent.command('call:transfer-out', { callId, number: DEPT_NUMBER })).ok).to.equal(true);
    const trunkLeg = await legAfterHandOver(callId, agentLeg);
    const whisperedOn = await waitFor(() => snoopRequests(trunkLeg)[0], { what: 'a snoop on the trunk leg' });
    expect(params(whisperedOn)).to.include({ spy: 'both', whisper: 'out' });
    await waitFor(() => {
      const b = monitorBridge();
      return b?.channels.length === 2 && b.channels.includes(supLeg!.id) && snoops().length === 1 && b.channels.includes(snoops()[0]!.id);
    }, { what: 'the new snoop in the monitor bridge' });
    expect((await owner.calls!.monitor.views()).get(callId)).to.include({ mode: 'whisper', phase: 'active' });
    caller.hangup();
    await callClosed(h, caller);
    await nothingOfTheMonitorLeft();
  });

  it('an agent console that reconnects during a barge gets it in its snapshot; after the end, no more', async () => {
    const { caller, callId, owner, other } = await talkingCall('13800005513');
    const agent = await agentConsole(other);
    const sup = await board(owner);
    // A listen is not told (MONITOR_TELL_AGENT unset), in the snapshot neither.
    expect((await sup.command('call:monitor', { callId, mode: 'listen' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'listening' });
    const reconnect = async () => {
      agent.close();
      const from = agent.mark();
      await agent.connect();
      return agent.next<AgentSnapshot>('session:snapshot', () => true, { from });
    };
    expect((await reconnect()).monitor).to.equal(null);

    expect((await sup.command('call:monitor', { callId, mode: 'barge' })).ok).to.equal(true);
    await waitFor(() => bridge(`br-${callId}`)?.channels.length === 3, { what: 'barged in' });
    const during = await reconnect();
    expect(during.state).to.include({ state: 'talking', callId });
    expect(during.monitor).to.deep.equal({ callId, mode: 'barge', supervisor: '2001', supervisorName: '班长 林国栋' });
    // session:resync (the console's refresh) says the same.
    const resync = await agent.command<AgentSnapshot>('session:resync');
    expect(resync.ok && resync.data.monitor).to.deep.include({ mode: 'barge' });

    expect((await sup.command('call:monitor-stop', { callId })).ok).to.equal(true);
    await nothingOfTheMonitorLeft();
    expect((await reconnect()).monitor).to.equal(null);
    caller.hangup();
    await callClosed(h, caller);
  });

  // Last: it stops a process.
  it('the process that started the monitor stops: a survivor ends the monitor at its sweep; the call goes on', async () => {
    const { caller, callId, agentLeg, owner, other } = await talkingCall('13800005509');
    const sup = await board(other);
    expect((await sup.command('call:monitor', { callId, mode: 'listen' })).ok).to.equal(true);
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'listening' });
    await h.kill(other.config.NODE_ID);
    await waitFor(() => !h.ari.channels().some((c) => isMonitor(c.id)) && !h.ari.bridges().some((b) => isMonitor(b.id)), { what: 'monitor ended by the survivor', timeoutMs: 20_000 });
    expect(await owner.calls!.monitor.views()).to.not.have.key(callId);
    expect(bridge(`br-${callId}`)?.channels).to.have.members([caller.id, agentLeg]);
    caller.hangup();
    await callClosed(h, caller);
  });
});

describe('supervisor monitoring with MONITOR_TELL_AGENT=true: the agent is told of listen and whisper too', function () {
  this.timeout(60_000);
  let h: PbxHarness;

  before(async () => {
    h = await PbxHarness.start({ ready: ['1001'], env: { MONITOR_TELL_AGENT: 'true', OUTAGE_IVR: 'false' } });
    h.pbx.setPhone(SUPERVISOR_EXTENSION, { behaviour: { kind: 'answer', afterMs: 200 } });
  });
  after(async () => h?.stop());

  it('listen, whisper, barge and the end each reach the agent console', async () => {
    const caller = h.ari.placeCall({ callerNumber: '13800005510', dtmf: [{ digit: '1', afterMs: 0 }] });
    await callInState(h, caller, 'talking');
    const { callId } = (await h.node.models.Call.findOne({ callerChannelId: caller.id }).lean())!;
    const agent = new ConsoleClient<object, object>(h.node.url, '/agent', (await login(h.node.url, '1001', PASSWORD)).token);
    const sup = new ConsoleClient<object, object>(h.node.url, '/supervisor', (await login(h.node.url, '2001', PASSWORD)).token);
    try {
      await agent.connect();
      await sup.connect();
      const from = agent.mark();
      for (const mode of ['listen', 'whisper', 'barge'] as const) {
        expect((await sup.command('call:monitor', { callId, mode })).ok).to.equal(true);
        await agent.next<AgentMonitorNotice>('call:monitor', (m) => m.mode === mode, { from });
      }
      expect((await sup.command('call:monitor-stop', { callId })).ok).to.equal(true);
      await agent.next<AgentMonitorNotice>('call:monitor', (m) => m.mode === null, { from });
      expect(agent.events('call:monitor', from).map((m) => (m as AgentMonitorNotice).mode)).to.deep.equal(['listen', 'whisper', 'barge', null]);
    } finally {
      agent.close();
      sup.close();
      caller.hangup();
    }
    await callClosed(h, caller);
  });
});

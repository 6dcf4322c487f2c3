import { randomBytes } from 'node:crypto';
import { conflict, forbidden, notFound, unavailable } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { MonitorMode, MonitorView } from '../../contracts/monitor';
import { MONITOR_MODE_ZH } from '../../contracts/zh';
import type { EventBus } from '../../events/event-bus';
import type { Models } from '../../models';
import type { Role } from '../../models/enums';
import type { RecordOutbox } from '../../queue/record-outbox';
import type { AcdStore } from '../acd/acd-store';
import type { AriEvent } from '../ari/events';
import type { AriPort } from '../ari/port';
import { bridgeIdOf } from '../calls/bridge-and-record';
import { callRecordKey } from '../calls/call-record';
import type { PlacedCallRouter } from '../calls/placed-call-router';
import { agentSees } from './agent-notice';
import { monitorBridgeId, monitorLegOf, SNOOP_APP_ARG, snoopId, SUPERVISOR_APP_ARG, supervisorLegId } from './monitor-ids';
import { viewOf, type MonitorSession, type MonitoringEntry, type MonitorStore } from './monitor-store';

export interface MonitorSettings {
  node: string;
  /** This process's Stasis app: the supervisor's leg and the snoops are created in it. */
  app: string;
  /** MONITOR_TELL_AGENT: the agent's console is told of listen and whisper too (barge always). */
  tellAgent: boolean;
  /** How long the supervisor's phone rings. */
  ringSec: number;
  /** Shown on the supervisor's phone when the caller's number is withheld. */
  hotlineNumber: string;
}

export interface MonitorDeps {
  ari: AriPort;
  store: MonitorStore;
  models: Pick<Models, 'Agent' | 'Call' | 'RecordingAccess'>;
  outbox: RecordOutbox;
  bus: EventBus;
  acd: Pick<AcdStore, 'liveStep' | 'unreachablePhones'>;
  settings: MonitorSettings;
  logger: Logger;
}

/** Who asks, from where: the audit's who and where. */
export interface Monitorer {
  workNumber: string;
  role: Role;
  ip?: string;
}

const SNOOP_DIRECTIONS = { listen: { spy: 'both', whisper: 'none' }, whisper: { spy: 'both', whisper: 'out' } } as const;
const CAS_TRIES = 5;

/**
 * Supervisor listen / whisper / barge on a call in conversation (trace 11). The supervisor's desk
 * phone is originated into this process's app; once it answers it sits in a mixing bridge of its
 * own with a snoop on the agent's leg: `spy=both whisper=none` to listen, `whisper=out` to whisper
 * (the agent alone hears it). A snoop's directions cannot change, so a switch replaces the snoop,
 * never the supervisor's call. Barge moves the supervisor into the call's bridge, whose recording
 * runs on untouched. The monitor lives in Redis (MonitorStore), so the board on any process starts,
 * switches or stops it; the events of its legs come to the process that started it, which finishes
 * each step. Every start and switch is audited (RecordingAccess) before it takes effect, and the
 * Call document keeps who monitored it, how and when.
 */
export class MonitorService implements PlacedCallRouter {
  private readonly log: Logger;
  /** One step at a time per call in this process; across processes the store's compare-and-set decides. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly d: MonitorDeps) {
    this.log = d.logger.child({ component: 'monitor' });
  }

  /**
   * Ends the monitor of a call that ended, whichever process hears it first; follows a call handed
   * over to a colleague or a department (the process whose app holds the monitor's legs does).
   */
  start(): () => void {
    return this.d.bus.subscribe((e) => {
      if (e.type === 'call.ended') {
        void this.inOrder(e.callId, () => this.end(e.callId, 'the call ended')).catch((err: Error) => this.log.error({ callId: e.callId, err: err.message }, 'monitor of an ended call not cleaned up'));
      } else if (e.type === 'call.transfer' && e.stage === 'completed') {
        void this.inOrder(e.callId, () => this.followHandOver(e.callId)).catch((err: Error) => this.log.error({ callId: e.callId, err: err.message }, 'monitor did not follow the hand-over'));
      }
    });
  }

  views(): Promise<Map<string, MonitorView>> {
    return this.d.store.views();
  }

  /** Starts monitoring `callId` in `mode`, or switches the supervisor's monitor to `mode`. */
  monitor(callId: string, mode: MonitorMode, by: Monitorer): Promise<MonitorView> {
    if (by.role !== 'supervisor' && by.role !== 'admin') return Promise.reject(forbidden('only supervisors and admins monitor calls', '只有班长和管理员可以监听通话'));
    return this.inOrder(callId, async () => {
      const cur = await this.d.store.get(callId);
      if (cur) return this.switchTo(cur, mode, by);
      return this.begin(callId, mode, by);
    });
  }

  /** Ends the supervisor's monitor of `callId`. */
  stop(callId: string, by: Monitorer): Promise<{ callId: string }> {
    return this.inOrder(callId, async () => {
      const cur = await this.d.store.get(callId);
      if (!cur) throw notFound('monitor', '该通话当前没有监听');
      if (cur.supervisor !== by.workNumber) throw this.taken(cur);
      await this.end(callId, `stopped by ${by.workNumber}`);
      return { callId };
    });
  }

  // ---- start, switch, end ------------------------------------------------------------------

  private async begin(callId: string, mode: MonitorMode, by: Monitorer): Promise<MonitorView> {
    const { acd, models, outbox, ari, store, settings } = this.d;
    const step = await acd.liveStep(callId);
    if (!step) throw notFound('call', '该通话已结束或不存在');
    if (step.state !== 'talking') throw conflict(`call ${callId} is ${step.state}, not in conversation`, '只能监听通话中的来电（该来电尚未接通）');
    const me = await models.Agent.findOne({ workNumber: by.workNumber }).select('name extension').lean();
    if (!me?.extension) throw conflict(`${by.workNumber} has no phone extension`, '您的账号没有配置分机号码，无法监听，请联系管理员设置分机');
    if ((await acd.unreachablePhones()).includes(me.extension)) throw conflict(`phone ${me.extension} is not reachable`, `您的话机（分机 ${me.extension}）未注册或不可达，无法监听`);
    // The answer's write names the agent's leg; it may still be on its way to MongoDB.
    await outbox.drained(callRecordKey(callId), 3000);
    const call = await models.Call.findOne({ callId }).select('state agentChannelId agentWorkNumber callerNumber').lean();
    if (!call?.agentChannelId || call.state === 'ended') throw conflict(`call ${callId} has no agent leg on record`, '通话信息尚未就绪，请稍后再试');
    if ((await ari.channelState(call.agentChannelId)) !== 'Up') throw conflict(`agent leg ${call.agentChannelId} is not up`, '坐席已不在通话中，无法监听');

    const s: MonitorSession = {
      id: randomBytes(4).toString('hex'),
      callId,
      supervisor: by.workNumber,
      supervisorName: me.name,
      extension: me.extension,
      mode,
      phase: 'dialing',
      app: settings.app,
      node: settings.node,
      agentChannel: call.agentChannelId,
      agentWorkNumber: call.agentWorkNumber ?? null,
      callBridge: bridgeIdOf(callId),
      snoop: null,
      snoops: 0,
      rev: 1,
      since: Date.now(),
    };
    const put = await store.put(callId, null, s);
    if (!put.ok) throw put.found ? this.taken(put.found) : conflict('the monitor changed meanwhile', '监听状态已变化，请刷新后重试');
    try {
      await this.audit(by, callId, mode);
    } catch (err) {
      await store.put(callId, s, null);
      throw err;
    }
    this.log.info({ callId, supervisor: by.workNumber, extension: me.extension, mode }, 'monitor: ringing the supervisor');
    try {
      await ari.originate({
        channelId: supervisorLegId(callId, s.id),
        endpoint: `PJSIP/${me.extension}`,
        app: settings.app,
        appArgs: `${SUPERVISOR_APP_ARG},${callId}`,
        // The supervisor's phone shows whose call it is about to join.
        callerId: call.callerNumber || settings.hotlineNumber,
        timeoutSec: settings.ringSec,
      });
    } catch (err) {
      this.log.error({ callId, err: (err as Error).message }, 'monitor: the supervisor phone could not be rung');
      await store.put(callId, s, null);
      throw unavailable(`the supervisor's phone could not be called: ${(err as Error).message}`, '无法呼叫您的话机，请稍后再试');
    }
    await this.tell(s);
    return viewOf(s);
  }

  private async switchTo(cur: MonitorSession, mode: MonitorMode, by: Monitorer): Promise<MonitorView> {
    if (cur.supervisor !== by.workNumber) throw this.taken(cur);
    if (cur.mode === mode) return viewOf(cur);
    await this.audit(by, cur.callId, mode);
    const now = new Date();
    const active = cur.phase === 'active';
    const next: MonitorSession = { ...cur, mode, rev: cur.rev + 1, since: now.getTime(), ...(active ? this.snoopFor(cur, mode) : {}) };
    const put = await this.d.store.put(cur.callId, cur, next, active ? { closeAt: now, open: { supervisor: cur.supervisor, mode, at: now } } : {});
    if (!put.ok) throw conflict('the monitor changed meanwhile', '监听状态已变化，请刷新后重试');
    this.log.info({ callId: cur.callId, supervisor: cur.supervisor, from: cur.mode, to: mode, phase: cur.phase }, 'monitor: mode switched');
    if (active) {
      await this.apply(next, cur);
      this.record(cur.callId, put.log);
    }
    await this.tell(next, cur);
    return viewOf(next);
  }

  /** The snoop a mode needs: a new one for listen and whisper, none for barge. */
  private snoopFor(s: MonitorSession, mode: MonitorMode): Pick<MonitorSession, 'snoop' | 'snoops'> {
    if (mode === 'barge') return { snoop: null, snoops: s.snoops };
    return { snoop: snoopId(s.callId, s.id, s.snoops + 1), snoops: s.snoops + 1 };
  }

  /**
   * Moves the supervisor from what `prev` had (null: just answered, in the monitor bridge) to what
   * `s` asks for, as trace 11 does it: the old snoop hung up before the new one is made, the
   * supervisor taken out of one bridge before being added to the other.
   */
  private async apply(s: MonitorSession, prev: MonitorSession | null): Promise<void> {
    const { ari } = this.d;
    const sup = supervisorLegId(s.callId, s.id);
    const monitor = monitorBridgeId(s.callId, s.id);
    const wasBarged = prev?.phase === 'active' && prev.mode === 'barge';
    if (s.mode === 'barge') {
      if (!wasBarged) await ari.removeFromBridge(monitor, [sup]).catch((err: Error) => this.log.warn({ callId: s.callId, err: err.message }, 'monitor: supervisor not in the monitor bridge'));
      if (prev?.snoop) await ari.hangup(prev.snoop);
      await ari.addToBridge(s.callBridge, [sup]);
      return;
    }
    if (wasBarged) {
      await ari.removeFromBridge(s.callBridge, [sup]).catch((err: Error) => this.log.warn({ callId: s.callId, err: err.message }, 'monitor: supervisor not in the call bridge'));
      await ari.addToBridge(monitor, [sup]);
    }
    if (prev?.snoop) await ari.hangup(prev.snoop);
    // Added to the monitor bridge when it enters the app (snoopUp): only a channel in Stasis can be.
    await ari.snoop({ channelId: s.agentChannel, snoopId: s.snoop!, ...SNOOP_DIRECTIONS[s.mode], app: s.app, appArgs: `${SNOOP_APP_ARG},${s.callId}` });
  }

  /**
   * The monitor is over (stopped, the supervisor hung up, the call or the agent's leg ended): its
   * legs hung up and its bridge gone, once, whoever gets here first.
   */
  private async end(callId: string, why: string): Promise<void> {
    for (let i = 0; i < CAS_TRIES; i++) {
      const cur = await this.d.store.get(callId);
      if (!cur) return;
      const now = new Date();
      const put = await this.d.store.put(callId, cur, null, cur.phase === 'active' ? { closeAt: now } : {});
      if (!put.ok) continue;
      this.log.info({ callId, supervisor: cur.supervisor, mode: cur.mode, why }, 'monitor ended');
      const { ari } = this.d;
      if (cur.snoop) await ari.hangup(cur.snoop).catch(() => undefined);
      await ari.hangup(supervisorLegId(callId, cur.id)).catch(() => undefined);
      await ari.destroyBridge(monitorBridgeId(callId, cur.id)).catch(() => undefined);
      if (cur.phase === 'active') this.record(callId, put.log);
      await this.tell(null, cur);
      return;
    }
    this.log.warn({ callId, why }, 'monitor kept changing while being ended');
  }

  // ---- the monitor's own legs --------------------------------------------------------------

  route(e: AriEvent): Promise<void> | null {
    switch (e.type) {
      case 'StasisStart': {
        const leg = monitorLegOf(e.channel.id);
        const [role, callId] = e.args;
        if (role !== SUPERVISOR_APP_ARG && role !== SNOOP_APP_ARG && !leg) return null;
        if (!leg || !callId || leg.callId !== callId) {
          this.log.warn({ channelId: e.channel.id, args: e.args }, 'monitor leg not named as expected: hanging up');
          return this.d.ari.hangup(e.channel.id);
        }
        return this.inOrder(callId, () => (leg.leg === 'supervisor' ? this.supervisorAnswered(e.channel.id, leg.callId) : this.snoopUp(e.channel.id, leg.callId)));
      }
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        const leg = monitorLegOf(e.channel.id);
        if (!leg) return null;
        return this.inOrder(leg.callId, () => this.legGone(e.channel.id, leg.callId, leg.leg, e.type === 'ChannelDestroyed' ? e.cause : undefined));
      }
      case 'Dial':
        return monitorLegOf(e.peer.id) ? Promise.resolve() : null;
      case 'ChannelStateChange':
      case 'ChannelDtmfReceived':
      case 'ChannelHangupRequest':
      case 'ChannelEnteredBridge':
      case 'ChannelLeftBridge':
        return monitorLegOf(e.channel.id) ? Promise.resolve() : null;
      default:
        return null;
    }
  }

  /** The supervisor took the phone: into the monitor bridge, then the mode asked for (perhaps switched while it rang). */
  private async supervisorAnswered(channelId: string, callId: string): Promise<void> {
    const { ari, store } = this.d;
    for (let i = 0; i < CAS_TRIES; i++) {
      const cur = await store.get(callId);
      if (!cur || supervisorLegId(callId, cur.id) !== channelId || cur.phase !== 'dialing') {
        this.log.warn({ callId, channelId }, 'supervisor leg of a monitor that is over: hanging up');
        await ari.hangup(channelId);
        return;
      }
      const now = new Date();
      const next: MonitorSession = { ...cur, phase: 'active', rev: cur.rev + 1, since: now.getTime(), ...this.snoopFor(cur, cur.mode) };
      const put = await store.put(callId, cur, next, { open: { supervisor: cur.supervisor, mode: cur.mode, at: now } });
      if (!put.ok) continue;
      this.log.info({ callId, supervisor: cur.supervisor, mode: cur.mode }, 'monitor: supervisor answered');
      try {
        await ari.createBridge(monitorBridgeId(callId, cur.id), 'mixing');
        await ari.addToBridge(monitorBridgeId(callId, cur.id), [channelId]);
        await this.apply(next, null);
      } catch (err) {
        this.log.error({ callId, err: (err as Error).message }, 'monitor could not be set up: ending it');
        await this.end(callId, 'set-up failed');
        return;
      }
      this.record(callId, put.log);
      await this.tell(next, cur);
      return;
    }
  }

  private async snoopUp(channelId: string, callId: string): Promise<void> {
    const cur = await this.d.store.get(callId);
    if (!cur || cur.snoop !== channelId) {
      // Replaced while it was being made (a quick second switch), or the monitor ended.
      await this.d.ari.hangup(channelId);
      return;
    }
    await this.d.ari.addToBridge(monitorBridgeId(callId, cur.id), [channelId]);
  }

  /**
   * The supervisor hung up (or never answered), or the snoop in use ended by itself: the agent's
   * leg it hangs on is gone. A snoop this service replaced or hung up is no longer in use.
   */
  private async legGone(channelId: string, callId: string, leg: 'supervisor' | 'snoop', cause?: number): Promise<void> {
    const cur = await this.d.store.get(callId);
    if (!cur) return;
    if (leg === 'supervisor' && supervisorLegId(callId, cur.id) === channelId) {
      await this.end(callId, cur.phase === 'dialing' ? `the supervisor's phone did not answer (cause ${cause ?? '?'})` : 'the supervisor hung up');
    } else if (leg === 'snoop' && cur.snoop === channelId) {
      await this.agentLegGone(cur);
    }
  }

  /**
   * The snoop in use ended with the agent's leg. A completed transfer hangs that leg up once the
   * call names its new holder, and its `call.transfer` event may come after this: the monitor then
   * goes on with the new leg. Otherwise the call is ending (its `call.ended` ends the monitor too),
   * or has ended.
   */
  private async agentLegGone(cur: MonitorSession): Promise<void> {
    const { callId } = cur;
    const now = await this.agentLegOnRecord(callId);
    if (!now) return this.end(callId, "the agent's leg ended with the call");
    if (now.channel !== cur.agentChannel) return this.follow(callId, now, 'the old snoop ended');
    // Nothing to snoop on until the hand-over is on record or the call ends: the supervisor waits, still connected.
    for (let i = 0; i < CAS_TRIES; i++) {
      const read = await this.d.store.get(callId);
      if (!read || read.id !== cur.id || read.snoop !== cur.snoop) return;
      if ((await this.d.store.put(callId, read, { ...read, snoop: null, rev: read.rev + 1 })).ok) {
        this.log.info({ callId, agentLeg: cur.agentChannel }, "monitor: the agent's leg ended, waiting for the call's hand-over or its end");
        return;
      }
    }
  }

  /** After a completed transfer: the monitor moves to the call's new leg if it has not already. */
  private async followHandOver(callId: string): Promise<void> {
    const cur = await this.d.store.get(callId);
    // The monitor's legs live in the app of the process that started it: it alone moves them.
    if (!cur || cur.node !== this.d.settings.node) return;
    const now = await this.agentLegOnRecord(callId);
    if (now && now.channel !== cur.agentChannel) await this.follow(callId, now, 'transfer completed');
  }

  /**
   * The call's leg on our side as the Call document names it (a colleague's after a consult
   * transfer, the department's trunk leg after 转部门), and whose it is; null once the call ended.
   */
  private async agentLegOnRecord(callId: string): Promise<{ channel: string; workNumber: string | null } | null> {
    await this.d.outbox.drained(callRecordKey(callId), 3000);
    const call = await this.d.models.Call.findOne({ callId }).select('state agentChannelId agentWorkNumber handovers').lean();
    if (!call?.agentChannelId || call.state === 'ended') return null;
    const last = call.handovers?.[call.handovers.length - 1];
    // After a hand-over the call's holder is the one its last entry names (a department: no console to tell).
    const workNumber = last ? (last.kind === 'consult' ? (last.to ?? null) : null) : (call.agentWorkNumber ?? null);
    return { channel: call.agentChannelId, workNumber };
  }

  /**
   * The call's agent leg changed hands: a listen or whisper goes on with a new snoop on the new leg
   * (same supervisor leg, same monitor bridge, same mode, same entry on the Call); a barge needs
   * nothing, the supervisor is in the call's bridge already. The agents' consoles are told.
   */
  private async follow(callId: string, to: { channel: string; workNumber: string | null }, why: string): Promise<void> {
    for (let i = 0; i < CAS_TRIES; i++) {
      const cur = await this.d.store.get(callId);
      if (!cur || cur.agentChannel === to.channel) return;
      const { mode } = cur;
      const snooping = cur.phase === 'active' && mode !== 'barge';
      const next: MonitorSession = { ...cur, agentChannel: to.channel, agentWorkNumber: to.workNumber, rev: cur.rev + 1, ...(snooping ? this.snoopFor(cur, mode) : {}) };
      if (!(await this.d.store.put(callId, cur, next)).ok) continue;
      this.log.info({ callId, supervisor: cur.supervisor, mode: cur.mode, from: cur.agentChannel, to: to.channel, why }, 'monitor: following the call to its new leg');
      if (snooping) {
        const { ari } = this.d;
        if (cur.snoop) await ari.hangup(cur.snoop).catch(() => undefined);
        try {
          await ari.snoop({ channelId: to.channel, snoopId: next.snoop!, ...SNOOP_DIRECTIONS[mode], app: next.app, appArgs: `${SNOOP_APP_ARG},${callId}` });
        } catch (err) {
          this.log.error({ callId, err: (err as Error).message }, 'monitor could not follow the call: ending it');
          await this.end(callId, 'no snoop on the new leg');
          return;
        }
      }
      if (cur.agentWorkNumber !== next.agentWorkNumber) await this.tellHandOver(cur, next);
      return;
    }
    this.log.warn({ callId }, 'monitor kept changing while following the call');
  }

  interrupted(): number {
    return 0;
  }

  /** Monitors whose process stopped beating: their legs would never be looked after again. */
  async sweep(alive: (node: string) => Promise<boolean>): Promise<number> {
    let ended = 0;
    for (const s of await this.d.store.all()) {
      if (s.node === this.d.settings.node || (await alive(s.node))) continue;
      await this.inOrder(s.callId, () => this.end(s.callId, `process ${s.node} stopped`));
      ended++;
    }
    return ended;
  }

  /** At start-up: monitors this node ran before it restarted are ended (their legs' events went nowhere). */
  async recoverOwn(): Promise<number> {
    let ended = 0;
    for (const s of await this.d.store.all()) {
      if (s.node !== this.d.settings.node) continue;
      await this.inOrder(s.callId, () => this.end(s.callId, 'left by an earlier run'));
      ended++;
    }
    return ended;
  }

  // ---- record, audit, tell -----------------------------------------------------------------

  private taken(s: MonitorSession) {
    return conflict(`call ${s.callId} is monitored by ${s.supervisor}`, `该通话正由 ${s.supervisorName}（${s.supervisor}）${MONITOR_MODE_ZH[s.mode]}，同一通话只能有一位班长监听`);
  }

  /** Before the phone is rung or the mode changed: a monitor that cannot be audited does not happen. */
  private async audit(by: Monitorer, callId: string, mode: MonitorMode): Promise<void> {
    await this.d.models.RecordingAccess.create({ at: new Date(), workNumber: by.workNumber, role: by.role, callId, via: mode, ...(by.ip ? { ip: by.ip } : {}) });
  }

  /** The Call's `monitoring`, whole: the log in Redis is the one list every process adds to. */
  private record(callId: string, log: MonitoringEntry[]): void {
    if (log.length === 0) return;
    void this.d.outbox
      .write(callRecordKey(callId), { collection: 'calls', filter: { callId }, set: { monitoring: log } })
      .catch((err: Error) => this.log.error({ callId, err: err.message }, 'monitoring not recorded on the call'));
  }

  private agentSees(s: MonitorSession | null | undefined): MonitorMode | null {
    return agentSees(s, this.d.settings.tellAgent);
  }

  /** The board reads the monitor again; the agent's console is told when what it shows changes. */
  private async tell(s: MonitorSession | null, prev?: MonitorSession): Promise<void> {
    const base = (s ?? prev)!;
    const sees = this.agentSees(s);
    await this.d.bus
      .publish({
        type: 'call.monitor',
        callId: base.callId,
        agentWorkNumber: base.agentWorkNumber,
        supervisor: base.supervisor,
        supervisorName: base.supervisorName,
        mode: s ? s.mode : null,
        agentSees: sees,
        tellAgent: sees !== this.agentSees(prev),
        at: Date.now(),
      })
      .catch((err: Error) => this.log.warn({ callId: base.callId, err: err.message }, 'monitor change not published'));
  }

  /** The agent who handed the call on no longer sees the monitor; the one who took it does. */
  private async tellHandOver(prev: MonitorSession, next: MonitorSession): Promise<void> {
    const told = [
      { agentWorkNumber: prev.agentWorkNumber, agentSees: null, tellAgent: this.agentSees(prev) !== null },
      { agentWorkNumber: next.agentWorkNumber, agentSees: this.agentSees(next), tellAgent: this.agentSees(next) !== null },
    ];
    for (const t of told) {
      if (!t.tellAgent) continue;
      await this.d.bus
        .publish({ type: 'call.monitor', callId: next.callId, supervisor: next.supervisor, supervisorName: next.supervisorName, mode: next.mode, ...t, at: Date.now() })
        .catch((err: Error) => this.log.warn({ callId: next.callId, err: err.message }, 'monitor change not published'));
    }
  }

  private inOrder<T>(callId: string, step: () => Promise<T>): Promise<T> {
    const run = (this.chains.get(callId) ?? Promise.resolve()).then(step);
    const tail = run.catch(() => undefined);
    this.chains.set(callId, tail);
    void tail.then(() => {
      if (this.chains.get(callId) === tail) this.chains.delete(callId);
    });
    return run;
  }
}

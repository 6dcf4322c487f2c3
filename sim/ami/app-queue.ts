import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentWav } from '../../core/wav';
import type { FallbackCaller, PbxModel } from '../pbx';
import type { AmiHeaders } from './protocol';
import {
  agentEvent,
  deviceStateChange,
  mixMonitorStart,
  queueCallerAbandon,
  queueCallerJoin,
  queueCallerLeave,
  queueEntry,
  queueMember,
  queueMemberStatus,
  queueParams,
  type CallerView,
  type MemberChannelView,
  type MemberView,
} from './queue-events';
import { QueueLogWriter, queueLogLine } from './queue-log';

/**
 * Asterisk's own queue (app_queue) and MixMonitor as the simulated PBX plays them for callers
 * the dialplan sent to its fallback (asterisk-conf/extensions.conf `[from-pstn-fallback]`,
 * asterisk-conf/queues.conf `[hotline-fallback]`). Ground truth: trace ami/06-queue-fallback of
 * Asterisk 22.10.1: the AMI events in their order and fields, the queue_log lines, the recording
 * named after the caller's Uniqueid.
 *
 * Modelled: strategy rrmemory (one phone at a time per caller, starting after the phone that took
 * the last call), `timeout` per ring, `retry` between rings, ringinuse=no, joinempty=yes, several
 * callers ringing several free phones (autofill), the Queue() wait limit, abandon, the agent or the
 * caller hanging up. Phones answer, ring out, are busy or decline as their PhoneBehaviour says.
 * Not modelled: channel events (Newchannel, Dial*, Bridge*, Hangup…), transfers, penalties, pauses;
 * the language menu's Read() returns at the end of a prompt or of the wait, not at the key itself.
 */

/** Where the fallback steps are in extensions.conf; the events report these (checked by test/unit/asterisk-conf.test.ts). */
export const FALLBACK_DIALPLAN = { context: 'from-pstn-fallback', mixMonitorPriority: 5, queuePriority: 6 } as const;

export interface LanguageMenu {
  /** Played one after the other, as Read() plays its prompt list. */
  prompts: string[];
  /** Read()'s timeout after the last prompt (simulated ms). */
  waitMs: number;
  /** `${HOTLINE_DEFAULT_LANGUAGE}`: no key, or a key other than 1 and 2. */
  defaultLanguage: string;
}

export const HOTLINE_LANGUAGE_MENU: LanguageMenu = {
  prompts: [
    'sound:hotline/yue/greeting-welcome',
    'sound:hotline/cmn/greeting-welcome',
    'sound:hotline/yue/greeting-choose',
    'sound:hotline/cmn/greeting-choose',
  ],
  waitMs: 4000,
  defaultLanguage: 'yue',
};

export interface AppQueueOptions {
  /** queues.conf section. Default `hotline-fallback`. */
  queue?: string;
  /** Member phones (PbxModel extensions) in queues.conf order. Default: every phone of the model, sorted. */
  members?: string[];
  /** Member name (queues.conf `member => …,0,<name>`), also the phone's caller ID name. Default `Agent <digits>`. */
  memberName?: (extension: string) => string;
  /** queues.conf `timeout`: how long one phone rings (simulated ms). Default 20000. */
  ringTimeoutMs?: number;
  /** queues.conf `retry` (simulated ms). Default 1000. */
  retryMs?: number;
  /** Queue()'s timeout argument (simulated ms). Default 300000 as in extensions.conf. */
  maxWaitMs?: number;
  /** A busy phone's 486 comes this long after the INVITE (simulated ms). Default 300. */
  busyDelayMs?: number;
  /** queue_log is appended here; unset = not written. */
  queueLogFile?: string;
  /** MixMonitor writes `fallback-<Uniqueid>.wav` here; unset = not written. */
  monitorDir?: string;
  /** Context and priorities the events report. Default FALLBACK_DIALPLAN. */
  dialplan?: { context: string; mixMonitorPriority: number; queuePriority: number };
  /** The Read() before the queue; false = straight to MixMonitor (the trace's test dialplan). */
  languageMenu?: LanguageMenu | false;
  /** Played after the queue gives up (Queue() timeout), then Hangup(). */
  afterQueuePrompts?: string[];
}

interface Member {
  ext: string;
  index: number;
  iface: string;
  name: string;
  number: string;
  callsTaken: number;
  lastCall: number;
  inCall: boolean;
  ringingFor: Entry | null;
  talkingWith: Entry | null;
}

interface Timer {
  cancel(): void;
}

interface Ring {
  member: Member;
  chan: { name: string; uniqueid: string };
  startedAt: number;
  /** False for a busy phone: it never rang (no RINGING state). */
  rang: boolean;
  timer: Timer | null;
}

interface Entry {
  caller: FallbackCaller;
  view: CallerView;
  state: 'menu' | 'queued' | 'talking' | 'leaving' | 'done';
  joinedAt: number;
  opos: number;
  /** Member index this caller tries first (rrmemory). */
  next: number;
  ring: Ring | null;
  talk: { ring: Ring; connectedAt: number; holdSec: number; inServiceLevel: boolean } | null;
  timers: Set<Timer>;
  monitorStartedAt: number | null;
  finished: boolean;
}

export class AppQueue {
  readonly queue: string;
  private readonly members: Member[];
  private readonly waiting: Entry[] = [];
  private readonly entries = new Set<Entry>();
  private readonly log: QueueLogWriter;
  private readonly o: Required<Omit<AppQueueOptions, 'queue' | 'members' | 'memberName' | 'queueLogFile' | 'monitorDir'>> & { monitorDir?: string };
  private readonly trunkCalls = new Map<string, number>();
  /** Real time at which simulated time starts running at the PBX clock's scale (the first caller). */
  private anchor = Date.now();
  private clock: FallbackCaller['clock'] | null = null;
  private readonly loginTime: number;
  private rrpos = 0;
  private readonly stats = { holdtime: 0, talktime: 0, completed: 0, abandoned: 0, completedInSl: 0 };

  constructor(
    private readonly pbx: PbxModel,
    opts: AppQueueOptions,
    private readonly emit: (event: AmiHeaders) => void,
  ) {
    this.queue = opts.queue ?? 'hotline-fallback';
    const exts = opts.members ?? pbx.listPhones().map((p) => p.extension).sort();
    const nameOf = opts.memberName ?? ((ext: string) => `Agent ${digitsOf(ext)}`);
    this.members = exts.map((ext, index) => ({
      ext,
      index,
      iface: `PJSIP/${ext}`,
      name: nameOf(ext),
      number: digitsOf(ext),
      callsTaken: 0,
      lastCall: 0,
      inCall: false,
      ringingFor: null,
      talkingWith: null,
    }));
    this.o = {
      ringTimeoutMs: opts.ringTimeoutMs ?? 20_000,
      retryMs: opts.retryMs ?? 1000,
      maxWaitMs: opts.maxWaitMs ?? 300_000,
      busyDelayMs: opts.busyDelayMs ?? 300,
      dialplan: opts.dialplan ?? FALLBACK_DIALPLAN,
      languageMenu: opts.languageMenu ?? HOTLINE_LANGUAGE_MENU,
      afterQueuePrompts: opts.afterQueuePrompts ?? ['sound:hotline/yue/please-call-again', 'sound:hotline/cmn/please-call-again'],
      ...(opts.monitorDir ? { monitorDir: opts.monitorDir } : {}),
    };
    if (opts.monitorDir) mkdirSync(opts.monitorDir, { recursive: true });
    this.log = new QueueLogWriter(opts.queueLogFile);
    this.loginTime = Math.floor(this.anchor / 1000);
    // app_queue writes this when it loads.
    this.log.append(queueLogLine(this.loginTime, 'NONE', 'NONE', 'NONE', 'QUEUESTART', ['']));
  }

  /** The dialplan fallback for one caller: Answer, language menu, MixMonitor, Queue, Hangup. */
  join(caller: FallbackCaller): void {
    if (!this.clock) {
      this.clock = caller.clock;
      this.anchor = Date.now();
    }
    const entry: Entry = {
      caller,
      view: {
        channel: caller.channel,
        uniqueid: caller.uniqueid,
        caller: { number: caller.callerNumber, name: caller.callerName },
        connected: null,
        context: this.o.dialplan.context,
        exten: caller.exten,
        priority: 1,
      },
      state: 'menu',
      joinedAt: 0,
      opos: 0,
      next: 0,
      ring: null,
      talk: null,
      timers: new Set(),
      monitorStartedAt: null,
      finished: false,
    };
    this.entries.add(entry);
    caller.onGone(() => this.callerGone(entry));
    if (caller.gone) return;
    caller.answer();
    this.trunkInUse(caller.trunk, +1);
    if (this.o.languageMenu) this.menu(entry, this.o.languageMenu, 0);
    else this.startMonitor(entry);
  }

  /** QueueStatus list items for this queue (none when `queueFilter` names another). */
  statusItems(actionId: AmiHeaders, queueFilter: string | undefined): AmiHeaders[] {
    if (queueFilter && queueFilter !== this.queue) return [];
    const sl = this.stats.completed > 0 ? (100 * this.stats.completedInSl) / this.stats.completed : 0;
    const answeredOrLost = this.stats.completed + this.stats.abandoned;
    const sl2 = answeredOrLost > 0 ? (100 * this.stats.completedInSl) / answeredOrLost : 0;
    const now = this.simNow();
    return [
      queueParams(
        {
          queue: this.queue,
          strategy: 'rrmemory',
          calls: this.waiting.length,
          holdtime: this.stats.holdtime,
          talktime: this.stats.talktime,
          completed: this.stats.completed,
          abandoned: this.stats.abandoned,
          serviceLevel: 0,
          serviceLevelPerf: sl,
          serviceLevelPerf2: sl2,
        },
        actionId,
      ),
      ...this.members.map((m) => queueMember(this.queue, this.memberView(m), actionId)),
      ...this.waiting.map((e, i) => queueEntry(this.queue, i + 1, e.view, Math.floor((now - e.joinedAt) / 1000), actionId)),
    ];
  }

  /** Stops every timer (simulator stop); calls in progress are left as they are. */
  stop(): void {
    for (const e of this.entries) {
      for (const t of e.timers) t.cancel();
      e.ring?.timer?.cancel();
    }
  }

  // ---- the dialplan around the queue ----

  private menu(entry: Entry, menu: LanguageMenu, i: number): void {
    if (entry.state !== 'menu') return;
    const pressed = entry.caller.keys().length > 0;
    if (!pressed && i < menu.prompts.length) {
      entry.caller.play(menu.prompts[i]!, () => this.menu(entry, menu, i + 1));
      return;
    }
    const finish = () => {
      if (entry.state !== 'menu') return;
      const key = entry.caller.keys()[0] ?? '';
      const language = key === '1' ? 'yue' : key === '2' ? 'cmn' : menu.defaultLanguage;
      this.log.append(queueLogLine(this.simNow() / 1000, entry.caller.uniqueid, this.queue, 'NONE', 'LANGUAGE', [language, key]));
      this.startMonitor(entry);
    };
    if (pressed) finish();
    else this.after(entry, menu.waitMs, finish);
  }

  private startMonitor(entry: Entry): void {
    entry.monitorStartedAt = this.simNow();
    entry.view.priority = this.o.dialplan.mixMonitorPriority;
    this.emit(mixMonitorStart(entry.view));
    this.joinQueue(entry);
  }

  private joinQueue(entry: Entry): void {
    entry.view.priority = this.o.dialplan.queuePriority;
    entry.state = 'queued';
    this.waiting.push(entry);
    entry.opos = this.waiting.length;
    entry.joinedAt = this.simNow();
    entry.next = this.rrpos;
    if (this.waiting.length === 1) this.emit(deviceStateChange(`Queue:${this.queue}`, 'RINGING'));
    this.emit(queueCallerJoin(entry.view, this.queue, entry.opos, this.waiting.length));
    this.logLine(entry, 'NONE', 'ENTERQUEUE', ['', entry.caller.callerNumber, entry.opos]);
    this.after(entry, this.o.maxWaitMs, () => this.queueTimeout(entry));
    this.tryRing(entry);
  }

  /** Queue() gave up (its timeout argument): EXITWITHTIMEOUT, the busy message, Hangup(). */
  private queueTimeout(entry: Entry): void {
    if (entry.state !== 'queued') return;
    if (entry.ring) this.ringNoAnswer(entry, entry.ring, wholeSecondsMs(this.simNow() - entry.ring.startedAt));
    entry.state = 'leaving';
    const pos = this.leave(entry);
    this.logLine(entry, 'NONE', 'EXITWITHTIMEOUT', [pos, entry.opos, this.waitedSec(entry)]);
    this.emit(queueCallerLeave(entry.view, this.queue, pos, this.waiting.length));
    const prompts = [...this.o.afterQueuePrompts];
    const next = (): void => {
      const media = prompts.shift();
      if (media === undefined) entry.caller.hangup('pbx', 'fallback-queue-timeout');
      else entry.caller.play(media, next);
    };
    next();
  }

  // ---- ringing the members ----

  private available(m: Member): boolean {
    return this.pbx.isDialable(m.ext) && !m.ringingFor && !m.talkingWith;
  }

  private tryRing(entry: Entry): void {
    if (entry.state !== 'queued' || entry.ring) return;
    const free = this.members.filter((m) => this.available(m));
    // autofill: a caller rings only while the callers ahead of it that are not ringing leave it a free phone.
    const ahead = this.waiting.slice(0, this.waiting.indexOf(entry)).filter((e) => !e.ring).length;
    if (free.length === 0 || ahead >= free.length) {
      this.after(entry, this.o.retryMs, () => this.tryRing(entry));
      return;
    }
    const n = this.members.length;
    for (let k = 0; k < n; k++) {
      const m = this.members[(entry.next + k) % n]!;
      if (this.available(m)) {
        this.ring(entry, m);
        return;
      }
    }
  }

  private ring(entry: Entry, m: Member): void {
    const ring: Ring = { member: m, chan: entry.caller.newChannel(m.ext), startedAt: this.simNow(), rang: false, timer: null };
    entry.ring = ring;
    m.ringingFor = entry;
    this.emit(agentEvent('AgentCalled', entry.view, this.chanView(ring, 'Down'), this.queue, this.memberView(m)));
    // NewConnectedLine: from now on the caller's events name the phone being rung.
    entry.view.connected = { number: m.number, name: m.name };
    const behaviour = this.pbx.phone(m.ext)?.behaviour ?? { kind: 'no-answer' as const };
    const clock = entry.caller.clock;
    if (behaviour.kind === 'busy') {
      ring.timer = clock.after(this.o.busyDelayMs, () => this.ringNoAnswer(entry, ring, wholeSecondsMs(this.o.busyDelayMs)));
      return;
    }
    ring.rang = true;
    this.emit(queueMemberStatus(this.queue, this.memberView(m)));
    this.emit(deviceStateChange(m.iface, 'RINGING'));
    const timeout = this.o.ringTimeoutMs;
    if (behaviour.kind === 'answer' && behaviour.afterMs < timeout) {
      ring.timer = clock.after(behaviour.afterMs, () => this.connect(entry, ring));
    } else if (behaviour.kind === 'decline' && behaviour.afterMs < timeout) {
      ring.timer = clock.after(behaviour.afterMs, () => this.ringNoAnswer(entry, ring, wholeSecondsMs(behaviour.afterMs)));
    } else {
      // A ring-out is reported as exactly the configured timeout (rna(orig) in app_queue).
      ring.timer = clock.after(timeout, () => this.ringNoAnswer(entry, ring, timeout));
    }
  }

  private ringNoAnswer(entry: Entry, ring: Ring, ringMs: number): void {
    if (entry.ring !== ring) return;
    ring.timer?.cancel();
    entry.ring = null;
    const m = ring.member;
    m.ringingFor = null;
    this.emit(
      agentEvent('AgentRingNoAnswer', entry.view, this.chanView(ring, ring.rang ? 'Ringing' : 'Down'), this.queue, this.memberView(m), [
        ['RingTime', String(ringMs)],
      ]),
    );
    this.logLine(entry, m.name, 'RINGNOANSWER', [ringMs]);
    if (ring.rang) {
      this.emit(queueMemberStatus(this.queue, this.memberView(m)));
      this.emit(deviceStateChange(m.iface, 'NOT_INUSE'));
    }
    entry.next = (m.index + 1) % this.members.length;
    this.after(entry, this.o.retryMs, () => this.tryRing(entry));
  }

  private connect(entry: Entry, ring: Ring): void {
    if (entry.ring !== ring || entry.state !== 'queued') return;
    ring.timer?.cancel();
    entry.ring = null;
    const m = ring.member;
    m.ringingFor = null;
    m.talkingWith = entry;
    const now = this.simNow();
    const holdSec = Math.floor((now - entry.joinedAt) / 1000);
    const ringSec = Math.floor((now - ring.startedAt) / 1000);
    this.emit(deviceStateChange(m.iface, 'INUSE'));
    const pos = this.leave(entry);
    this.emit(queueCallerLeave(entry.view, this.queue, pos, this.waiting.length));
    this.emit(queueMemberStatus(this.queue, this.memberView(m)));
    this.emit(
      agentEvent('AgentConnect', entry.view, this.chanView(ring, 'Up'), this.queue, this.memberView(m), [
        ['HoldTime', String(holdSec)],
        ['RingTime', String(ringSec)],
      ]),
    );
    this.logLine(entry, m.name, 'CONNECT', [holdSec, ring.chan.uniqueid, ringSec]);
    m.inCall = true;
    this.rrpos = (m.index + 1) % this.members.length;
    // recalc_holdtime: the first value as it is, then an exponential average (weight 1/4).
    this.stats.holdtime = this.stats.completed + this.stats.abandoned === 0 ? holdSec : (this.stats.holdtime * 3 + holdSec) >> 2;
    entry.state = 'talking';
    entry.talk = { ring, connectedAt: now, holdSec, inServiceLevel: holdSec <= 0 };
    for (const t of entry.timers) t.cancel();
    entry.timers.clear();
    entry.caller.connected({ channel: ring.chan.name, number: m.number, name: m.name });
    const behaviour = this.pbx.phone(m.ext)?.behaviour;
    if (behaviour?.kind === 'answer' && behaviour.hangupAfterMs !== undefined) {
      this.after(entry, behaviour.hangupAfterMs, () => this.complete(entry, 'agent'));
    }
  }

  private complete(entry: Entry, reason: 'caller' | 'agent'): void {
    const talk = entry.talk;
    if (entry.state !== 'talking' || !talk) return;
    entry.state = 'done';
    const m = talk.ring.member;
    const now = this.simNow();
    const talkSec = Math.floor((now - talk.connectedAt) / 1000);
    this.emit(
      agentEvent('AgentComplete', entry.view, this.chanView(talk.ring, 'Up'), this.queue, this.memberView(m), [
        ['HoldTime', String(talk.holdSec)],
        ['TalkTime', String(talkSec)],
        ['Reason', reason],
      ]),
    );
    this.logLine(entry, m.name, reason === 'caller' ? 'COMPLETECALLER' : 'COMPLETEAGENT', [talk.holdSec, talkSec, entry.opos]);
    m.callsTaken++;
    m.lastCall = Math.floor(now / 1000);
    m.inCall = false;
    m.talkingWith = null;
    this.stats.completed++;
    if (talk.inServiceLevel) this.stats.completedInSl++;
    this.stats.talktime = this.stats.completed === 1 ? talkSec : (this.stats.talktime * 3 + talkSec) >> 2;
    this.emit(deviceStateChange(m.iface, 'NOT_INUSE'));
    this.emit(queueMemberStatus(this.queue, this.memberView(m)));
    this.finish(entry);
    // Queue() without the c option: when the agent hangs up, Asterisk hangs up the caller.
    if (reason === 'agent') entry.caller.hangup('agent', 'agent hung up');
  }

  private callerGone(entry: Entry): void {
    switch (entry.state) {
      case 'done':
        return;
      case 'talking':
        this.complete(entry, 'caller');
        return;
      case 'queued':
        this.abandon(entry);
        return;
      default:
        entry.state = 'done';
        this.finish(entry);
    }
  }

  private abandon(entry: Entry): void {
    entry.state = 'done';
    const now = this.simNow();
    const ring = entry.ring;
    entry.ring = null;
    if (ring) {
      ring.timer?.cancel();
      ring.member.ringingFor = null;
      this.logLine(entry, ring.member.name, 'RINGCANCELED', [Math.round(now - ring.startedAt)]);
    }
    const wait = this.waitedSec(entry);
    const pos = this.waiting.indexOf(entry) + 1;
    this.logLine(entry, 'NONE', 'ABANDON', [pos, entry.opos, wait]);
    this.emit(queueCallerAbandon(entry.view, this.queue, pos, entry.opos, wait));
    this.leave(entry);
    this.emit(queueCallerLeave(entry.view, this.queue, pos, this.waiting.length));
    if (ring?.rang) this.emit(deviceStateChange(ring.member.iface, 'NOT_INUSE'));
    this.stats.abandoned++;
    this.finish(entry);
    if (ring?.rang) this.emit(queueMemberStatus(this.queue, this.memberView(ring.member)));
  }

  // ---- bookkeeping ----

  /** Takes the caller out of the waiting list; returns the position it had. */
  private leave(entry: Entry): number {
    const i = this.waiting.indexOf(entry);
    if (i === -1) return 0;
    this.waiting.splice(i, 1);
    if (this.waiting.length === 0) this.emit(deviceStateChange(`Queue:${this.queue}`, 'NOT_INUSE'));
    return i + 1;
  }

  /** The caller's part is over: the trunk's device state, MixMonitor's file, the timers. */
  private finish(entry: Entry): void {
    if (entry.finished) return;
    entry.finished = true;
    for (const t of entry.timers) t.cancel();
    entry.timers.clear();
    this.entries.delete(entry);
    this.trunkInUse(entry.caller.trunk, -1);
    if (entry.monitorStartedAt !== null && this.o.monitorDir) {
      const ms = Math.max(0, this.simNow() - entry.monitorStartedAt);
      writeFileSync(join(this.o.monitorDir, `fallback-${entry.caller.uniqueid}.wav`), silentWav(ms));
    }
  }

  /** The trunk endpoint's device state follows its calls (trace: INUSE at the answer, UNAVAILABLE after). */
  private trunkInUse(trunk: string, delta: 1 | -1): void {
    const before = this.trunkCalls.get(trunk) ?? 0;
    const after = Math.max(0, before + delta);
    this.trunkCalls.set(trunk, after);
    if (before === 0 && after > 0) this.emit(deviceStateChange(`PJSIP/${trunk}`, 'INUSE'));
    if (before > 0 && after === 0) this.emit(deviceStateChange(`PJSIP/${trunk}`, 'UNAVAILABLE'));
  }

  private memberView(m: Member): MemberView {
    const status = !this.pbx.isDialable(m.ext) ? 5 : m.talkingWith ? 2 : m.ringingFor ? 6 : 1;
    return { interface: m.iface, name: m.name, callsTaken: m.callsTaken, lastCall: m.lastCall, loginTime: this.loginTime, inCall: m.inCall, status };
  }

  private chanView(ring: Ring, state: MemberChannelView['state']): MemberChannelView {
    return {
      channel: ring.chan.name,
      uniqueid: ring.chan.uniqueid,
      state,
      id: { number: ring.member.number, name: ring.member.name },
      context: 'agents',
    };
  }

  private logLine(entry: Entry, agent: string, event: string, data: Array<string | number>): void {
    this.log.append(queueLogLine(this.simNow() / 1000, entry.caller.uniqueid, this.queue, agent, event, data));
  }

  private waitedSec(entry: Entry): number {
    return Math.floor((this.simNow() - entry.joinedAt) / 1000);
  }

  private after(entry: Entry, simMs: number, fn: () => void): void {
    const timer = entry.caller.clock.after(simMs, () => {
      entry.timers.delete(timer);
      fn();
    });
    entry.timers.add(timer);
  }

  /** Wall-clock time in the PBX's simulated time (queue_log timestamps, hold and talk times). */
  private simNow(): number {
    return this.clock ? this.anchor + this.clock.simElapsed(this.anchor) : Date.now();
  }
}

/** `1001` for `PJSIP/1001` or `agent1001`: the phone's caller ID number. */
function digitsOf(ext: string): string {
  return ext.replace(/\D/g, '') || ext;
}

/** app_queue measures busy and decline rings in whole seconds (time(NULL) differences). */
function wholeSecondsMs(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

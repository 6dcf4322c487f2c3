/**
 * Child process of `npm run bench`: the simulated Asterisk (ARI + AMI over real sockets) with one
 * desk phone per agent, placing the bench's calls and stamping the instant each agent phone starts
 * ringing. In its own process so that the CTI, the consoles and the bench do not share its CPU.
 */
import { AmiSimulator } from '../../sim/ami/server';
import { AriSimulator } from '../../sim/ari/server';
import type { CallerHandle } from '../../sim/ari/script';
import type { CallEnd } from '../../sim/ari/types';
import { PbxModel, type PhoneBehaviour, type PhoneState } from '../../sim/pbx';
import { customers } from '../seed-data';
import type { Ring, RunResult, RunSpec, SimApi, SimInit } from './api';
import { serve } from './rpc';
import { now } from './stats';

/** Agent legs are `${callId}-${attempt}` with a UUID call id (cti/calls/offer.ts agentLegId). */
const AGENT_LEG = /^[0-9a-f-]{36}-(\d+)$/;
const ALARM_PREFIX = '1990';

/**
 * The phones of the model, except that an agent leg of a call that must ring out (a caller number
 * of ALARM_PREFIX, first attempt) is never answered: the simulator reads a phone's behaviour when
 * it starts dialling, and that leg is then the one being dialled to that phone.
 */
class BenchPbx extends PbxModel {
  dialling: ((extension: string) => PhoneBehaviour | undefined) | null = null;

  override phone(extension: string): PhoneState | undefined {
    const p = super.phone(extension);
    const b = p && this.dialling?.(extension);
    return p && b ? { ...p, behaviour: b } : p;
  }
}

let ari: AriSimulator | null = null;
let ami: AmiSimulator | null = null;
let rings: Ring[] | null = null;
let alarmLegs: string[] = [];
/** A call left ringing out may last until then (its first ring + the alarm time). */
let ringOutUntil = 0;
let ringOutMs = 0;
let seq = 0;

async function init(p: SimInit): Promise<{ ariUrl: string; amiPort: number }> {
  const pbx = new BenchPbx({ extensions: p.extensions, trunkName: 'carrier', defaultBehaviour: { kind: 'answer', afterMs: p.answerMs } });
  const sim = new AriSimulator({
    pbx,
    // As asterisk-conf's dialplan: every CTI process offered each call (StasisBroadcast, 2 s to claim).
    dialplan: { exten: '952525', mode: 'broadcast', appPattern: '^hotline-.*', timeoutMs: 2000 },
    soundDurationMs: () => p.promptMs,
    // No recordingsDir: a soak would otherwise write 100,000 WAV files of silence.
  });
  pbx.dialling = (extension) => {
    for (const ch of sim.model.channels.values()) {
      const out = ch.out;
      if (ch.gone || !out || ch.resource !== extension || !out.dialing || out.ringing || out.answered) continue;
      const m = AGENT_LEG.exec(ch.id);
      if (m?.[1] === '1' && ch.caller.number.startsWith(ALARM_PREFIX)) return { kind: 'no-answer' };
    }
    return undefined;
  };
  sim.on('event', ({ event }) => {
    if (!rings || event.type !== 'ChannelStateChange') return;
    const t = now();
    const ch = event.channel as { id?: unknown; name?: unknown; state?: unknown; caller?: { number?: unknown } } | undefined;
    if (ch?.state !== 'Ringing' || typeof ch.id !== 'string') return;
    const m = AGENT_LEG.exec(ch.id);
    if (!m) return;
    // `PJSIP/<extension>-<suffix>`: the phone, hence the agent, that rings.
    const ext = typeof ch.name === 'string' ? (/^PJSIP\/([^-]+)-/.exec(ch.name)?.[1] ?? '') : '';
    rings.push([ch.id, t, ext]);
    if (m[1] === '1' && typeof ch.caller?.number === 'string' && ch.caller.number.startsWith(ALARM_PREFIX)) {
      alarmLegs.push(ch.id);
      ringOutUntil = Math.max(ringOutUntil, t + ringOutMs);
    }
  });
  const { url } = await sim.start();
  // queue: false — a call no CTI process claims is refused, and counted lost, instead of being
  // answered by the simulated app_queue.
  const amiSim = new AmiSimulator({ pbx, username: 'cti', secret: 'cti', authFailDelayMs: 50, queue: false });
  const { port } = await amiSim.start();
  ari = sim;
  ami = amiSim;
  return { ariUrl: url, amiPort: port };
}

const knownNumbers = customers().map((c) => c.phones[0]!);
const digits = (n: number): string => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');

async function run(spec: RunSpec): Promise<RunResult> {
  const sim = ari;
  if (!sim) throw new Error('init first');
  rings = [];
  alarmLegs = [];
  ringOutUntil = 0;
  ringOutMs = spec.ringOutMs;
  const handles: Array<{ h: CallerHandle; ended: Promise<CallEnd> }> = [];
  let active = 0;
  let maxActive = 0;
  const place = (alarm: boolean): void => {
    const callerNumber = alarm
      ? `${ALARM_PREFIX}${String(++seq).padStart(7, '0')}`
      : Math.random() < spec.knownCallerShare
        ? knownNumbers[Math.floor(Math.random() * knownNumbers.length)]!
        : `186${digits(8)}`;
    const h = sim.placeCall({
      callerNumber,
      dtmf: [{ digit: Math.random() < 0.5 ? '1' : '2', afterMs: spec.dtmfMs }],
      hangupAfterBridgedMs: spec.talkMs,
    });
    active++;
    maxActive = Math.max(maxActive, active);
    const ended = h.ended.then((e) => {
      active--;
      return e;
    });
    handles.push({ h, ended });
  };

  const startT = now();
  const interval = 1000 / spec.rate;
  const alarmEvery = Math.max(1, spec.alarmEveryMs);
  let k = 0;
  let a = 0;
  // Each call is due at its planned instant from the start (not chained intervals), so the rate
  // holds even when a timer fires late: late calls are placed at once.
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = now() - startT;
      while (k < spec.calls && k * interval <= elapsed) {
        place(false);
        k++;
      }
      while (a < spec.alarmCalls && a * alarmEvery <= elapsed) {
        place(true);
        a++;
      }
      if (k >= spec.calls && a >= spec.alarmCalls) {
        resolve();
        return;
      }
      const next = Math.min(k < spec.calls ? k * interval : Infinity, a < spec.alarmCalls ? a * alarmEvery : Infinity);
      setTimeout(tick, Math.max(0, next - (now() - startT)));
    };
    tick();
  });
  const placedUntilT = now();

  // Done when every call has ended, or at the deadline: drainMs after the last call was placed,
  // later for a call left ringing out that rang late (its deadline counts from its first ring).
  // The deadline moves while calls ring out, hence a timer that looks again at least every 250 ms.
  const drained = await new Promise<boolean>((resolve) => {
    let allEnded = false;
    let timer: NodeJS.Timeout | undefined;
    const check = (): void => {
      clearTimeout(timer);
      if (allEnded) return resolve(true);
      const deadline = Math.max(placedUntilT, ringOutUntil) + spec.drainMs;
      if (now() >= deadline) return resolve(false);
      timer = setTimeout(check, Math.min(250, deadline - now()));
    };
    void Promise.all(handles.map((x) => x.ended)).then(() => {
      allEnded = true;
      check();
    });
    check();
  });
  const lostReasons: Record<string, number> = {};
  const lostSample: RunResult['lostSample'] = [];
  let bridged = 0;
  for (const { h } of handles) {
    if (h.talkingSince() !== null) {
      bridged++;
      continue;
    }
    if (lostSample.length < 20) {
      const last = h.heard().at(-1);
      lostSample.push({ caller: h.id, state: h.state(), lastHeard: last ? (last.kind === 'playback' ? `${last.kind} ${last.media} ${last.state}` : last.kind) : 'nothing' });
    }
    const end = h.result();
    const why = end ? `ended by ${end.by}${end.reason ? ` (${end.reason})` : ''} before talking` : `not talking to an agent ${spec.drainMs / 1000} s after the last call`;
    lostReasons[why] = (lostReasons[why] ?? 0) + 1;
  }
  if (!drained) {
    // Callers still up (waiting, or talking past the deadline) hang up so the next run starts clean.
    for (const { h } of handles) if (!h.result()) h.hangup();
    await Promise.race([Promise.all(handles.map((x) => x.ended)), new Promise((r) => setTimeout(r, 5000))]);
  }
  const seen = rings;
  rings = null;
  return {
    label: spec.label,
    placed: handles.length,
    bridged,
    lost: handles.length - bridged,
    lostReasons,
    lostSample,
    rings: seen,
    alarmLegs,
    startT,
    placedUntilT,
    endT: now(),
    maxActive,
  };
}

serve<SimApi>({ init, run }, async () => {
  await ari?.stop();
  await ami?.stop();
});

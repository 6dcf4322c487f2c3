import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import WebSocket from 'ws';
import { withTimeout } from '../../core/async';
import { PbxModel, type PhoneBehaviour } from '../pbx';
import type { FrameClock, SimTimer } from './clock';
import { defaultSoundDurationMs } from './model';
import type { CalleeBehaviour } from './outbound';
import type { CallerHandle } from './script';
import { AriSimulator } from './server';
import type { PlaceCallOptions } from './types';

/**
 * Conformance harness: replays the REST calls, WebSocket actions and SIPp caller/phone scripts of
 * a golden trace (captured on a real Asterisk 22.10.1) against a fresh simulator, then reports
 * how the simulator's event sequences, event fields and REST answers differ from the trace.
 *
 * Comparison rules (the documented races and the simulator's known gaps):
 *  - RTPAUDIOQOS* ChannelVarset events are ignored (the simulator does not emit them);
 *  - adjacent `ChannelStateChange(Ringing)` / `Dial(RINGING)` and adjacent pairs of
 *    `ChannelConnectedLine` may come in either order (05, 06);
 *  - three outcomes of a bridged call's teardown differ between trace 02 and traces 10a/10b/11,
 *    where the same SIPp script (caller_pause_bye) hangs up a caller bridged with an agent: they
 *    depend on which Asterisk thread gets there first, not on anything the app does (no .md
 *    names them; the traces contradict each other). Either is accepted:
 *    a far-end BYE's ChannelHangupRequest with or without `cause: 16` (chan_pjsip adds it only
 *    if no hangup cause is set yet); a leaving channel's StasisEnd before or after the adjacent
 *    ChannelConnectedLine the bridge sends the one left behind; a bridge recording's
 *    RecordingFinished before or after the last leaver's StasisEnd and STASISSTATUS;
 *  - volatile values (ids, timestamps, protocol ids, channel-name counters, the channel id in a
 *    snoop's name) are compared by shape; holding bridges' `channels` are not compared (Asterisk
 *    sometimes lists its MOH announcer there);
 *  - a play's 201 state may be `queued` or `playing` (both observed);
 *  - `GET /recordings/stored` is not compared (the capture box had older recordings).
 *
 * The simulator is set up like the capture box: its sound files (`sound:beep` was missing, 10a),
 * a trunk without an AOR contact and only the scripted SIPp UAS answering (12), and media frames
 * on the trace's timeline (see TraceFrames).
 */

export interface ReplayOptions {
  timeScale?: number;
  /** Real ms to wait for each expected event / caller end. */
  stepTimeoutMs?: number;
}

export interface ReplayReport {
  trace: string;
  /** Per socket label: event types in the trace and from the simulator (canonicalised). */
  sequences: Record<string, { expected: string[]; actual: string[] }>;
  /** Field-level differences of REST answers and paired events. */
  mismatches: string[];
  restCalls: number;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

interface TraceLine {
  t: number;
  dir: 'event' | 'rest' | 'ws' | 'note';
  ws?: string;
  data?: Obj;
  t_sent?: number;
  method?: string;
  path?: string;
  query?: Record<string, string>;
  authNote?: string;
  status?: number;
  body?: Json;
  what?: string;
  url?: string;
  code?: number;
  text?: string;
  sipp?: string;
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const isNoise = (e: Obj): boolean =>
  e.type === 'ChannelVarset' && typeof e.variable === 'string' && e.variable.startsWith('RTPAUDIOQOS');

function stripNames(s: string): string {
  return s
    .replace(/(PJSIP\/[^-,;\s]+)-[0-9a-f]{8}/g, '$1')
    .replace(/Recorder\/ARI-[0-9a-f]{8}/g, 'Recorder/ARI-X')
    .replace(/Snoop\/[^,;\s]+-([0-9a-f]{8})/g, 'Snoop/X-$1');
}

function projChannel(c: Obj): Obj {
  return {
    name: stripNames(String(c.name)),
    state: c.state ?? null,
    caller: c.caller ?? null,
    connected: c.connected ?? null,
    accountcode: c.accountcode ?? null,
    dialplan: c.dialplan ?? null,
    language: c.language ?? null,
    keys: Object.keys(c).sort().join(','),
  };
}

function projBridge(b: Obj): Obj {
  const holding = b.bridge_type === 'holding';
  return {
    technology: b.technology ?? null,
    bridge_type: b.bridge_type ?? null,
    bridge_class: b.bridge_class ?? null,
    creator: b.creator ?? null,
    name: b.name ?? null,
    video_mode: b.video_mode ?? null,
    channels: holding ? '*' : Array.isArray(b.channels) ? b.channels.length : null,
    keys: Object.keys(b).sort().join(','),
  };
}

function projPlayback(p: Obj, queuedOrPlaying: boolean): Obj {
  const state = queuedOrPlaying && (p.state === 'queued' || p.state === 'playing') ? 'queued|playing' : (p.state ?? null);
  return {
    media_uri: p.media_uri ?? null,
    next_media_uri: p.next_media_uri ?? null,
    target: String(p.target_uri ?? '').split(':')[0] ?? '',
    language: p.language ?? null,
    state,
  };
}

function projRecording(r: Obj): Obj {
  return {
    name: r.name ?? null,
    format: r.format ?? null,
    state: r.state ?? null,
    target: String(r.target_uri ?? '').split(':')[0] ?? '',
    hasDuration: 'duration' in r,
  };
}

/** Projection of a REST body; `map` turns simulator ids back into trace ids inside messages. */
function projBody(v: Json, map: (s: string) => string, isPlay: boolean): Json {
  if (Array.isArray(v)) {
    return v.map((x) => projBody(x, map, isPlay)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (!isObj(v)) return typeof v === 'string' ? map(v) : v;
  if ('dialplan' in v && 'caller' in v) return projChannel(v);
  if ('bridge_type' in v) return projBridge(v);
  if ('media_uri' in v) return projPlayback(v, isPlay);
  if ('target_uri' in v && 'format' in v) return projRecording(v);
  if ('ping' in v) return { ping: v.ping ?? null, keys: Object.keys(v).sort().join(',') };
  if ('build' in v && 'system' in v) {
    const sys = isObj(v.system) ? v.system : {};
    return { keys: Object.keys(v).sort().join(','), version: sys.version ?? null };
  }
  if ('technology' in v && 'channel_ids' in v) {
    return { technology: v.technology ?? null, resource: v.resource ?? null, state: v.state ?? null, channels: Array.isArray(v.channel_ids) ? v.channel_ids.length : null };
  }
  if ('bridge_ids' in v && 'channel_ids' in v) {
    return {
      name: v.name ?? null,
      channels: Array.isArray(v.channel_ids) ? v.channel_ids.length : null,
      bridges: Array.isArray(v.bridge_ids) ? v.bridge_ids.length : null,
      rest: JSON.stringify([v.endpoint_ids, v.device_names, v.events_allowed, v.events_disallowed]),
    };
  }
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) out[k] = projBody(x, map, isPlay);
  return out;
}

function projEvent(e: Obj): Obj {
  const out: Obj = { type: e.type ?? null, keys: Object.keys(e).sort().join(',') };
  if (isObj(e.channel)) out.channel = projChannel(e.channel);
  if (isObj(e.peer)) {
    out.peer = projChannel(e.peer);
    // Dial(RINGING) races ChannelStateChange(Ringing): its peer may still be Down (05).
    if (e.dialstatus === 'RINGING' && (e.peer.state === 'Down' || e.peer.state === 'Ringing')) out.peer.state = 'Down|Ringing';
  }
  if (isObj(e.bridge)) out.bridge = projBridge(e.bridge);
  if (isObj(e.playback)) out.playback = projPlayback(e.playback, false);
  if (isObj(e.recording)) out.recording = projRecording(e.recording);
  for (const k of ['cause', 'cause_txt', 'tech_cause', 'soft', 'dialstatus', 'dialstring', 'forward', 'digit', 'args', 'caller', 'called', 'dialplan_app', 'dialplan_app_data', 'variable']) {
    if (k in e && !isObj(e[k])) out[k] = e[k] ?? null;
  }
  if (isByeRequest(e)) {
    // A BYE's hangup request races for its cause (02 vs 10a/10b/11).
    out.keys = Object.keys(e).filter((k) => k !== 'cause').sort().join(',');
    out.cause = '16|none';
  }
  if (e.type === 'ChannelVarset') {
    const v = String(e.value ?? '');
    out.value = e.variable === 'BRIDGEPVTCALLID' ? (v ? 'set' : '') : stripNames(v);
  }
  return out;
}

function isByeRequest(e: Obj): boolean {
  return e.type === 'ChannelHangupRequest' && !('soft' in e) && (!('cause' in e) || e.cause === 16);
}

function eventKey(e: Obj): string {
  const c = isObj(e.channel) ? e.channel : isObj(e.peer) ? e.peer : {};
  return `${String(e.type)}|${stripNames(String(c.name ?? ''))}`;
}

const channelId = (e: Obj): string => (isObj(e.channel) ? String(e.channel.id) : '');

function isRace(a: Obj, b: Obj): boolean {
  const ringing = (e: Obj): boolean =>
    (e.type === 'Dial' && e.dialstatus === 'RINGING') ||
    (e.type === 'ChannelStateChange' && isObj(e.channel) && e.channel.state === 'Ringing');
  if (ringing(a) && ringing(b) && a.type !== b.type) return true;
  if (a.type === 'ChannelConnectedLine' && b.type === 'ChannelConnectedLine') return true;
  const types = [a.type, b.type].sort().join('+');
  return types === 'ChannelConnectedLine+StasisEnd' && channelId(a) !== channelId(b);
}

/** Puts each documented race pair in a canonical order. */
function canonical(events: Obj[]): Obj[] {
  const out = recordingFirst(events);
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i] as Obj;
    const b = out[i + 1] as Obj;
    if (isRace(a, b) && eventKey(a) > eventKey(b)) {
      out[i] = b;
      out[i + 1] = a;
      i++;
    }
  }
  return out;
}

/**
 * A bridge recording's RecordingFinished that follows the last leaver's StasisEnd and
 * STASISSTATUS (02) is moved before them, right after its ChannelLeftBridge (as in 10a/10b).
 */
function recordingFirst(events: Obj[]): Obj[] {
  const out = [...events];
  for (let i = 0; i < out.length; i++) {
    const rec = out[i] as Obj;
    if (rec.type !== 'RecordingFinished' || !isObj(rec.recording) || !String(rec.recording.target_uri).startsWith('bridge:')) continue;
    let j = i;
    while (j > 0) {
      const prev = out[j - 1] as Obj;
      const stasisStatus = prev.type === 'ChannelVarset' && prev.variable === 'STASISSTATUS';
      if (prev.type !== 'StasisEnd' && !stasisStatus) break;
      j--;
    }
    if (j < i && (out[j - 1] as Obj | undefined)?.type === 'ChannelLeftBridge') {
      out.splice(i, 1);
      out.splice(j, 0, rec);
    }
  }
  return out;
}

/** What the SIPp scripts of the capture did, as simulator behaviour. */
function callerScript(text: string): PlaceCallOptions {
  const exten = /\s-s\s+(\d+)/.exec(text)?.[1] ?? '952525';
  const d = Number(/\s-d\s+(\d+)/.exec(text)?.[1] ?? 0);
  const opts: PlaceCallOptions = { callerNumber: '85291234567', callerName: 'HK Caller', exten };
  if (text.includes('caller_dtmf.xml')) {
    opts.dtmf = [{ digit: '1', afterMs: 500 }];
    opts.hangupAfterMs = 6000;
  } else if (text.includes('caller_pause_bye.xml')) {
    opts.hangupAfterMs = d;
  }
  return opts;
}

/** The capture box's sounds (others, e.g. `sound:beep` in 10a, were missing there). */
function captureBoxSound(uri: string): number | null | undefined {
  if (!uri.startsWith('sound:')) return defaultSoundDurationMs(uri);
  return uri === 'sound:hello-world' ? 1400 : uri === 'sound:demo-congrats' ? 30_000 : null;
}

/** The SIPp UAS a notification call reached (12): answers after 1 s, presses 1 three seconds later. */
function calleeScript(text: string): CalleeBehaviour {
  if (text.includes('uas_answer_dtmf1.xml')) return { kind: 'answer', afterMs: 1000, dtmf: [{ digit: '1', afterMs: 3000 }] };
  return { kind: 'answer', afterMs: 1000 };
}

function phoneScript(text: string): PhoneBehaviour {
  const d = Number(/\s-d\s+(\d+)/.exec(text)?.[1] ?? 0);
  if (text.includes('uas_busy.xml')) return { kind: 'busy' };
  if (text.includes('uas_ring_forever.xml')) return { kind: 'no-answer' };
  if (text.includes('uas_answer_then_bye.xml')) return { kind: 'answer', afterMs: 1500, hangupAfterMs: d };
  return { kind: 'answer', afterMs: d };
}

/**
 * Media frames on the trace's own timeline: work due on the next frame runs once the replay
 * reaches a step 20 ms (trace time) after the one that scheduled it. A frame is real time in
 * Asterisk, so it races the app's requests; the capture's app won it (11: its next requests came
 * before the restate a hung-up snoop causes) and so does the replay, however slow it runs.
 */
class TraceFrames implements FrameClock {
  private now = 0;
  private pending: Array<{ due: number; fn: () => void; live: boolean }> = [];

  nextFrame(fn: () => void): SimTimer {
    const job = { due: this.now + 20, fn, live: true };
    this.pending.push(job);
    return { cancel: () => void (job.live = false) };
  }

  advance(to: number): void {
    this.now = Math.max(this.now, to);
    const due = this.pending.filter((j) => j.due <= this.now);
    this.pending = this.pending.filter((j) => j.due > this.now);
    for (const j of due) if (j.live) j.fn();
  }
}

interface SockState {
  ws: WebSocket;
  events: Obj[];
  opened: Promise<void>;
  unexpected: Promise<{ status: number; body: string }>;
  closed: Promise<number>;
}

export async function replayTrace(file: string, opts: ReplayOptions = {}): Promise<ReplayReport> {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TraceLine);
  const trace = basename(file, '.jsonl');
  const stepTimeout = opts.stepTimeoutMs ?? 10_000;
  const pbx = new PbxModel({ extensions: ['agent1001', 'agent1002'], trunkName: 'pstn' });
  const frames = new TraceFrames();
  const sim = new AriSimulator({
    pbx,
    timeScale: opts.timeScale ?? 0.05,
    soundDurationMs: captureBoxSound,
    // The box's trunk had no AOR contact, and nothing but the scripted SIPp UAS answered (12).
    trunkHasContact: false,
    defaultCallee: { kind: 'unreachable' },
    mediaFrames: frames,
    dialplan: [
      { exten: '952525', mode: 'stasis', app: 'hotline' },
      { exten: '952526', mode: 'broadcast', appPattern: '^hotline-.*', timeoutMs: 2000, context: 'from-pstn-bcast' },
    ],
  });
  // Scenario 02 stored `trace-rec` on the capture box before 08 ran.
  if (trace.startsWith('08')) sim.addStoredRecording({ name: 'trace-rec', format: 'wav', durationMs: 6000 });
  const { url } = await sim.start();
  const mismatches: string[] = [];
  const idMap = new Map<string, string>();
  const sockets = new Map<string, SockState>();
  const callers = new Map<string, CallerHandle>();
  const expectedEvents = new Map<string, Obj[]>();
  let restCalls = 0;

  const step = <T>(p: Promise<T>, what: string): Promise<T> =>
    withTimeout(p, stepTimeout, () => new Error(`${trace}: timed out waiting for ${what}`));

  const learnIds = (t: Json, s: Json): void => {
    if (Array.isArray(t) && Array.isArray(s)) {
      t.forEach((x, i) => learnIds(x, s[i] ?? null));
      return;
    }
    if (!isObj(t) || !isObj(s)) return;
    for (const [k, v] of Object.entries(t)) {
      const sv = s[k];
      if (k === 'id' && typeof v === 'string' && typeof sv === 'string' && !idMap.has(v)) idMap.set(v, sv);
      else learnIds(v, sv ?? null);
    }
  };
  const toSim = (s: string): string => {
    let out = s;
    for (const [t, v] of [...idMap.entries()].sort((a, b) => b[0].length - a[0].length)) out = out.split(t).join(v);
    return out;
  };
  const toTrace = (s: string): string => {
    let out = s;
    for (const [t, v] of [...idMap.entries()].sort((a, b) => b[1].length - a[1].length)) out = out.split(v).join(t);
    return out;
  };

  for (const l of lines) {
    if (l.dir === 'event' && l.ws && l.data && !isNoise(l.data)) {
      const list = expectedEvents.get(l.ws) ?? [];
      list.push(l.data);
      expectedEvents.set(l.ws, list);
    }
  }
  const seen = new Map<string, number>();

  const steps = lines
    .map((l, idx) => ({ l, idx, key: l.dir === 'rest' ? (l.t_sent ?? l.t) : l.t }))
    .sort((a, b) => a.key - b.key || Number(a.l.dir === 'rest') - Number(b.l.dir === 'rest') || a.idx - b.idx);

  const waitForEvent = async (label: string, index: number): Promise<Obj> => {
    const sock = sockets.get(label);
    if (!sock) throw new Error(`${trace}: no socket ${label}`);
    const started = Date.now();
    while (sock.events.length <= index) {
      if (Date.now() - started > stepTimeout) throw new Error(`${trace}: timed out waiting for event #${index + 1} on ${label}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return sock.events[index] as Obj;
  };

  try {
    for (const { l, key } of steps) {
      frames.advance(key);
      if (l.dir === 'ws' && l.ws) {
        const label = l.ws;
        if (l.what === 'connect') {
          const ws = new WebSocket(`${url.replace('http', 'ws')}${l.url ?? ''}`);
          const events: Obj[] = [];
          ws.on('message', (data) => {
            const e = JSON.parse(String(data)) as Obj;
            if (!isNoise(e)) events.push(e);
          });
          const opened = new Promise<void>((resolve, reject) => {
            ws.once('open', () => resolve());
            ws.once('unexpected-response', () => reject(new Error('unexpected-response')));
          });
          opened.catch(() => undefined);
          const unexpected = new Promise<{ status: number; body: string }>((resolve) => {
            ws.once('unexpected-response', (_req, res) => {
              let body = '';
              res.on('data', (c: Buffer) => {
                body += c.toString();
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            });
          });
          const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
          ws.on('error', () => undefined);
          sockets.set(label, { ws, events, opened, unexpected, closed });
        } else if (l.what === 'open') {
          await step(sockets.get(label)?.opened ?? Promise.reject(new Error('no socket')), `${label} open`);
        } else if (l.what === 'unexpected-response') {
          const r = await step(sockets.get(label)?.unexpected ?? Promise.reject(new Error('no socket')), `${label} refusal`);
          if (r.status !== l.status) mismatches.push(`${label} upgrade: status ${r.status}, trace ${String(l.status)}`);
          const expected = typeof l.body === 'string' ? l.body.replace(/Asterisk\/[\d.]+/, 'Asterisk/V') : JSON.stringify(l.body);
          const actual = typeof l.body === 'string' ? r.body.replace(/Asterisk\/[\d.]+/, 'Asterisk/V') : JSON.stringify(JSON.parse(r.body || 'null'));
          if (expected !== actual) mismatches.push(`${label} upgrade body: ${actual} vs trace ${expected}`);
        } else if (l.what === 'client-close-requested') {
          sockets.get(label)?.ws.close();
        } else if (l.what?.startsWith('terminate')) {
          // The process dies: its socket drops without a close frame (10a, 10b).
          sockets.get(label)?.ws.terminate();
        } else if (l.what === 'close') {
          const code = await step(sockets.get(label)?.closed ?? Promise.reject(new Error('no socket')), `${label} close`);
          if (code !== l.code) mismatches.push(`${label} close code ${code}, trace ${String(l.code)}`);
        }
        continue;
      }

      if (l.dir === 'event' && l.ws && l.data) {
        if (isNoise(l.data)) continue;
        const i = seen.get(l.ws) ?? 0;
        seen.set(l.ws, i + 1);
        const got = await waitForEvent(l.ws, i);
        if (got.type === l.data.type) learnIds(l.data, got);
        continue;
      }

      if (l.dir === 'note' && l.text) {
        const started = /^sipp (\S+) started: (.*)$/.exec(l.text);
        if (started) {
          const [, who, cmd] = started as unknown as [string, string, string];
          // `agent1001`, `supervisor-agent1002`: a phone; `receiver`: a number called through the trunk.
          const phone = /agent\d+/.exec(who)?.[0];
          const port = /\s-p\s+(\d+)/.exec(cmd)?.[1];
          if (phone) pbx.setPhone(phone, { behaviour: phoneScript(cmd) });
          else if (who === 'receiver' && port) sim.setCallee(`127.0.0.1:${port}`, calleeScript(cmd));
          else callers.set(who, sim.placeCall(callerScript(cmd)));
          continue;
        }
        const exited = /^sipp (\S+) exited/.exec(l.text);
        if (exited && callers.has(exited[1] ?? '')) {
          await step((callers.get(exited[1] ?? '') as CallerHandle).ended, `${exited[1] ?? ''} to end`);
        }
        continue;
      }

      if (l.dir === 'rest' && l.method && l.path) {
        restCalls++;
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(l.query ?? {})) qs.set(k, toSim(v));
        const target = `${url}${toSim(l.path)}${qs.size ? `?${qs.toString()}` : ''}`;
        const headers: Record<string, string> = {};
        if (l.authNote !== 'no credentials') {
          const cred = l.authNote === 'wrong password' ? 'cti:wrong' : 'cti:cti';
          headers.Authorization = `Basic ${Buffer.from(cred).toString('base64')}`;
        }
        const res = await step(fetch(target, { method: l.method, headers }), `${l.method} ${l.path}`);
        const text = await res.text();
        const ctype = res.headers.get('content-type') ?? '';
        const body: Json = text ? (ctype.includes('json') ? (JSON.parse(text) as Json) : text) : null;
        const what = `${l.method} ${l.path}${l.query ? ` ${JSON.stringify(l.query)}` : ''}`;
        if (res.status !== l.status) mismatches.push(`${what}: status ${res.status} (${text}), trace ${String(l.status)}`);
        if (res.status === l.status && l.status !== undefined && l.status < 300 && l.body !== undefined) learnIds(l.body, body);
        if (l.path === '/ari/recordings/stored' && l.method === 'GET') continue;
        const isPlay = /\/play(\/[^/]+)?$/.test(l.path) && l.method === 'POST';
        const want = JSON.stringify(projBody(l.body ?? null, (s) => s, isPlay));
        const got = JSON.stringify(projBody(body, toTrace, isPlay));
        if (want !== got) mismatches.push(`${what}: body ${got}\n      trace ${want}`);
      }
    }
    // Anything Asterisk would have sent after the capture's last step has arrived by now.
    await new Promise((r) => setTimeout(r, 100));
  } catch (err) {
    // Report what was seen so far instead of a bare timeout.
    mismatches.push(`replay aborted: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    for (const s of sockets.values()) s.ws.terminate();
    await sim.stop();
  }

  const sequences: ReplayReport['sequences'] = {};
  for (const [label, expected] of expectedEvents) {
    const actual = canonical(sockets.get(label)?.events ?? []);
    const exp = canonical(expected);
    sequences[label] = { expected: exp.map((e) => String(e.type)), actual: actual.map((e) => String(e.type)) };
    exp.forEach((e, i) => {
      const a = actual[i];
      if (!a || a.type !== e.type) return;
      const pe = JSON.stringify(projEvent(e));
      const pa = JSON.stringify(projEvent(a));
      if (pe !== pa) mismatches.push(`${label} event #${i + 1} ${String(e.type)}: ${pa}\n      trace ${pe}`);
    });
  }
  for (const [label, s] of sockets) {
    if (!expectedEvents.has(label) && s.events.length) {
      sequences[label] = { expected: [], actual: s.events.map((e) => String(e.type)) };
    }
  }
  return { trace, sequences, mismatches, restCalls };
}

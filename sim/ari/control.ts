import type { PhoneBehaviour } from '../pbx';
import { parseCalleeBehaviour } from './outbound';
import type { CallerHandle } from './script';
import type { AriSimulator } from './server';
import type { AriEventJson, PlaceCallOptions } from './types';

/**
 * HTTP mirror of the scripting API, for the demo and for tests in other processes, shaped after
 * wazo's fake ARI: `/_send_ws_event`, `/_requests`, `/_reset`, plus `/_control/...` for callers,
 * phones, agents, faults and load. No authentication: the simulator only listens on 127.0.0.1.
 */

type Reply = (status: number, body?: unknown) => void;

function obj(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function callerJson(h: CallerHandle): Record<string, unknown> {
  return { id: h.id, name: h.name, state: h.state(), result: h.result(), heard: h.heard() };
}

export function handleControl(sim: AriSimulator, method: string, url: URL, body: unknown, reply: Reply): void {
  const p = url.pathname;
  const b = obj(body);
  try {
    if (p === '/_reset' && method === 'POST') {
      sim.reset();
      return reply(204);
    }
    if (p === '/_requests') {
      if (method === 'GET') return reply(200, { requests: sim.requests() });
      if (method === 'DELETE') {
        sim.clearRequests();
        return reply(204);
      }
    }
    if (p === '/_send_ws_event' && method === 'POST') {
      if (typeof b.type !== 'string') return reply(400, { message: 'event must be a JSON object with a type' });
      const sent = sim.sendWsEvent(b as AriEventJson, url.searchParams.get('app') ?? undefined);
      return reply(200, { sent });
    }

    const parts = p.split('/').filter(Boolean).slice(1); // drop "_control"
    if (p.startsWith('/_control/')) {
      const [kind, id, action] = parts;
      if (kind === 'calls' && !id) {
        if (method === 'GET') return reply(200, sim.callerHandles().map(callerJson));
        if (method === 'POST') {
          if (typeof b.callerNumber !== 'string') return reply(400, { message: 'callerNumber is required' });
          const opts: PlaceCallOptions = { callerNumber: b.callerNumber };
          if (typeof b.callerName === 'string') opts.callerName = b.callerName;
          if (typeof b.exten === 'string') opts.exten = b.exten;
          if (Array.isArray(b.dtmf)) {
            opts.dtmf = (b.dtmf as unknown[]).map((d) => {
              const o = obj(d);
              return { digit: String(o.digit ?? ''), afterMs: num(o.afterMs) ?? 0, ...(num(o.durationMs) !== undefined ? { durationMs: num(o.durationMs) as number } : {}) };
            });
          }
          const h = num(b.hangupAfterMs);
          if (h !== undefined) opts.hangupAfterMs = h;
          const t = num(b.hangupAfterBridgedMs);
          if (t !== undefined) opts.hangupAfterBridgedMs = t;
          const a = num(b.abandonAfterMs);
          if (a !== undefined) opts.abandonAfterMs = a;
          const handle = sim.placeCall(opts);
          return reply(201, { id: handle.id, name: handle.name });
        }
      }
      if (kind === 'calls' && id) {
        const h = sim.caller(id);
        if (!h) return reply(404, { message: 'Call not found' });
        if (!action && method === 'GET') return reply(200, callerJson(h));
        if (action === 'hangup' && method === 'POST') {
          h.hangup();
          return reply(204);
        }
        if (action === 'dtmf' && method === 'POST') {
          if (typeof b.digit !== 'string' || !b.digit) return reply(400, { message: 'digit is required' });
          h.sendDtmf(b.digit, num(b.durationMs));
          return reply(204);
        }
      }
      if (kind === 'channels' && method === 'GET') return reply(200, sim.channels());
      if (kind === 'bridges' && method === 'GET') return reply(200, sim.bridges());
      if (kind === 'recordings' && method === 'GET') return reply(200, sim.storedRecordings());
      if (kind === 'agents' && id && method === 'POST') {
        if (action === 'hangup') sim.agentHangup(id);
        else if (action === 'answer') sim.agentAnswer(id);
        else return reply(404, { message: 'Unknown agent action' });
        return reply(204);
      }
      if (kind === 'phones') {
        if (!id && method === 'GET') return reply(200, sim.pbx.listPhones());
        if (id && (method === 'PUT' || method === 'POST')) {
          const patch: { behaviour?: PhoneBehaviour; registered?: boolean; reachable?: boolean } = {};
          if (b.behaviour && typeof b.behaviour === 'object') patch.behaviour = b.behaviour as PhoneBehaviour;
          if (typeof b.registered === 'boolean') patch.registered = b.registered;
          if (typeof b.reachable === 'boolean') patch.reachable = b.reachable;
          return reply(200, sim.pbx.setPhone(id, patch));
        }
      }
      if (kind === 'callees') {
        if (!id && method === 'GET') return reply(200, sim.model.callees.list());
        if (id && (method === 'PUT' || method === 'POST')) {
          const behaviour = parseCalleeBehaviour(b.behaviour);
          if (!behaviour) return reply(400, { message: 'behaviour.kind must be answer, no-answer, busy, decline or unreachable' });
          sim.setCallee(id, behaviour);
          return reply(200, { target: id, behaviour });
        }
      }
      if (kind === 'faults' && method === 'POST') {
        if (id === 'drop-websockets') {
          sim.dropWebSockets({ forMs: num(b.forMs) ?? 0 });
          return reply(204);
        }
        if (id === 'fail-requests') {
          const status = num(b.status) === 503 ? 503 : 500;
          sim.failRequests({ status, count: num(b.count) ?? 1 });
          return reply(204);
        }
        if (id === 'silent') {
          sim.setSilent(b.on !== false);
          return reply(204);
        }
        if (id === 'half-open') {
          return reply(200, { deadSockets: sim.halfOpen({ forMs: num(b.forMs) ?? 0 }) });
        }
        if (id === 'restart') {
          // Answered first: the restart closes this connection too.
          reply(202);
          void sim.restart({ downMs: num(b.downMs) ?? 1000 }).catch(() => undefined);
          return;
        }
      }
      if (kind === 'load') {
        if (method === 'POST') {
          const cps = num(b.callsPerSecond);
          if (!cps) return reply(400, { message: 'callsPerSecond is required' });
          const talk = Array.isArray(b.talkMs) ? (b.talkMs as unknown[]).map((x) => num(x) ?? 0) : [30_000, 90_000];
          sim.controlLoad?.stop();
          sim.controlLoad = sim.startLoad({
            callsPerSecond: cps,
            durationMs: num(b.durationMs) ?? Number.POSITIVE_INFINITY,
            talkMs: [talk[0] ?? 30_000, talk[1] ?? talk[0] ?? 90_000],
            ...(Array.isArray(b.callerPool) ? { callerPool: (b.callerPool as unknown[]).map(String) } : {}),
            ...(Array.isArray(b.dtmfDigits) ? { dtmfDigits: (b.dtmfDigits as unknown[]).map(String) } : {}),
          });
          return reply(201, sim.controlLoad.stats);
        }
        if (method === 'GET') return reply(200, sim.controlLoad?.stats ?? null);
        if (method === 'DELETE') {
          sim.controlLoad?.stop();
          return reply(200, sim.controlLoad?.stats ?? null);
        }
      }
    }
    reply(404, { message: 'Unknown control endpoint' });
  } catch (err) {
    reply(400, { message: err instanceof Error ? err.message : String(err) });
  }
}

import { OPERATIONS, type OperationSpec } from './api-docs';
import type { SimPlayback } from './media';
import type { AsteriskModel } from './model';
import { ariError, ariTimestamp } from './util';

/**
 * ARI REST routing: path/method matching as res_ari does it (unknown path → 404 "Resource not
 * found", known path with another method → 405 "Invalid method"), parameters from the query
 * string and/or a JSON body (as Asterisk accepts both), and one handler per operation nickname.
 */

export interface RestResult {
  status: number;
  body?: unknown;
  binary?: Buffer;
  contentType?: string;
  /** Work that Asterisk does after answering (e.g. the rest of a hangup after the 204). */
  after?: () => void;
}

export interface RestRequest {
  params: Record<string, string | undefined>;
  path: Record<string, string>;
  /** The JSON body's `variables` object (or the whole body for `fields`/`filter`). */
  variables: Record<string, string>;
  bodyJson: unknown;
}

type Handler = (req: RestRequest) => RestResult;

interface Route {
  op: OperationSpec;
  regex: RegExp;
  keys: string[];
  literalSegments: number;
}

const ROUTES: Route[] = OPERATIONS.map((op) => {
  const keys: string[] = [];
  const pattern = op.path.replace(/\{([A-Za-z_]+)\}/g, (_m, k: string) => {
    keys.push(k);
    return '([^/]+)';
  });
  return {
    op,
    regex: new RegExp(`^${pattern}$`),
    keys,
    literalSegments: op.path.split('/').filter((s) => s && !s.startsWith('{')).length,
  };
}).sort((a, b) => b.literalSegments - a.literalSegments);

export type RouteMatch =
  | { kind: 'ok'; op: OperationSpec; path: Record<string, string> }
  | { kind: 'not-found' }
  | { kind: 'bad-method' };

/** `path` is relative to /ari, e.g. `/channels/123/answer`. */
export function matchRoute(method: string, path: string): RouteMatch {
  let pathMatched = false;
  for (const r of ROUTES) {
    const m = r.regex.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.op.method !== method) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => {
      params[k] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { kind: 'ok', op: r.op, path: params };
  }
  return pathMatched ? { kind: 'bad-method' } : { kind: 'not-found' };
}

const NO_CONTENT: RestResult = { status: 204 };
const ok = (body: unknown): RestResult => ({ status: 200, body });

/** Splits comma lists (allowMultiple params). */
export function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const int = (v: string | undefined, def: number): number => {
  if (v === undefined || v === '') return def;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : def;
};

export function buildHandlers(model: AsteriskModel, info: { version: string }): Record<string, Handler> {
  const media = model.media;
  const notImplemented: Handler = () => {
    throw ariError(501, 'Not implemented by the ARI simulator');
  };

  const handlers: Record<string, Handler> = {
    // asterisk
    'asterisk.getInfo': ({ params }) => {
      const all: Record<string, unknown> = {
        build: {
          os: 'Linux',
          kernel: '6.1.0-sim',
          machine: 'x86_64',
          options: 'OPTIONAL_API',
          date: ariTimestamp(model.startedAt).slice(0, 19).replace('T', ' ') + ' UTC',
          user: 'root',
        },
        system: { version: info.version, entity_id: model.opts.asteriskId },
        config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
        status: { startup_time: ariTimestamp(model.startedAt), last_reload_time: ariTimestamp(model.startedAt) },
      };
      const only = list(params.only);
      if (only.length === 0) return ok(all);
      const out: Record<string, unknown> = {};
      for (const k of only) if (k in all) out[k] = all[k];
      return ok(out);
    },
    'asterisk.ping': () => ok({ ping: 'pong', timestamp: ariTimestamp(), asterisk_id: model.opts.asteriskId }),
    'asterisk.getGlobalVar': ({ params }) => {
      if (!params.variable) throw ariError(400, 'Variable name is required');
      return ok({ value: model.globalVars.get(params.variable) ?? '' });
    },
    'asterisk.setGlobalVar': ({ params }) => {
      if (!params.variable) throw ariError(400, 'Variable name is required');
      model.globalVars.set(params.variable, params.value ?? '');
      return NO_CONTENT;
    },
    'asterisk.listModules': () => ok([]),
    'asterisk.listLogChannels': () => ok([]),

    // endpoints
    'endpoints.list': () => ok(model.endpoints()),
    'endpoints.listByTech': ({ path }) => {
      if ((path.tech ?? '').toUpperCase() !== 'PJSIP') throw ariError(404, `No Endpoints found - invalid tech ${path.tech}`);
      return ok(model.endpoints());
    },
    'endpoints.get': ({ path }) => {
      if ((path.tech ?? '').toUpperCase() !== 'PJSIP' || !model.hasEndpoint(path.resource ?? '')) {
        throw ariError(404, 'Endpoint not found');
      }
      return ok(model.endpointJson(path.resource ?? ''));
    },

    // channels
    'channels.list': () => ok([...model.channels.values()].filter((c) => !c.gone).map((c) => c.snapshot())),
    'channels.get': ({ path }) => ok(model.channel(path.channelId ?? '').snapshot()),
    'channels.originate': ({ params, variables }) => {
      const { ch, after } = model.originate(params, variables);
      return { status: 200, body: ch.snapshot(), after };
    },
    'channels.originateWithId': ({ params, path, variables }) => {
      const { ch, after } = model.originate({ ...params, channelId: path.channelId }, variables);
      return { status: 200, body: ch.snapshot(), after };
    },
    'channels.create': ({ params, variables }) => {
      const { ch, after } = model.create(params, variables);
      return { status: 200, body: ch.snapshot(), after };
    },
    'channels.hangup': ({ params, path }) => ({
      status: 204,
      after: model.hangup(path.channelId ?? '', params.reason, params.reason_code),
    }),
    'channels.answer': ({ path }) => {
      model.answer(path.channelId ?? '');
      return NO_CONTENT;
    },
    'channels.ring': ({ path }) => {
      model.ring(path.channelId ?? '', true);
      return NO_CONTENT;
    },
    'channels.ringStop': ({ path }) => {
      model.ring(path.channelId ?? '', false);
      return NO_CONTENT;
    },
    'channels.progress': ({ path }) => {
      model.simpleControl(path.channelId ?? '');
      return NO_CONTENT;
    },
    'channels.sendDTMF': ({ path, params }) => {
      model.simpleControl(path.channelId ?? '');
      if (!params.dtmf) throw ariError(400, 'DTMF is required');
      return NO_CONTENT;
    },
    'channels.mute': ({ path }) => {
      model.simpleControl(path.channelId ?? '');
      return NO_CONTENT;
    },
    'channels.unmute': ({ path }) => {
      model.simpleControl(path.channelId ?? '');
      return NO_CONTENT;
    },
    'channels.hold': ({ path }) => {
      model.simpleControl(path.channelId ?? '');
      return NO_CONTENT;
    },
    'channels.unhold': ({ path }) => {
      model.simpleControl(path.channelId ?? '');
      return NO_CONTENT;
    },
    'channels.startSilence': ({ path }) => {
      model.simpleControl(path.channelId ?? '').silence = true;
      return NO_CONTENT;
    },
    'channels.stopSilence': ({ path }) => {
      model.simpleControl(path.channelId ?? '').silence = false;
      return NO_CONTENT;
    },
    'channels.startMoh': ({ path, params }) => {
      model.moh(path.channelId ?? '', true, params.mohClass);
      return NO_CONTENT;
    },
    'channels.stopMoh': ({ path }) => {
      model.moh(path.channelId ?? '', false, undefined);
      return NO_CONTENT;
    },
    'channels.continueInDialplan': ({ path }) => ({ status: 204, after: model.continueInDialplan(path.channelId ?? '') }),
    'channels.move': ({ path, params }) => ({ status: 204, after: model.move(path.channelId ?? '', params.app, params.appArgs) }),
    'channels.redirect': notImplemented,
    'channels.play': ({ path, params }) => channelPlay(path.channelId ?? '', params, params.playbackId),
    'channels.playWithId': ({ path, params }) => channelPlay(path.channelId ?? '', params, path.playbackId),
    'channels.record': ({ path, params }) => {
      const ch = model.control(path.channelId ?? '');
      const rec = media.recordChannel(ch, media.parseRecordParams(params));
      // A channel recording starts before the 201 (12); one refused in a bridge answers `queued`.
      return { status: 201, body: rec.state === 'failed' ? { ...rec.json(), state: 'queued' } : rec.json() };
    },
    'channels.getChannelVar': ({ path, params }) => ok({ value: model.getVar(path.channelId ?? '', params.variable) }),
    'channels.setChannelVar': ({ path, params }) => {
      model.setVar(path.channelId ?? '', params.variable, params.value ?? '');
      return NO_CONTENT;
    },
    'channels.getChannelVars': ({ path, params }) => {
      const names = list(params.variables);
      if (names.length === 0) throw ariError(400, 'At least one variable name is required');
      const out: Record<string, string> = {};
      for (const n of names) out[n] = model.getVar(path.channelId ?? '', n);
      return ok({ variables: out });
    },
    'channels.setChannelVars': ({ path, variables }) => {
      if (Object.keys(variables).length === 0) throw ariError(400, "The 'variables' field is required");
      for (const [k, v] of Object.entries(variables)) model.setVar(path.channelId ?? '', k, v);
      return NO_CONTENT;
    },
    'channels.dial': ({ path, params }) => ({ status: 204, after: model.dial(path.channelId ?? '', params) }),
    'channels.snoopChannel': ({ path, params }) => snoop(path.channelId ?? '', params, params.snoopId),
    'channels.snoopChannelWithId': ({ path, params }) => snoop(path.channelId ?? '', params, path.snoopId),
    'channels.rtpstatistics': ({ path }) => {
      model.channel(path.channelId ?? '');
      throw ariError(404, 'Statistics not found');
    },
    'channels.externalMedia': notImplemented,
    'channels.transfer_progress': notImplemented,

    // bridges
    'bridges.list': () => ok([...model.bridges.values()].filter((b) => !b.destroyed).map((b) => b.snapshot())),
    'bridges.create': ({ params }) => ok(model.createBridge(params).snapshot()),
    'bridges.createWithId': ({ params, path }) => {
      const existing = model.bridges.get(path.bridgeId ?? '');
      if (existing && !existing.destroyed) return ok(existing.snapshot());
      return ok(model.createBridge(params, path.bridgeId).snapshot());
    },
    'bridges.get': ({ path }) => ok(model.bridge(path.bridgeId ?? '').snapshot()),
    'bridges.destroy': ({ path }) => {
      model.destroyBridge(path.bridgeId ?? '');
      return NO_CONTENT;
    },
    'bridges.addChannel': ({ path, params }) => {
      model.addChannels(path.bridgeId ?? '', list(params.channel));
      return NO_CONTENT;
    },
    'bridges.removeChannel': ({ path, params }) => {
      model.removeChannels(path.bridgeId ?? '', list(params.channel));
      return NO_CONTENT;
    },
    'bridges.startMoh': ({ path, params }) => {
      model.bridgeMoh(path.bridgeId ?? '', true, params.mohClass);
      return NO_CONTENT;
    },
    'bridges.stopMoh': ({ path }) => {
      model.bridgeMoh(path.bridgeId ?? '', false, undefined);
      return NO_CONTENT;
    },
    'bridges.play': ({ path, params }) => bridgePlay(path.bridgeId ?? '', params, params.playbackId),
    'bridges.playWithId': ({ path, params }) => bridgePlay(path.bridgeId ?? '', params, path.playbackId),
    'bridges.record': ({ path, params }) => {
      const b = model.bridge(path.bridgeId ?? '');
      const rec = media.recordBridge(b, media.parseRecordParams(params));
      return { status: 201, body: { ...rec.json(), state: 'queued' } };
    },
    'bridges.getBridgeVar': ({ path, params }) => {
      const b = model.bridge(path.bridgeId ?? '');
      if (!params.variable) throw ariError(400, 'Variable name is required');
      const v = b.vars.get(params.variable);
      if (v === undefined) throw ariError(404, 'Provided variable was not found');
      return ok({ value: v });
    },
    'bridges.setBridgeVar': ({ path, params }) => {
      const b = model.bridge(path.bridgeId ?? '');
      if (!params.variable) throw ariError(400, 'Variable name is required');
      b.vars.set(params.variable, params.value ?? '');
      return NO_CONTENT;
    },
    'bridges.getBridgeVars': ({ path, params }) => {
      const b = model.bridge(path.bridgeId ?? '');
      const out: Record<string, string> = {};
      for (const n of list(params.variables)) out[n] = b.vars.get(n) ?? '';
      return ok({ variables: out });
    },
    'bridges.setBridgeVars': ({ path, variables }) => {
      const b = model.bridge(path.bridgeId ?? '');
      for (const [k, v] of Object.entries(variables)) b.vars.set(k, v);
      return NO_CONTENT;
    },
    'bridges.setVideoSource': notImplemented,
    'bridges.clearVideoSource': notImplemented,

    // playbacks
    'playbacks.get': ({ path }) => ok(media.getPlayback(path.playbackId ?? '').json()),
    'playbacks.stop': ({ path }) => ({ status: 204, after: media.stopPlayback(path.playbackId ?? '') }),
    'playbacks.control': ({ path, params }) => {
      media.controlPlayback(path.playbackId ?? '', params.operation ?? '');
      return NO_CONTENT;
    },

    // recordings
    'recordings.listStored': () => ok([...media.stored.values()].map((s) => ({ name: s.name, format: s.format }))),
    'recordings.getStored': ({ path }) => {
      const s = media.getStored(path.recordingName ?? '');
      return ok({ name: s.name, format: s.format });
    },
    'recordings.deleteStored': ({ path }) => {
      media.deleteStored(path.recordingName ?? '');
      return NO_CONTENT;
    },
    'recordings.getStoredFile': ({ path }) => ({
      status: 200,
      binary: media.storedFile(path.recordingName ?? ''),
      contentType: 'audio/wav',
    }),
    'recordings.copyStored': ({ path, params }) => {
      const s = media.copyStored(path.recordingName ?? '', params.destinationRecordingName ?? '');
      return ok({ name: s.name, format: s.format });
    },
    'recordings.getLive': ({ path }) => ok(media.getLive(path.recordingName ?? '').json()),
    'recordings.cancel': ({ path }) => {
      media.cancelLive(path.recordingName ?? '');
      return NO_CONTENT;
    },
    'recordings.stop': ({ path }) => {
      media.stopLive(path.recordingName ?? '');
      return NO_CONTENT;
    },
    'recordings.pause': ({ path }) => {
      media.pauseLive(path.recordingName ?? '', true);
      return NO_CONTENT;
    },
    'recordings.unpause': ({ path }) => {
      media.pauseLive(path.recordingName ?? '', false);
      return NO_CONTENT;
    },
    'recordings.mute': ({ path }) => {
      media.getLive(path.recordingName ?? '');
      return NO_CONTENT;
    },
    'recordings.unmute': ({ path }) => {
      media.getLive(path.recordingName ?? '');
      return NO_CONTENT;
    },

    // sounds
    'sounds.list': () => ok([]),
    'sounds.get': () => {
      throw ariError(404, 'Sound not found');
    },

    // deviceStates
    'deviceStates.list': () => ok([...model.deviceStates.entries()].map(([name, state]) => ({ name, state }))),
    'deviceStates.get': ({ path }) => ok({ name: path.deviceName, state: model.deviceStates.get(path.deviceName ?? '') ?? 'UNKNOWN' }),
    'deviceStates.update': ({ path, params }) => {
      if (!(path.deviceName ?? '').startsWith('Stasis:')) throw ariError(409, 'Uncontrolled device specified');
      if (!params.deviceState) throw ariError(400, 'Missing parameter deviceState');
      model.setDeviceState(path.deviceName ?? '', params.deviceState);
      return NO_CONTENT;
    },
    'deviceStates.delete': ({ path }) => {
      if (!model.deviceStates.delete(path.deviceName ?? '')) throw ariError(404, 'Device state not found');
      return NO_CONTENT;
    },

    // mailboxes
    'mailboxes.list': () =>
      ok([...model.mailboxes.entries()].map(([name, m]) => ({ name, old_messages: m.old, new_messages: m.new }))),
    'mailboxes.get': ({ path }) => {
      const m = model.mailboxes.get(path.mailboxName ?? '');
      if (!m) throw ariError(404, 'Mailbox not found');
      return ok({ name: path.mailboxName, old_messages: m.old, new_messages: m.new });
    },
    'mailboxes.update': ({ path, params }) => {
      model.mailboxes.set(path.mailboxName ?? '', { old: int(params.oldMessages, 0), new: int(params.newMessages, 0) });
      return NO_CONTENT;
    },
    'mailboxes.delete': ({ path }) => {
      if (!model.mailboxes.delete(path.mailboxName ?? '')) throw ariError(404, 'Mailbox not found');
      return NO_CONTENT;
    },

    // events
    'events.eventWebsocket': () => {
      throw ariError(400, 'WebSocket upgrade required');
    },
    'events.userEvent': ({ path, params, variables }) => {
      model.userEvent(path.eventName ?? '', params.application, list(params.source), variables);
      return NO_CONTENT;
    },
    'events.claimChannel': ({ params }) => ({ status: 204, after: model.claim(params.channelId, params.application) }),

    // applications
    'applications.list': () => ok(model.knownApps().map((a) => model.applicationJson(a))),
    'applications.get': ({ path }) => {
      if (!model.knownApps().includes(path.applicationName ?? '')) throw ariError(404, 'Application not found');
      return ok(model.applicationJson(path.applicationName ?? ''));
    },
    'applications.subscribe': ({ path, params }) => {
      model.subscription(path.applicationName ?? '', list(params.eventSource), true);
      return ok(model.applicationJson(path.applicationName ?? ''));
    },
    'applications.unsubscribe': ({ path, params }) => {
      model.subscription(path.applicationName ?? '', list(params.eventSource), false);
      return ok(model.applicationJson(path.applicationName ?? ''));
    },
    'applications.filter': ({ path }) => {
      if (!model.apps.isRegistered(path.applicationName ?? '')) throw ariError(404, 'Application not found');
      return ok(model.applicationJson(path.applicationName ?? ''));
    },
  };

  function snoop(channelId: string, params: Record<string, string | undefined>, snoopId: string | undefined): RestResult {
    const { ch, after } = model.snoop(channelId, {
      ...(params.spy !== undefined ? { spy: params.spy } : {}),
      ...(params.whisper !== undefined ? { whisper: params.whisper } : {}),
      ...(params.app !== undefined ? { app: params.app } : {}),
      ...(params.appArgs !== undefined ? { appArgs: params.appArgs } : {}),
      ...(snoopId !== undefined ? { snoopId } : {}),
    });
    return { status: 200, body: ch.snapshot(), after };
  }

  function channelPlay(channelId: string, params: Record<string, string | undefined>, playbackId: string | undefined): RestResult {
    const ch = model.control(channelId);
    const pb = media.play({ kind: 'channel', ch }, list(params.media), {
      playbackId,
      lang: params.lang,
      offsetms: int(params.offsetms, 0),
      skipms: int(params.skipms, 3000),
    });
    return { status: 201, body: playResponse(pb.json()) };
  }

  function bridgePlay(bridgeId: string, params: Record<string, string | undefined>, playbackId: string | undefined): RestResult {
    const b = model.bridge(bridgeId);
    const pb = media.play({ kind: 'bridge', bridge: b }, list(params.media), {
      playbackId,
      lang: params.lang,
      offsetms: int(params.offsetms, 0),
      skipms: int(params.skipms, 3000),
    });
    return { status: 201, body: playResponse(pb.json()) };
  }

  for (const op of OPERATIONS) {
    const key = `${op.resource}.${op.nickname}`;
    if (!handlers[key]) handlers[key] = notImplemented;
  }
  return handlers;
}

/**
 * The 201 body of a play: `playing` when it started at once (trace 01), otherwise `queued` -
 * also when it already failed (08: a missing sound answers `queued`, then PlaybackFinished failed).
 */
function playResponse(json: ReturnType<SimPlayback['json']>): ReturnType<SimPlayback['json']> {
  return json.state === 'playing' ? json : { ...json, state: 'queued' };
}

/** Flattens a parsed JSON request body into ARI params (Asterisk accepts params in the body). */
export function bodyToParams(body: unknown): { params: Record<string, string>; variables: Record<string, string> } {
  const params: Record<string, string> = {};
  const variables: Record<string, string> = {};
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { params, variables };
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === 'variables' && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [vk, vv] of Object.entries(v as Record<string, unknown>)) {
        variables[vk] =
          vv && typeof vv === 'object' && 'value' in (vv as Record<string, unknown>)
            ? String((vv as Record<string, unknown>).value)
            : String(vv);
      }
    } else if (v !== null && v !== undefined && typeof v !== 'object') {
      params[k] = String(v);
    } else if (Array.isArray(v)) {
      params[k] = v.map(String).join(',');
    }
  }
  return { params, variables };
}


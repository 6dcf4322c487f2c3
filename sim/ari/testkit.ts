/**
 * Test helpers for code that drives the simulator through the real `ari-client` 2.2.0 (which
 * ships no types): a minimal typing of the client and promise helpers to await events instead
 * of sleeping.
 */
import type { BridgeJson, ChannelJson, LiveRecordingJson, PlaybackJson } from './types';

export interface AriEvent {
  type: string;
  application?: string;
  channel?: ChannelJson;
  peer?: ChannelJson;
  bridge?: BridgeJson;
  playback?: PlaybackJson;
  recording?: LiveRecordingJson;
  args?: string[];
  [k: string]: unknown;
}

/** An ari-client operation; `T` is what the caller expects back (instances, lists, JSON). */
export type AriOp = <T = AriInstance>(params?: Record<string, unknown>, instance?: AriInstance) => Promise<T>;

export interface AriInstanceBase {
  id: string;
  name: string;
  state: string;
  on(event: string, cb: (e: AriEvent, inst: AriInstance) => void): void;
  once(event: string, cb: (e: AriEvent, inst: AriInstance) => void): void;
  removeAllListeners(event: string): void;
}

/** A Channel/Bridge/Playback/LiveRecording instance: its fields plus its bound operations. */
export type AriInstance = AriInstanceBase & Record<string, AriOp>;

type Ops = Record<string, AriOp>;

export interface AriClient {
  asterisk: Ops;
  endpoints: Ops;
  channels: Ops;
  bridges: Ops;
  recordings: Ops;
  sounds: Ops;
  playbacks: Ops;
  deviceStates: Ops;
  mailboxes: Ops;
  events: Ops;
  applications: Ops;
  Channel(id?: string): AriInstance;
  Bridge(id?: string): AriInstance;
  Playback(id?: string): AriInstance;
  LiveRecording(name?: string): AriInstance;
  on(event: string, cb: (e: AriEvent, inst: AriInstance) => void): void;
  once(event: string, cb: (e: AriEvent, inst: AriInstance) => void): void;
  removeListener(event: string, cb: (...args: never[]) => void): void;
  start(apps: string | string[], subscribeAll?: boolean): Promise<void>;
  stop(): void;
  ping(): void;
  _swagger: { apis: Record<string, { models: Record<string, unknown>; operations: Record<string, unknown> }> };
}

export async function connectAri(url: string, user = 'cti', pass = 'cti'): Promise<AriClient> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ari = require('ari-client') as { connect(url: string, user: string, pass: string): Promise<unknown> };
  return (await ari.connect(url, user, pass)) as AriClient;
}

/** Resolves with the next client-level event of `type` matching `pred`. */
export function nextEvent(
  client: AriClient,
  type: string,
  pred: (e: AriEvent) => boolean = () => true,
  timeoutMs = 5000,
): Promise<{ event: AriEvent; instance: AriInstance }> {
  return new Promise((resolve, reject) => {
    const listener = (event: AriEvent, instance: AriInstance): void => {
      if (!pred(event)) return;
      clearTimeout(timer);
      client.removeListener(type, listener as never);
      resolve({ event, instance });
    };
    const timer = setTimeout(() => {
      client.removeListener(type, listener as never);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${type}`));
    }, timeoutMs);
    client.on(type, listener);
  });
}

/** Collects every event the client receives (for sequence assertions). */
export function recordEvents(client: AriClient): AriEvent[] {
  const seen: AriEvent[] = [];
  client.on('*', (e) => seen.push(e));
  return seen;
}

/** Parses the JSON body ari-client puts in an error's message. */
export function ariErrorBody(err: unknown): Record<string, unknown> {
  const msg = err instanceof Error ? err.message : String(err);
  try {
    return JSON.parse(msg) as Record<string, unknown>;
  } catch {
    return { raw: msg };
  }
}

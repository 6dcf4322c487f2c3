import type { FrameClock } from './clock';
import { SimChannel, type SimBridge } from './entities';
import { AriError, ariError, type IdFactory } from './util';

/**
 * Snoop channels (POST /channels/{id}/snoop), as trace 11 shows them: a channel
 * `Snoop/<target id>-<n>` that is Up at once, enters the given app (StasisStart with `appArgs`)
 * and can be bridged like any channel; hanging it up ends its subscription at StasisEnd (no
 * ChannelDestroyed, like a caller). Spy/whisper only change what is heard, which the simulator
 * does not carry, but attaching or detaching the snoop's audiohook makes the target's bridge
 * re-evaluate: it restates its peers right after the snoop's StasisStart, and one media frame
 * (20 ms, real time) after the snoop is gone.
 */

/** Directions `spy` and `whisper` accept (api-docs.ts declares the same values). */
export const SNOOP_DIRECTIONS = ['none', 'both', 'out', 'in'];

export interface SnoopHost {
  readonly channels: Map<string, SimChannel>;
  readonly ids: IdFactory;
  readonly frames: FrameClock;
  enterStasis(ch: SimChannel, app: string, args: string[]): void;
  /** The bridge re-evaluates with its membership unchanged (BRIDGEPEER etc. published again). */
  restatePeers(bridge: SimBridge): void;
  announceCreated(ch: SimChannel): void;
}

export interface SnoopParams {
  spy?: string;
  whisper?: string;
  app?: string;
  appArgs?: string;
  snoopId?: string;
}

/** Validation in the order res_ari checks it (11: bad `spy` → 400, unknown channel → 404). */
export function createSnoop(host: SnoopHost, targetId: string, p: SnoopParams): { ch: SimChannel; after: () => void } {
  const spy = p.spy || 'none';
  const whisper = p.whisper || 'none';
  if (!SNOOP_DIRECTIONS.includes(spy)) throw ariError(400, 'Invalid direction specified for spy');
  if (!SNOOP_DIRECTIONS.includes(whisper)) throw ariError(400, 'Invalid direction specified for whisper');
  if (spy === 'none' && whisper === 'none') throw ariError(400, 'Direction must be specified for at least spy or whisper');
  if (!p.app) throw ariError(400, 'Application name is required');
  const target = host.channels.get(targetId);
  if (!target || target.gone) throw ariError(404, 'Provided channel was not found');
  if (p.snoopId && host.channels.has(p.snoopId)) throw new AriError(500, { message: 'Snoop channel could not be created' });
  const ch = new SimChannel(
    p.snoopId || host.ids.uniqueId(),
    `Snoop/${target.id}-${host.ids.snoopSuffix()}`,
    'snoop',
    '',
    '',
    { state: 'Up', caller: { name: '', number: '' }, dialplan: { context: 'default', exten: 's', priority: 1, app_name: '', app_data: '' } },
  );
  ch.answeredAt = Date.now();
  ch.snoopOf = target;
  target.snoops.add(ch);
  host.channels.set(ch.id, ch);
  host.announceCreated(ch);
  const app = p.app;
  const args = p.appArgs ? p.appArgs.split(',') : [];
  return {
    ch,
    // The 200 shows the snoop outside Stasis; StasisStart follows (11).
    after: () => {
      if (ch.gone || ch.hangingUp) return;
      ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
      host.enterStasis(ch, app, args);
      restateIfBridged(host, target);
    },
  };
}

/** The snoop channel is gone: its audiohook leaves the target, noticed on the next frame. */
export function snoopGone(host: SnoopHost, snoop: SimChannel): void {
  const target = snoop.snoopOf;
  if (!target) return;
  target.snoops.delete(snoop);
  host.frames.nextFrame(() => restateIfBridged(host, target));
}

function restateIfBridged(host: SnoopHost, target: SimChannel): void {
  const b = target.bridge;
  if (!target.gone && b && !b.destroyed) host.restatePeers(b);
}

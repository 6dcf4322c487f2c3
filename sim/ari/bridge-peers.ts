import { SimChannel, type BridgeParty, type SimBridge } from './entities';

/**
 * What the bridging core tells about a mixing bridge's members: the BRIDGEPEER /
 * BRIDGEPVTCALLID channel variables and, with two parties, each channel's connected line.
 * Orders and values as in the golden traces (02, 06, 10a, 11).
 */

export interface PeerHost {
  varset(ch: SimChannel, variable: string, value: string): void;
  /** Sets the connected line and publishes ChannelConnectedLine. */
  setConnected(ch: SimChannel, connected: { name: string; number: string }): void;
}

const peerName = (p: BridgeParty): string => (p instanceof SimChannel ? p.name : p.peerName);

/**
 * `changed`: publish what differs (a join or a leave). `restate`: the core re-evaluated the bridge
 * without a membership change and sets every BRIDGEPEER again, and every non-empty
 * BRIDGEPVTCALLID, even though nothing changed (11: a snoop's audiohook, a switch to softmix).
 */
export function publishPeers(b: SimBridge, host: PeerHost, mode: 'changed' | 'restate'): void {
  if (b.bridgeType !== 'mixing' || b.partyCount() < 2) return;
  for (const me of b.order) {
    if (!(me instanceof SimChannel)) continue;
    const others = b.order.filter((p) => p !== me);
    const peer = others.map(peerName).join(',');
    if (mode === 'restate' || (me.vars.get('BRIDGEPEER') ?? '') !== peer) host.varset(me, 'BRIDGEPEER', peer);
    const only = others.length === 1 ? others[0] : undefined;
    const pvt = only instanceof SimChannel ? only.protocolId : '';
    const cur = me.vars.get('BRIDGEPVTCALLID');
    // Clearing a value never set publishes nothing (a snoop has no protocol id: 11).
    const changed = (cur ?? '') !== pvt && (pvt !== '' || cur !== undefined);
    if (changed || (mode === 'restate' && pvt !== '')) host.varset(me, 'BRIDGEPVTCALLID', pvt);
  }
}

/** The other party's caller id; a recorder has none. */
function otherParty(b: SimBridge, me: SimChannel): { name: string; number: string } {
  const other = b.order.find((p) => p !== me);
  return other instanceof SimChannel ? { ...other.caller } : { name: '', number: '' };
}

const sameId = (a: { name: string; number: string }, b: { name: string; number: string }): boolean =>
  a.name === b.name && a.number === b.number;

/** Two channels just got bridged together: each shows the other's caller id (02, 06). */
export function exchangeOnJoin(b: SimBridge, host: PeerHost): void {
  if (b.bridgeType !== 'mixing' || b.channels.length !== 2) return;
  const [a, c] = b.channels as [SimChannel, SimChannel];
  for (const [me, other] of [
    [a, c],
    [c, a],
  ] as Array<[SimChannel, SimChannel]>) {
    if (!sameId(me.connected, other.caller)) host.setConnected(me, { ...other.caller });
  }
}

/**
 * Connected-line updates after `leaver` left. They come from the bridge, after the leaver's own
 * teardown (its StasisEnd: 10b, 11), so the caller runs the returned function at that point.
 *  - two parties remain: each channel shows the other party (a recorder: nobody, 02/10b);
 *    a bridge that went native between two phones restates its peers before each update (11);
 *  - more remain: whoever showed the leaver shows nobody.
 */
export function connectedAfterLeave(b: SimBridge, leaver: SimChannel, host: PeerHost): () => void {
  if (b.bridgeType !== 'mixing' || b.partyCount() < 2) return () => undefined;
  const members = [...b.channels];
  if (b.partyCount() === 2) {
    const native = b.tech === 'native_rtp';
    return () => {
      for (const me of members) {
        if (me.gone || me.bridge !== b) continue;
        if (native) publishPeers(b, host, 'restate');
        const want = otherParty(b, me);
        if (!sameId(me.connected, want)) host.setConnected(me, want);
      }
    };
  }
  return () => {
    for (const me of members) {
      if (!me.gone && me.bridge === b && sameId(me.connected, leaver.caller)) host.setConnected(me, { name: '', number: '' });
    }
  };
}

import type { PhoneBehaviour } from '../pbx';
import type { DtmfStep } from './types';
import { AriError } from './util';

/**
 * Calls to the PSTN through the carrier trunk (notification calls), as trace 12 shows them:
 * `PJSIP/<number>@<trunk>` needs the trunk to have an AOR contact (the capture box had none:
 * 500 Allocation failed), `PJSIP/<trunk>/sip:<number>@<host>[:port]` names the request URI
 * itself. The channel is `PJSIP/<trunk>-<n>` in the trunk's context; who answers is a scripted
 * callee, looked up by its address (`host:port`) or its number.
 */

/** How a called PSTN number reacts (a SIPp UAS in the captures). */
export type CalleeBehaviour =
  | { kind: 'answer'; afterMs: number; hangupAfterMs?: number; /** Keys sent after answering (RFC 4733). */ dtmf?: DtmfStep[] }
  | Exclude<PhoneBehaviour, { kind: 'answer' }>
  /** Nothing answers the INVITE: no ringing; the originate times out (12). */
  | { kind: 'unreachable' };

/** Context of the trunk endpoint (asterisk-conf/pjsip.conf `[trunk-endpoint]`, trace 12). */
export const TRUNK_CONTEXT = 'from-pstn';

export type DialTarget =
  | { kind: 'phone'; resource: string; dialString: string }
  | { kind: 'callee'; number: string; address: string | null; dialString: string };

const allocationFailed = (): AriError => new AriError(500, { error: 'Allocation failed' });

/** Which side a `PJSIP/...` endpoint rings; throws 500 Allocation failed when it cannot be dialled. */
export function parseDialTarget(endpoint: string, trunk: string, trunkHasContact: boolean): DialTarget {
  const m = /^([^/]+)\/(.+)$/.exec(endpoint);
  if (!m || (m[1] ?? '').toUpperCase() !== 'PJSIP') throw allocationFailed();
  const rest = m[2] as string;
  const uri = new RegExp(`^${escape(trunk)}/sip:([^@;>]*)@([^;>]+)`).exec(rest);
  if (uri) {
    const host = uri[2] as string;
    return { kind: 'callee', number: uri[1] ?? '', address: host.includes(':') ? host : `${host}:5060`, dialString: rest };
  }
  const viaTrunk = /^([^@/]+)@([^@/]+)$/.exec(rest);
  if (viaTrunk && viaTrunk[2] === trunk) {
    if (!trunkHasContact) throw allocationFailed();
    return { kind: 'callee', number: viaTrunk[1] ?? '', address: null, dialString: rest };
  }
  const resource = /^([^@/]+)/.exec(rest)?.[1] ?? '';
  return { kind: 'phone', resource, dialString: resource };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A callee behaviour from JSON (control API); null when it is not one. */
export function parseCalleeBehaviour(v: unknown): CalleeBehaviour | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const ms = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  switch (o.kind) {
    case 'answer': {
      const dtmf = Array.isArray(o.dtmf)
        ? o.dtmf.flatMap((d: unknown) => {
            const s = d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
            return typeof s.digit === 'string' ? [{ digit: s.digit, afterMs: ms(s.afterMs) ?? 0 }] : [];
          })
        : undefined;
      const hangupAfterMs = ms(o.hangupAfterMs);
      return { kind: 'answer', afterMs: ms(o.afterMs) ?? 0, ...(hangupAfterMs !== undefined ? { hangupAfterMs } : {}), ...(dtmf ? { dtmf } : {}) };
    }
    case 'decline':
      return { kind: 'decline', afterMs: ms(o.afterMs) ?? 0 };
    case 'no-answer':
    case 'busy':
    case 'unreachable':
      return { kind: o.kind };
    default:
      return null;
  }
}

/** The PSTN side: callees by address or number, and what any other number does. */
export class CalleeDirectory {
  private readonly byTarget = new Map<string, CalleeBehaviour>();

  constructor(private fallback: CalleeBehaviour) {}

  /** `target`: a number (`13800001111`), an address (`127.0.0.1:5091`), or `*` for every other one. */
  set(target: string, behaviour: CalleeBehaviour): void {
    if (target === '*') this.fallback = behaviour;
    else this.byTarget.set(target, behaviour);
  }

  get(number: string, address: string | null): CalleeBehaviour {
    return (address ? this.byTarget.get(address) : undefined) ?? this.byTarget.get(number) ?? this.fallback;
  }

  list(): Array<{ target: string; behaviour: CalleeBehaviour }> {
    return [...this.byTarget.entries(), ['*', this.fallback] as [string, CalleeBehaviour]].map(([target, behaviour]) => ({ target, behaviour }));
  }
}

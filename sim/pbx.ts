import { EventEmitter } from 'node:events';

/**
 * The simulated PBX's shared world: agent phones and the carrier trunk.
 * The ARI simulator (call media) and the AMI simulator (registrations, contact
 * reachability) are two views of one Asterisk, so both read and watch this model:
 * a phone unregistered here is offline in ARI's /endpoints and reported Removed over AMI.
 */

/** How a simulated agent phone reacts when the CTI rings it. */
export type PhoneBehaviour =
  | { kind: 'answer'; afterMs: number; hangupAfterMs?: number }
  | { kind: 'no-answer' }
  | { kind: 'busy' }
  /** Rings, then the agent presses decline after `afterMs` (SIP 603, Q.850 cause 21 "call rejected"). */
  | { kind: 'decline'; afterMs: number };

export interface PhoneState {
  /** Extension / endpoint resource, e.g. `1001` for `PJSIP/1001`. */
  extension: string;
  registered: boolean;
  /** Qualify result; only meaningful while registered. */
  reachable: boolean;
  behaviour: PhoneBehaviour;
}

export interface TrunkState {
  name: string;
  registered: boolean;
}

/** The PBX's simulated time (the ARI simulator's SimClock fits): durations are simulated ms. */
export interface PbxClock {
  readonly scale: number;
  after(simMs: number, fn: () => void): { cancel(): void };
  /** Real time elapsed since `realStart` (a Date.now() value), in simulated ms. */
  simElapsed(realStart: number): number;
}

/**
 * A caller the dialplan sent to its own fallback because no Stasis app took the call
 * (extensions.conf `[from-pstn-fallback]`). The side that owns the caller's channel (the ARI
 * simulator) hands it over with these controls; the side that plays app_queue (the AMI
 * simulator) drives it. Only what the dialplan can do to a channel is here.
 */
export interface FallbackCaller {
  /** The caller's channel Uniqueid (= ARI channel id, = queue_log call id). */
  readonly uniqueid: string;
  /** e.g. `PJSIP/pstn-000000d1` */
  readonly channel: string;
  /** Endpoint of the trunk the call came in on (`pstn`). */
  readonly trunk: string;
  readonly callerNumber: string;
  readonly callerName: string;
  readonly exten: string;
  /** Why the dialplan went on: the broadcast was not claimed, or Stasis() failed. */
  readonly stasisStatus: 'TIMEOUT' | 'FAILED';
  readonly clock: PbxClock;
  /** A new channel for a phone the dialplan dials (name and Uniqueid from the PBX's counters). */
  newChannel(resource: string): { name: string; uniqueid: string };
  /** Dialplan Answer(). */
  answer(): void;
  /** The dialplan plays a prompt; `done` runs when it has been heard to its end (not if the caller left). */
  play(media: string, done: () => void): void;
  /** Keys the caller pressed since the answer, oldest first. */
  keys(): string[];
  /** Bridged with a phone's channel: the caller now talks to someone. */
  connected(peer: { channel: string; number: string; name: string }): void;
  /** Dialplan Hangup() (or the far side of a bridge hanging up). */
  hangup(by: 'agent' | 'pbx', reason: string): void;
  /** Runs once when the caller's channel is gone, whoever ended it. */
  onGone(fn: () => void): void;
  readonly gone: boolean;
}

export interface PbxModelEvents {
  phone: [PhoneState];
  trunk: [TrunkState];
  /** A caller reached the dialplan fallback; whoever plays app_queue takes it. */
  fallback: [FallbackCaller];
}

export class PbxModel extends EventEmitter<PbxModelEvents> {
  private readonly phones = new Map<string, PhoneState>();
  private trunkState: TrunkState;

  constructor(opts: { extensions: string[]; trunkName?: string; defaultBehaviour?: PhoneBehaviour }) {
    super();
    const behaviour = opts.defaultBehaviour ?? { kind: 'answer', afterMs: 1000 };
    for (const extension of opts.extensions) {
      this.phones.set(extension, { extension, registered: true, reachable: true, behaviour });
    }
    this.trunkState = { name: opts.trunkName ?? 'carrier', registered: true };
  }

  listPhones(): PhoneState[] {
    return [...this.phones.values()].map((p) => ({ ...p }));
  }

  phone(extension: string): PhoneState | undefined {
    const p = this.phones.get(extension);
    return p ? { ...p } : undefined;
  }

  /** Adds the phone if unknown; emits `phone` with the new state. */
  setPhone(extension: string, patch: Partial<Omit<PhoneState, 'extension'>>): PhoneState {
    const prev = this.phones.get(extension) ?? {
      extension,
      registered: true,
      reachable: true,
      behaviour: { kind: 'answer', afterMs: 1000 } as PhoneBehaviour,
    };
    const next: PhoneState = { ...prev, ...patch, extension };
    this.phones.set(extension, next);
    this.emit('phone', { ...next });
    return { ...next };
  }

  /** A phone can be rung only when registered and reachable. */
  isDialable(extension: string): boolean {
    const p = this.phones.get(extension);
    return !!p && p.registered && p.reachable;
  }

  /**
   * Hands a caller to the dialplan fallback. False when no part of this simulated PBX plays it
   * (an ARI simulator alone has no app_queue): the caller then gets the older "please call
   * again" fallback.
   */
  takeFallback(caller: FallbackCaller): boolean {
    if (this.listenerCount('fallback') === 0) return false;
    this.emit('fallback', caller);
    return true;
  }

  trunk(): TrunkState {
    return { ...this.trunkState };
  }

  setTrunk(registered: boolean): TrunkState {
    this.trunkState = { ...this.trunkState, registered };
    this.emit('trunk', { ...this.trunkState });
    return { ...this.trunkState };
  }
}

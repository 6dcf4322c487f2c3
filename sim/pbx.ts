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

export interface PbxModelEvents {
  phone: [PhoneState];
  trunk: [TrunkState];
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

  trunk(): TrunkState {
    return { ...this.trunkState };
  }

  setTrunk(registered: boolean): TrunkState {
    this.trunkState = { ...this.trunkState, registered };
    this.emit('trunk', { ...this.trunkState });
    return { ...this.trunkState };
  }
}

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AmiClient, AmiState, AmiStateChange } from './client';
import {
  parseContactListItem,
  parseOutboundRegistration,
  type AmiMessage,
  type ContactEvent,
  type ContactStatus,
  type RegistryEvent,
  type RegistryStatus,
} from './events';

/** What the ACD needs to know about phones; it must never ring one this says is unreachable. */
export interface PhoneReachability {
  isPhoneReachable(extension: string): boolean;
}

export type PhoneStatus = Exclude<ContactStatus, 'updated'>;

export interface PhoneContactHealth {
  uri: string;
  status: PhoneStatus;
  at: string;
}

export interface PhoneHealth {
  extension: string;
  /** Best status over the phone's contacts; `removed` when it has none. */
  status: PhoneStatus;
  reachable: boolean;
  /** When `status` last changed (ISO 8601). */
  at: string;
  contacts: PhoneContactHealth[];
}

export interface TrunkRegistrationHealth {
  clientUri: string;
  serverUri: string;
  /** pjsip.conf section name, once seen in PJSIPShowRegistrationsOutbound. */
  name?: string;
  status: RegistryStatus;
  rawStatus: string;
  at: string;
}

export interface TrunkHealth {
  /** At least one outbound registration, and every one of them Registered. */
  registered: boolean;
  lastEventAt: string | null;
  registrations: TrunkRegistrationHealth[];
}

export interface PbxHealthSnapshot {
  ami: { connected: boolean; state: AmiState; since: string; reconnects: number; lastError?: string };
  trunk: TrunkHealth;
  phones: PhoneHealth[];
}

export interface PbxHealthEvents {
  phone: [PhoneHealth];
  trunk: [TrunkHealth];
  /** A PJSIPShowContacts + PJSIPShowRegistrationsOutbound snapshot has been applied. */
  refreshed: [PbxHealthSnapshot];
}

/** The part of AmiClient this depends on (lets a test drive it without a socket). */
export type PbxHealthAmi = Pick<AmiClient, 'on' | 'off' | 'state' | 'since' | 'reconnects' | 'lastError' | 'actionList'>;

export interface PbxHealthOptions {
  ami: PbxHealthAmi;
  logger: Logger;
  /** PJSIP endpoint name → agent extension; `null` = not an agent phone. Default: the name itself. */
  extensionOf?: (endpoint: string) => string | null;
  /** A failed snapshot is retried after this delay while AMI stays connected. */
  refreshRetryMs?: number;
  /**
   * Endpoints that are trunks, not agent phones. Also learned from PJSIPShowRegistrationsOutbound
   * (each registration's name and `Endpoint`), so the carrier of pjsip.conf needs no configuration.
   */
  trunkEndpoints?: readonly string[];
}

interface ContactRecord {
  status: PhoneStatus;
  at: Date;
}

interface PhoneRecord {
  contacts: Map<string, ContactRecord>;
  status: PhoneStatus;
  at: Date;
  /** Sequence number of the last event applied, so an older snapshot cannot undo it. */
  seq: number;
}

interface RegistrationRecord {
  clientUri: string;
  serverUri: string;
  name?: string;
  status: RegistryStatus;
  rawStatus: string;
  at: Date;
  seq: number;
}

/**
 * Not reachable: Unreachable (qualify failed) and Removed (unregistered). NonQualified means
 * registered with qualify off, Created/Unknown are registered but not yet/never qualified:
 * all three count as reachable.
 */
const REACHABLE: ReadonlySet<PhoneStatus> = new Set(['reachable', 'nonqualified', 'created', 'unknown']);
const RANK: Record<PhoneStatus, number> = { reachable: 5, nonqualified: 4, created: 3, unknown: 2, unreachable: 1, removed: 0 };

/**
 * Live phone and trunk health from AMI: ContactStatus / Registry events, plus a fresh
 * PJSIPShowContacts / PJSIPShowRegistrationsOutbound snapshot after every (re)connect and
 * after FullyBooted, since events during a gap are lost.
 * While AMI is down the last known state is kept (an AMI hiccup must not stop the hotline);
 * `snapshot().ami.connected` tells how fresh it is.
 * Kept in memory per process; PhoneReachability is the seam for a Redis-backed version.
 */
export class PbxHealth extends EventEmitter<PbxHealthEvents> implements PhoneReachability {
  private readonly ami: PbxHealthAmi;
  private readonly log: Logger;
  private readonly extensionOf: (endpoint: string) => string | null;
  private readonly refreshRetryMs: number;
  private readonly phones = new Map<string, PhoneRecord>();
  private readonly registrations = new Map<string, RegistrationRecord>();
  private readonly trunkEndpoints: Set<string>;
  /**
   * The trunk's own contacts (the carrier's static AOR contact, qualified by OPTIONS): they send
   * ContactStatus like a phone does, but are neither a phone nor offered a call.
   */
  private readonly trunkContacts = new Map<string, Map<string, PhoneStatus>>();
  private trunkLastEventAt: Date | null = null;
  private seq = 0;
  private refreshGen = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private started = false;

  private readonly onState = (c: AmiStateChange) => {
    if (c.state === 'connected') void this.refresh();
  };
  private readonly onContact = (e: ContactEvent) => this.applyContact(e);
  private readonly onRegistry = (e: RegistryEvent) => this.applyRegistry(e);
  private readonly onBooted = () => {
    // Logged in while Asterisk was still booting: the first snapshot may predate its state.
    if (this.ami.state === 'connected') void this.refresh();
  };

  constructor(opts: PbxHealthOptions) {
    super();
    this.ami = opts.ami;
    this.log = opts.logger.child({ component: 'pbx-health' });
    this.extensionOf = opts.extensionOf ?? ((e) => e);
    this.refreshRetryMs = opts.refreshRetryMs ?? 2000;
    this.trunkEndpoints = new Set(opts.trunkEndpoints ?? []);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.ami.on('state', this.onState);
    this.ami.on('contact', this.onContact);
    this.ami.on('registry', this.onRegistry);
    this.ami.on('fullyBooted', this.onBooted);
    if (this.ami.state === 'connected') void this.refresh();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.ami.off('state', this.onState);
    this.ami.off('contact', this.onContact);
    this.ami.off('registry', this.onRegistry);
    this.ami.off('fullyBooted', this.onBooted);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.refreshGen++;
  }

  isPhoneReachable(extension: string): boolean {
    const p = this.phones.get(extension);
    return !!p && REACHABLE.has(p.status);
  }

  phone(extension: string): PhoneHealth | undefined {
    const p = this.phones.get(extension);
    return p ? phoneView(extension, p) : undefined;
  }

  isTrunkRegistered(): boolean {
    return this.trunk().registered;
  }

  snapshot(): PbxHealthSnapshot {
    const lastError = this.ami.lastError?.message;
    return {
      ami: {
        connected: this.ami.state === 'connected',
        state: this.ami.state,
        since: this.ami.since.toISOString(),
        reconnects: this.ami.reconnects,
        ...(lastError ? { lastError } : {}),
      },
      trunk: this.trunk(),
      phones: [...this.phones.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([ext, p]) => phoneView(ext, p)),
    };
  }

  /**
   * Replaces what the lists show, except for phones/registrations an event changed after the
   * snapshot was requested (the event is newer). A newer refresh supersedes an older one.
   */
  async refresh(): Promise<void> {
    const gen = ++this.refreshGen;
    const seqAtStart = this.seq;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    let contacts: AmiMessage[];
    let registrations: AmiMessage[];
    try {
      const [c, r] = await Promise.all([
        this.ami.actionList({ Action: 'PJSIPShowContacts' }),
        this.ami.actionList({ Action: 'PJSIPShowRegistrationsOutbound' }),
      ]);
      contacts = c.events;
      registrations = r.events;
    } catch (err) {
      if (gen !== this.refreshGen || !this.started) return;
      this.log.warn({ err: (err as Error).message }, 'PBX health snapshot failed');
      if (this.ami.state === 'connected') {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (this.started && this.ami.state === 'connected') void this.refresh();
        }, this.refreshRetryMs);
      }
      return;
    }
    if (gen !== this.refreshGen || !this.started) return;
    const now = new Date();
    // Registrations first: they name the trunk endpoints, which are no phones in the contact list.
    this.applyRegistrationList(registrations, seqAtStart, now);
    this.applyContactList(contacts, seqAtStart, now);
    this.log.debug({ phones: this.phones.size, registrations: this.registrations.size }, 'PBX health snapshot applied');
    this.safeEmit('refreshed', this.snapshot());
  }

  private applyContact(e: ContactEvent): void {
    if (this.isTrunk(e.endpoint) || this.isTrunk(e.aor)) {
      this.applyTrunkContact(this.isTrunk(e.endpoint) ? e.endpoint : e.aor, e);
      return;
    }
    const ext = this.extensionOf(e.endpoint);
    if (!ext) return;
    const record = this.record(ext);
    record.seq = ++this.seq;
    if (e.status === 'removed') {
      record.contacts.delete(e.uri);
    } else if (e.status === 'updated') {
      // A re-REGISTER: same status, unless the contact is news to us.
      if (!record.contacts.has(e.uri)) record.contacts.set(e.uri, { status: 'created', at: e.at });
    } else {
      record.contacts.set(e.uri, { status: e.status, at: e.at });
    }
    this.recompute(ext, record, e.at);
  }

  private applyRegistry(e: RegistryEvent): void {
    const prev = this.registrations.get(e.clientUri);
    this.registrations.set(e.clientUri, {
      clientUri: e.clientUri,
      serverUri: e.domain,
      ...(prev?.name ? { name: prev.name } : {}),
      status: e.status,
      rawStatus: e.rawStatus,
      at: e.at,
      seq: ++this.seq,
    });
    this.trunkLastEventAt = e.at;
    if (e.status !== 'registered') this.log.warn({ clientUri: e.clientUri, status: e.rawStatus, cause: e.cause }, 'trunk not registered');
    this.safeEmit('trunk', this.trunk());
  }

  private applyContactList(items: AmiMessage[], seqAtStart: number, now: Date): void {
    const listed = new Map<string, Map<string, PhoneStatus>>();
    for (const item of items) {
      const parsed = parseContactListItem(item);
      if (!parsed.ok) {
        this.log.warn({ problems: parsed.problems, item }, 'malformed ContactList item ignored');
        continue;
      }
      if (this.isTrunk(parsed.value.endpoint)) continue;
      const ext = this.extensionOf(parsed.value.endpoint);
      if (!ext) continue;
      const status: PhoneStatus = parsed.value.status === 'updated' ? 'created' : parsed.value.status;
      if (!listed.has(ext)) listed.set(ext, new Map());
      listed.get(ext)?.set(parsed.value.uri, status);
    }
    for (const ext of new Set([...this.phones.keys(), ...listed.keys()])) {
      const record = this.record(ext);
      if (record.seq > seqAtStart) continue;
      const fresh = listed.get(ext) ?? new Map<string, PhoneStatus>();
      const contacts = new Map<string, ContactRecord>();
      for (const [uri, status] of fresh) {
        const old = record.contacts.get(uri);
        contacts.set(uri, old && old.status === status ? old : { status, at: now });
      }
      record.contacts = contacts;
      this.recompute(ext, record, now);
    }
  }

  private applyRegistrationList(items: AmiMessage[], seqAtStart: number, now: Date): void {
    const listed = new Set<string>();
    let changed = false;
    let auths = 0;
    for (const item of items) {
      const event = (item.event ?? '').toLowerCase();
      // A registration with `outbound_auth` (ours has one, pjsip.conf) is followed by an AuthDetail
      // row per auth; they carry the carrier's password: counted, never logged.
      if (event === 'authdetail') {
        auths++;
        continue;
      }
      if (event && event !== 'outboundregistrationdetail') {
        this.log.warn({ event: item.event }, 'unexpected event in the outbound registration list ignored');
        continue;
      }
      const parsed = parseOutboundRegistration(item);
      if (!parsed.ok) {
        this.log.warn({ problems: parsed.problems, item }, 'malformed OutboundRegistrationDetail ignored');
        continue;
      }
      const v = parsed.value;
      listed.add(v.clientUri);
      this.learnTrunk(v.name);
      if (v.endpoint) this.learnTrunk(v.endpoint);
      const prev = this.registrations.get(v.clientUri);
      if (prev && prev.seq > seqAtStart) {
        prev.name = v.name;
        continue;
      }
      if (!prev || prev.status !== v.status || prev.name !== v.name) changed = true;
      this.registrations.set(v.clientUri, {
        clientUri: v.clientUri,
        serverUri: v.serverUri,
        name: v.name,
        status: v.status,
        rawStatus: v.rawStatus,
        at: prev && prev.status === v.status ? prev.at : now,
        seq: prev?.seq ?? 0,
      });
    }
    // Gone from the list: the registration was removed from the configuration.
    for (const [uri, r] of this.registrations) {
      if (listed.has(uri) || r.seq > seqAtStart || r.status === 'unregistered') continue;
      this.registrations.set(uri, { ...r, status: 'unregistered', rawStatus: 'Unregistered', at: now });
      changed = true;
    }
    if (auths) this.log.debug({ auths }, 'outbound registration auth rows skipped');
    if (changed) this.safeEmit('trunk', this.trunk());
  }

  private isTrunk(endpoint: string): boolean {
    return this.trunkEndpoints.has(endpoint);
  }

  /** A trunk endpoint seen for the first time: whatever was taken for a phone of that name was not one. */
  private learnTrunk(endpoint: string): void {
    if (this.trunkEndpoints.has(endpoint)) return;
    this.trunkEndpoints.add(endpoint);
    if (this.phones.delete(endpoint)) this.log.debug({ trunk: endpoint }, 'trunk endpoint no longer counted as a phone');
  }

  /** The trunk's qualify result, logged as the trunk's (OPTIONS to the carrier), not as a phone's. */
  private applyTrunkContact(trunk: string, e: ContactEvent): void {
    const known = this.trunkContacts.get(trunk);
    const contacts = known ?? new Map<string, PhoneStatus>();
    this.trunkContacts.set(trunk, contacts);
    // Unknown before its first report: that report is news either way.
    const was = known ? [...contacts.values()].some((s) => REACHABLE.has(s)) : undefined;
    if (e.status === 'removed') contacts.delete(e.uri);
    else if (e.status !== 'updated') contacts.set(e.uri, e.status);
    const is = [...contacts.values()].some((s) => REACHABLE.has(s));
    if (was !== false && !is) this.log.warn({ trunk, uri: e.uri, status: e.status }, 'carrier trunk not reachable (OPTIONS)');
    else if (was !== true && is) this.log.info({ trunk, uri: e.uri, status: e.status }, 'carrier trunk reachable (OPTIONS)');
  }

  private record(ext: string): PhoneRecord {
    let r = this.phones.get(ext);
    if (!r) {
      r = { contacts: new Map(), status: 'removed', at: new Date(0), seq: 0 };
      this.phones.set(ext, r);
    }
    return r;
  }

  private recompute(ext: string, record: PhoneRecord, at: Date): void {
    let best: PhoneStatus = 'removed';
    for (const c of record.contacts.values()) if (RANK[c.status] > RANK[best]) best = c.status;
    if (best === record.status && record.at.getTime() !== 0) return;
    const wasReachable = REACHABLE.has(record.status);
    record.status = best;
    record.at = at;
    const view = phoneView(ext, record);
    if (wasReachable && !view.reachable) this.log.warn({ extension: ext, status: best }, 'agent phone not reachable');
    else if (!wasReachable && view.reachable) this.log.info({ extension: ext, status: best }, 'agent phone reachable');
    this.safeEmit('phone', view);
  }

  private trunk(): TrunkHealth {
    const registrations = [...this.registrations.values()].map((r) => ({
      clientUri: r.clientUri,
      serverUri: r.serverUri,
      ...(r.name ? { name: r.name } : {}),
      status: r.status,
      rawStatus: r.rawStatus,
      at: r.at.toISOString(),
    }));
    return {
      registered: registrations.length > 0 && registrations.every((r) => r.status === 'registered'),
      lastEventAt: this.trunkLastEventAt ? this.trunkLastEventAt.toISOString() : null,
      registrations,
    };
  }

  private safeEmit<K extends keyof PbxHealthEvents>(name: K, ...args: PbxHealthEvents[K]): void {
    try {
      (this.emit as (n: K, ...a: PbxHealthEvents[K]) => boolean)(name, ...args);
    } catch (err) {
      this.log.error({ err }, 'PBX health listener threw');
    }
  }
}

function phoneView(extension: string, p: PhoneRecord): PhoneHealth {
  return {
    extension,
    status: p.status,
    reachable: REACHABLE.has(p.status),
    at: p.at.toISOString(),
    contacts: [...p.contacts.entries()].map(([uri, c]) => ({ uri, status: c.status, at: c.at.toISOString() })),
  };
}

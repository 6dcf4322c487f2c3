import { z } from 'zod';

/**
 * Typed views of the AMI messages the CTI acts on, validated with zod: anything that does not
 * fit is reported as malformed and dropped by the caller, never trusted half-way.
 * Input keys are lower-case (asterisk-manager lower-cases them; AMI keys are case-insensitive).
 * Values seen on Asterisk 22.10.1 are in test/fixtures/asterisk-traces/ami/.
 */

/** One AMI message with lower-case keys. */
export type AmiMessage = Readonly<Record<string, string>>;

/** 22.10.1 sends NonQualified/Reachable/Unreachable/Removed; older versions also Created/Updated/Unknown. */
export const CONTACT_STATUSES = ['created', 'nonqualified', 'reachable', 'unreachable', 'removed', 'updated', 'unknown'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export type RegistryStatus = 'registered' | 'rejected' | 'unregistered' | 'other';

export interface ContactEvent {
  /** PJSIP endpoint name (the agent's extension in the hotline's dialplan). */
  endpoint: string;
  aor: string;
  uri: string;
  status: ContactStatus;
  roundtripUsec?: number;
  at: Date;
}

export interface RegistryEvent {
  /** The registration's client URI (`Username:` header), e.g. `sip:hotline@carrier`. */
  clientUri: string;
  /** The registrar (`Domain:` header, a server URI on PJSIP). */
  domain: string;
  status: RegistryStatus;
  /** The status as Asterisk wrote it, for statuses we do not map. */
  rawStatus: string;
  cause?: string;
  at: Date;
}

export interface PeerEvent {
  endpoint: string;
  status: string;
  at: Date;
}

export interface FullyBootedEvent {
  uptimeSec?: number;
  lastReloadSec?: number;
  at: Date;
}

export interface ShutdownEvent {
  restart: boolean;
  clean: boolean;
  at: Date;
}

const nonEmpty = z.string().trim().min(1);
const uint = z.string().regex(/^\d+$/).transform(Number);
const contactStatus = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(CONTACT_STATUSES));

const contactStatusSchema = z.object({
  uri: nonEmpty,
  contactstatus: contactStatus,
  aor: nonEmpty,
  // Older versions lack EndpointName; the AOR is then the best key we have.
  endpointname: nonEmpty.optional(),
  roundtripusec: uint.optional(),
});

const registrySchema = z.object({
  username: nonEmpty,
  domain: nonEmpty,
  status: nonEmpty,
  cause: z.string().optional(),
});

const peerStatusSchema = z.object({
  peer: z.string().regex(/^[^/]+\/.+$/, 'expected <tech>/<endpoint>'),
  peerstatus: nonEmpty,
});

const fullyBootedSchema = z.object({
  uptime: uint.optional(),
  lastreload: uint.optional(),
});

const shutdownSchema = z.object({
  shutdown: nonEmpty,
  restart: nonEmpty,
});

/** `ContactList` item of PJSIPShowContacts. */
const contactListItemSchema = z.object({
  objectname: nonEmpty,
  endpoint: nonEmpty,
  uri: nonEmpty,
  status: contactStatus,
});

/** `OutboundRegistrationDetail` item of PJSIPShowRegistrationsOutbound. */
const outboundRegistrationSchema = z.object({
  objectname: nonEmpty,
  clienturi: nonEmpty,
  serveruri: nonEmpty,
  status: nonEmpty,
  /** pjsip.conf `endpoint =` of the registration: the trunk's own endpoint (empty when unset). */
  endpoint: z.string().trim().optional(),
});

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function parse<S extends z.ZodType, T>(schema: S, msg: AmiMessage, map: (v: z.infer<S>) => T): Parsed<T> {
  const r = schema.safeParse(msg);
  if (!r.success) {
    return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`) };
  }
  return { ok: true, value: map(r.data) };
}

export function mapRegistryStatus(raw: string): RegistryStatus {
  const s = raw.trim().toLowerCase();
  return s === 'registered' || s === 'rejected' || s === 'unregistered' ? s : 'other';
}

export function parseContactStatus(msg: AmiMessage, at = new Date()): Parsed<ContactEvent> {
  return parse(contactStatusSchema, msg, (v) => ({
    endpoint: v.endpointname ?? v.aor,
    aor: v.aor,
    uri: v.uri,
    status: v.contactstatus,
    ...(v.roundtripusec !== undefined ? { roundtripUsec: v.roundtripusec } : {}),
    at,
  }));
}

export function parseRegistry(msg: AmiMessage, at = new Date()): Parsed<RegistryEvent> {
  return parse(registrySchema, msg, (v) => ({
    clientUri: v.username,
    domain: v.domain,
    status: mapRegistryStatus(v.status),
    rawStatus: v.status,
    ...(v.cause ? { cause: v.cause } : {}),
    at,
  }));
}

export function parsePeerStatus(msg: AmiMessage, at = new Date()): Parsed<PeerEvent> {
  return parse(peerStatusSchema, msg, (v) => ({
    endpoint: v.peer.slice(v.peer.indexOf('/') + 1),
    status: v.peerstatus.toLowerCase(),
    at,
  }));
}

export function parseFullyBooted(msg: AmiMessage, at = new Date()): Parsed<FullyBootedEvent> {
  return parse(fullyBootedSchema, msg, (v) => ({
    ...(v.uptime !== undefined ? { uptimeSec: v.uptime } : {}),
    ...(v.lastreload !== undefined ? { lastReloadSec: v.lastreload } : {}),
    at,
  }));
}

export function parseShutdown(msg: AmiMessage, at = new Date()): Parsed<ShutdownEvent> {
  return parse(shutdownSchema, msg, (v) => ({
    restart: v.restart.toLowerCase() === 'true',
    clean: v.shutdown.toLowerCase() === 'cleanly',
    at,
  }));
}

export interface ContactListItem {
  endpoint: string;
  aor: string;
  uri: string;
  status: ContactStatus;
}

export function parseContactListItem(msg: AmiMessage): Parsed<ContactListItem> {
  return parse(contactListItemSchema, msg, (v) => ({
    endpoint: v.endpoint,
    // ObjectName is `<aor>;@<hash>`.
    aor: v.objectname.split(';@')[0] ?? v.objectname,
    uri: v.uri,
    status: v.status,
  }));
}

export interface OutboundRegistrationItem {
  name: string;
  /** The trunk endpoint the registration is for, when pjsip.conf names one. */
  endpoint?: string;
  clientUri: string;
  serverUri: string;
  status: RegistryStatus;
  rawStatus: string;
}

export function parseOutboundRegistration(msg: AmiMessage): Parsed<OutboundRegistrationItem> {
  return parse(outboundRegistrationSchema, msg, (v) => ({
    name: v.objectname,
    ...(v.endpoint ? { endpoint: v.endpoint } : {}),
    clientUri: v.clienturi,
    serverUri: v.serveruri,
    status: mapRegistryStatus(v.status),
    rawStatus: v.status,
  }));
}

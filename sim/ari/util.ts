import { randomUUID } from 'node:crypto';

/** A REST failure with the exact status and body Asterisk would send. */
export class AriError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : JSON.stringify(body));
    this.name = 'AriError';
  }
}

export const ariError = (status: number, message: string): AriError => new AriError(status, { message });

/** Asterisk's ARI timestamp format: `2026-11-29T04:20:45.639+0000` (we always run in UTC). */
export function ariTimestamp(d: Date = new Date()): string {
  return d.toISOString().replace('Z', '+0000');
}

export const uuid = (): string => randomUUID();

/**
 * Identifier sources mimicking Asterisk's: channel uniqueids are `<creation epoch s>.<counter>`,
 * channel-name suffixes and recorder names share an 8-digit hex counter.
 */
export class IdFactory {
  private seq = 200;
  private nameSeq = 0xd0;
  private recorderSeq = 1;
  private snoopSeq = 0;
  private sipCallSeq = 1;

  uniqueId(): string {
    return `${Math.floor(Date.now() / 1000)}.${this.seq++}`;
  }

  channelSuffix(): string {
    return (this.nameSeq++).toString(16).padStart(8, '0');
  }

  /** Snoop channels count on their own: `Snoop/<target>-00000000`, `-00000001`, ... (11). */
  snoopSuffix(): string {
    return (this.snoopSeq++).toString(16).padStart(8, '0');
  }

  recorderName(): string {
    return `Recorder/ARI-${(this.recorderSeq++).toString(16).padStart(8, '0')}`;
  }

  /** SIPp-style Call-ID of an inbound call, e.g. `1-14225@127.0.0.1`. */
  inboundCallId(): string {
    return `${this.sipCallSeq++}-${10000 + Math.floor(Math.random() * 50000)}@127.0.0.1`;
  }
}

/** Q.850 causes used in hangups; texts as Asterisk's ast_cause2str. */
export const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  28: 'Invalid number format (incomplete number)',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  58: 'Bearer capability not available',
  127: 'Interworking, unspecified',
};

/** `DELETE /channels/{id}?reason=` values and the hangup cause each sets. */
export const HANGUP_REASONS: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  timeout: 19,
  rejected: 21,
  unallocated: 1,
  normal_unspecified: 31,
  number_incomplete: 28,
  codec_mismatch: 58,
  interworking: 127,
  failure: 38,
  answered_elsewhere: 26,
};

export function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** Agent caller id convention: endpoint `agent1001` or `1001` presents as "Agent 1001" <1001>. */
export function phoneCallerId(resource: string): { name: string; number: string } {
  const digits = resource.replace(/\D/g, '') || resource;
  return { name: `Agent ${digits}`, number: digits };
}

/** Parses `"Name" <number>`, `Name <number>` or a bare number. */
export function parseCallerId(value: string): { name: string; number: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(value);
  if (m) return { name: (m[1] ?? '').trim(), number: (m[2] ?? '').trim() };
  return { name: '', number: value.trim() };
}

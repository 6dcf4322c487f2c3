/**
 * The AMI text protocol as Asterisk 22 speaks it (see test/fixtures/asterisk-traces/ami/):
 * a one-line banner, then messages made of `Key: Value\r\n` lines closed by an empty line.
 * Header order matters to people comparing traces and keys may repeat, so a message is an
 * ordered list of pairs rather than an object.
 */

export type AmiHeaders = Array<[string, string]>;

export const AMI_BANNER = 'Asterisk Call Manager/11.0.0';
export const AMI_VERSION = '11.0.0';
export const ASTERISK_VERSION = '22.10.1';

export function serializeMessage(headers: AmiHeaders): string {
  let out = '';
  for (const [k, v] of headers) out += `${k}: ${v}\r\n`;
  return `${out}\r\n`;
}

/** First value of `key`, compared case-insensitively as Asterisk's astman_get_header does. */
export function getHeader(headers: AmiHeaders, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

export function headersFromRecord(record: Record<string, string | number>): AmiHeaders {
  return Object.entries(record).map(([k, v]) => [k, String(v)]);
}

/**
 * Incremental parser. Lines end at `\n` with an optional `\r` stripped, like Asterisk's own
 * reader; that also copes with the `No Contacts found\n\r\n\r\n` quirk Asterisk itself emits.
 * Empty lines outside a message are skipped.
 */
export class AmiMessageParser {
  private buffer = '';
  private current: AmiHeaders = [];
  private bannerPending: boolean;
  /** The greeting line, once received (only with `expectBanner`). */
  banner: string | undefined;

  /** `expectBanner`: the first line is the server greeting, kept in `banner`. */
  constructor(opts: { expectBanner?: boolean } = {}) {
    this.bannerPending = opts.expectBanner ?? false;
  }

  push(chunk: string): AmiHeaders[] {
    this.buffer += chunk;
    const out: AmiHeaders[] = [];
    let nl = this.buffer.indexOf('\n');
    while (nl !== -1) {
      let line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (this.bannerPending) {
        this.bannerPending = false;
        this.banner = line;
      } else if (line === '') {
        if (this.current.length > 0) {
          out.push(this.current);
          this.current = [];
        }
      } else {
        const colon = line.indexOf(':');
        if (colon === -1) {
          this.current.push([line, '']);
        } else {
          this.current.push([line.slice(0, colon), line.slice(colon + 1).replace(/^\s+/, '')]);
        }
      }
      nl = this.buffer.indexOf('\n');
    }
    return out;
  }
}

/** `2026-11-29T04:36:25.816+0000`, the format of EventTV/SessionTV in security events. */
export function amiTv(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

export const AMI_TV_EPOCH = '1970-01-01T00:00:00.000+0000';

/** Epoch seconds with 6 decimals, as in `Ping` responses. */
export function amiTimestamp(nowMs: number = performance.timeOrigin + performance.now()): string {
  return (nowMs / 1000).toFixed(6);
}

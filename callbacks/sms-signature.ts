import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../core/connections';

/** Headers an SMS provider signs a customer's reply with. */
export const SIGNATURE_HEADERS = { timestamp: 'x-hotline-timestamp', nonce: 'x-hotline-nonce', signature: 'x-hotline-signature' } as const;

const NONCE_RE = /^[A-Za-z0-9_-]{8,64}$/;

/** `hex(HMAC-SHA256(secret, "<timestamp>.<nonce>.<raw body>"))`: what the provider sends and what is checked. */
export function signSms(secret: string, timestamp: string, nonce: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${nonce}.`).update(rawBody).digest('hex');
}

export type SignatureVerdict = { ok: true } | { ok: false; why: 'missing' | 'signature' | 'stale' | 'replayed' };

/**
 * Checks a signed inbound request: the signature over timestamp, nonce and the exact body bytes;
 * the timestamp within `maxSkewMs` of now; the nonce never seen before (remembered in Redis for
 * twice the skew, beyond which the timestamp alone refuses a replay). The signature is checked
 * first, so nobody without the key can use up nonces.
 */
export class SmsSignature {
  constructor(
    private readonly d: { secret: string; redis: RedisClient; keyPrefix: string; maxSkewMs: number; now?: () => number },
  ) {}

  async verify(headers: Record<string, string | string[] | undefined>, rawBody: Buffer | undefined): Promise<SignatureVerdict> {
    const one = (h: string) => {
      const v = headers[h];
      return typeof v === 'string' ? v : undefined;
    };
    const timestamp = one(SIGNATURE_HEADERS.timestamp);
    const nonce = one(SIGNATURE_HEADERS.nonce);
    const signature = one(SIGNATURE_HEADERS.signature);
    if (!timestamp || !/^\d{10,16}$/.test(timestamp) || !nonce || !NONCE_RE.test(nonce) || !signature || !/^[0-9a-f]{64}$/i.test(signature) || !rawBody) {
      return { ok: false, why: 'missing' };
    }
    const expected = Buffer.from(signSms(this.d.secret, timestamp, nonce, rawBody), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, why: 'signature' };
    const now = (this.d.now ?? Date.now)();
    if (Math.abs(now - Number(timestamp)) > this.d.maxSkewMs) return { ok: false, why: 'stale' };
    const fresh = await this.d.redis.set(`${this.d.keyPrefix}:sms-inbound:nonce:${nonce}`, '1', 'PX', 2 * this.d.maxSkewMs, 'NX');
    return fresh === 'OK' ? { ok: true } : { ok: false, why: 'replayed' };
  }
}

import { createHmac, randomBytes } from 'node:crypto';

/**
 * What the SMS provider does to a post: HMAC-SHA256 over "<timestamp>.<nonce>.<body>", computed
 * here independently of the server's code, so a test of the webhook checks the server against it.
 */
export function signedSms(secret: string, body: object, o: { secret?: string; timestamp?: number; nonce?: string } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = String(o.timestamp ?? Date.now());
  const nonce = o.nonce ?? randomBytes(12).toString('hex');
  const signature = createHmac('sha256', o.secret ?? secret).update(`${timestamp}.${nonce}.${raw}`).digest('hex');
  return { raw, headers: { 'content-type': 'application/json', 'x-hotline-timestamp': timestamp, 'x-hotline-nonce': nonce, 'x-hotline-signature': signature } };
}

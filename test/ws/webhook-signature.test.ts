import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ConsoleNode } from '../helpers/console-node';
import { signedSms } from '../helpers/sms-signing';

const SECRET = 'webhook-test-secret-0123456789abcdef';

const signed = (body: object, o: Parameters<typeof signedSms>[2] = {}) => signedSms(SECRET, body, o);

/**
 * The inbound webhook (customers' SMS replies): only the provider's HMAC signature lets a post in;
 * a forged one, a stale timestamp, a nonce seen before, a body changed after signing or no
 * signature at all are 401, and nothing is recorded. (callbacks.test.ts covers what a taken reply does.)
 */
describe('inbound webhook: HMAC signature, timestamp and nonce against forgery and replay', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  before(async () => {
    n = await ConsoleNode.start({ SMS_INBOUND_SECRET: SECRET });
  });
  after(async () => n?.stop());

  const post = (s: { raw: string; headers: Record<string, string> }) => fetch(`${n.url}/api/sms/inbound`, { method: 'POST', headers: s.headers, body: s.raw });
  const reply = { from: '13712345678', text: '1' };

  it('takes a signed post once; refuses forged, stale, replayed, altered and unsigned ones with 401', async () => {
    const nonce = randomBytes(12).toString('hex');
    const first = await post(signed(reply, { nonce }));
    expect(first.status).to.equal(200);
    expect(await first.json()).to.deep.equal({ outcome: 'unmatched', callbackId: null });

    expect((await post(signed(reply, { nonce }))).status, 'replayed nonce').to.equal(401);
    expect((await post(signed(reply, { secret: 'not-the-secret-0123456789abcdef' }))).status, 'forged').to.equal(401);
    expect((await post(signed(reply, { timestamp: Date.now() - 10 * 60_000 }))).status, 'stale').to.equal(401);
    expect((await post(signed(reply, { timestamp: Date.now() + 10 * 60_000 }))).status, 'from the future').to.equal(401);
    const altered = signed(reply);
    expect((await post({ ...altered, raw: JSON.stringify({ ...reply, text: '2' }) })).status, 'altered after signing').to.equal(401);
    expect((await fetch(`${n.url}/api/sms/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(reply) })).status, 'unsigned').to.equal(401);
  });
});

import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { callbackPlan } from '../../callbacks/callback-service';
import { drawMethod, SMS_SHARE } from '../../callbacks/draw';
import { WORK_ORDER_CATEGORIES } from '../../models/enums';

/** Order numbers as the service gives them: one day's sequence. */
const numbers = (n: number, day = '20261202') => Array.from({ length: n }, (_, i) => `WO${day}-${String(i + 1).padStart(4, '0')}`);

describe('callbacks/draw: after-sales callbacks drawn 95 % SMS / 5 % phone, reproducibly', () => {
  it('over 10,000 orders the phone share is 5 % within sampling error (3σ), on each of three days\' numbering', () => {
    // σ of a 5 % share over 10,000 draws: √(0.05 · 0.95 / 10,000) ≈ 0.22 %.
    const sigma = Math.sqrt((0.05 * 0.95) / 10_000);
    for (const day of ['20261202', '20270115', '20270701']) {
      const phone = numbers(10_000, day).filter((n) => drawMethod(n).method === 'phone').length / 10_000;
      expect(Math.abs(phone - 0.05), `${day}: phone share ${phone}`).to.be.at.most(3 * sigma);
    }
  });

  it('the same order always draws the same way, and anyone can redo the draw from the stored seed', () => {
    for (const n of numbers(200)) {
      const a = drawMethod(n);
      expect(drawMethod(n)).to.deep.equal(a);
      // The audit: SHA-256 of the seed, its first 32 bits over 2³², against the share.
      const roll = createHash('sha256').update(a.seed).digest().readUInt32BE(0) / 2 ** 32;
      expect(a.roll).to.equal(roll);
      expect(a.method).to.equal(roll < SMS_SHARE ? 'sms' : 'phone');
    }
  });

  it('the share is the configured one: 1 sends every callback by SMS, 0 by phone', () => {
    expect(numbers(500).every((n) => drawMethod(n, 1).method === 'sms')).to.equal(true);
    expect(numbers(500).every((n) => drawMethod(n, 0).method === 'phone')).to.equal(true);
  });

  it('complaints are always called back by phone; engineering jobs are not after-sales (sampled monthly); every other category is drawn', () => {
    for (const n of numbers(300)) expect(callbackPlan('complaint', n, SMS_SHARE)).to.deep.equal({ reason: 'complaint', method: 'phone' });
    for (const c of ['installation', 'meter_relocation', 'after_meter_repair'] as const) expect(callbackPlan(c, 'WO20261202-0001', SMS_SHARE)).to.equal(null);
    const drawn = WORK_ORDER_CATEGORIES.filter((c) => !['complaint', 'installation', 'meter_relocation', 'after_meter_repair'].includes(c));
    for (const c of drawn) {
      const plan = callbackPlan(c, 'WO20261202-0001', SMS_SHARE);
      expect(plan?.reason, c).to.equal('after_sales');
      expect(plan?.method).to.equal(drawMethod('WO20261202-0001').method);
    }
  });
});

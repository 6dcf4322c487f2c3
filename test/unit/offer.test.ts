import { expect } from 'chai';
import { answerOffer, endOffer, notReadyReason, Offers } from '../../cti/calls/offer';

const at = (ms: number) => new Date(ms);

describe('offers of a call', () => {
  it('numbers attempts from 1 and names each agent leg after the call and attempt', () => {
    const offers = new Offers('c1');
    const first = offers.start('1001', '201', at(0));
    const second = offers.start('1002', '202', at(10));
    expect(first).to.include({ attempt: 1, channelId: 'c1-1', agentWorkNumber: '1001', extension: '201', result: 'ringing', alarmed: false });
    expect(second).to.include({ attempt: 2, channelId: 'c1-2' });
    expect(offers.current).to.equal(second);
    expect(offers.byChannel('c1-1')).to.equal(first);
    expect(offers.byChannel('c1-3')).to.equal(undefined);
    expect(offers.all).to.deep.equal([first, second]);
  });

  it('counts an answer’s ring time from the ring, or from the offer when no ring was seen', () => {
    const offers = new Offers('c1');
    const rang = offers.start('1001', '201', at(1000));
    rang.ringingAt = at(1500);
    expect(answerOffer(rang, at(4500))).to.equal(3000);
    expect(rang).to.include({ result: 'answered', ringMs: 3000 });
    expect(rang.endedAt).to.deep.equal(at(4500));

    const silent = offers.start('1002', '202', at(1000));
    expect(answerOffer(silent, at(1800))).to.equal(800);
  });

  it('gives an unanswered offer the time it rang, 0 when it never rang', () => {
    const offers = new Offers('c1');
    const rang = offers.start('1001', '201', at(0));
    rang.ringingAt = at(100);
    expect(endOffer(rang, 'busy', at(2100), true)).to.equal(2000);
    expect(rang).to.include({ result: 'busy', ringMs: 2000, alarmed: false });

    const never = offers.start('1002', '202', at(0));
    expect(endOffer(never, 'unreachable', at(500), true)).to.equal(0);
    expect(never).to.include({ result: 'unreachable', ringMs: 0 });
  });

  it('flags a no-answer as alarmed only when the alarm job decided it', () => {
    const offers = new Offers('c1');
    const here = offers.start('1001', '201', at(0));
    endOffer(here, 'no-answer', at(1), true);
    expect(here.alarmed).to.equal(false);
    const alarm = offers.start('1002', '202', at(0));
    endOffer(alarm, 'no-answer', at(1), false);
    expect(alarm.alarmed).to.equal(true);
    const elsewhere = offers.start('1003', '203', at(0));
    endOffer(elsewhere, 'caller-gone', at(1), false);
    expect(elsewhere.alarmed).to.equal(false);
  });

  it('keeps an agent whose phone failed the offer out of rotation, with the reason', () => {
    expect(notReadyReason('busy')).to.equal('phone-busy');
    expect(notReadyReason('unreachable')).to.equal('phone-unreachable');
    expect(notReadyReason('no-answer')).to.equal('no-answer');
    expect(notReadyReason('failed')).to.equal('');
    expect(notReadyReason('caller-gone')).to.equal('');
  });
});

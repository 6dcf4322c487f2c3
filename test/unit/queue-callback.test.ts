import { expect } from 'chai';
import { canMove, outcomeFor } from '../../cti/calls/call-state';
import {
  askForCallback,
  calleeLegCall,
  calleeLegId,
  confirmMedia,
  dialOutResult,
  failedDials,
  plausibleCallbackNumber,
  type CallbackDialogIo,
} from '../../cti/calls/queue-callback';

/**
 * A caller who presses `script[i]` while prompt i plays (each playback ends after 20 ms unless a
 * key cuts it short); what was played is kept.
 */
function caller(script: string[], callerNumber = '13800001111'): { io: CallbackDialogIo; played: string[][] } {
  const played: string[][] = [];
  let onKey: ((d: string) => void) | undefined;
  const io: CallbackDialogIo = {
    language: 'cmn',
    callerNumber,
    keyWaitMs: 60,
    signal: new AbortController().signal,
    keys: (k) => (onKey = k),
    play: async (media, signal) => {
      const keys = script[played.length] ?? '';
      played.push(media);
      for (const k of keys) onKey?.(k);
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 20));
    },
  };
  return { io, played };
}

describe('queue callback: numbers, results and the key dialogue', () => {
  it('takes mainland mobile and fixed-line numbers only', () => {
    for (const n of ['13800138000', '19912345678', '02088881234', '075512345678', '88881234', '6123456']) expect(plausibleCallbackNumber(n), n).to.equal(true);
    for (const n of ['', '1', '12', '12345678901', '1380013800', '138001380001', '00123456789', '1234567', '0208888', '13800a38000']) expect(plausibleCallbackNumber(n), n).to.equal(false);
  });

  it('names the dial-out leg after the call, and finds the call back from it', () => {
    const callId = '2b0d7d3e-0c59-4d4e-9a55-0d7d1c3a0e11';
    expect(calleeLegCall(calleeLegId(callId, 2))).to.equal(callId);
    expect(calleeLegCall(`${callId}-2`)).to.equal(null);
  });

  it('reads a dial-out that ended unanswered from its cause', () => {
    expect(dialOutResult(17)).to.equal('busy');
    expect(dialOutResult(19)).to.equal('no-answer');
    expect(dialOutResult(16)).to.equal('no-answer');
    expect(dialOutResult(3)).to.equal('unreachable');
    expect(dialOutResult(41)).to.equal('failed');
    const at = new Date();
    expect(failedDials({ number: '1', requestedAt: at, attempts: [{ at, agentWorkNumber: '1', result: 'cancelled' }, { at, agentWorkNumber: '1', result: 'busy' }] })).to.equal(1);
  });

  it('a virtual caller waits in callback-waiting: offered, back after an unanswered ring or an unreached dial-out; never reached is not an abandon', () => {
    expect(canMove('queued', 'callback-waiting')).to.equal(true);
    expect(canMove('callback-waiting', 'ringing')).to.equal(true);
    expect(canMove('ringing', 'callback-waiting')).to.equal(true);
    expect(canMove('announcing', 'callback-waiting')).to.equal(true);
    expect(canMove('callback-waiting', 'queued')).to.equal(false);
    expect(outcomeFor('callback-waiting', false)).to.equal('failed');
  });

  it('reads the caller’s number digit by digit before the question; only the question for a number that cannot be dialled', () => {
    const media = confirmMedia('13800001111', 'yue');
    expect(media[0]).to.equal('sound:hotline/yue/queue-callback-number');
    expect(media.slice(1, 12)).to.deep.equal([...'13800001111'].map((d) => `sound:hotline/yue/digit-${d}`));
    expect(media[12]).to.equal('sound:hotline/yue/queue-callback-confirm');
    expect(confirmMedia('anonymous', 'yue')).to.deep.equal(['sound:hotline/yue/queue-callback-confirm']);
  });

  it('1 then 1 confirms the calling number', async () => {
    const { io, played } = caller(['1', '1']);
    expect(await askForCallback(io)).to.equal('13800001111');
    expect(played).to.have.length(2);
  });

  it('another number keyed and ended with # is taken; a mobile number starting with 1 is not taken for the confirmation', async () => {
    expect(await askForCallback(caller(['1', '13900002222#']).io)).to.equal('13900002222');
    // Without #: the number ends when no key follows.
    expect(await askForCallback(caller(['1', '02088881234']).io)).to.equal('02088881234');
  });

  it('a wrong number is asked again once, then given up; no 1 at the offer is no callback', async () => {
    const again = caller(['1', '12#', '1']);
    expect(await askForCallback(again.io)).to.equal('13800001111');
    expect(again.played[2]![0]).to.equal('sound:hotline/cmn/queue-callback-bad-number');
    expect(await askForCallback(caller(['1', '12#', '99#']).io)).to.equal(null);
    expect(await askForCallback(caller(['2']).io)).to.equal(null);
    expect(await askForCallback(caller([]).io)).to.equal(null);
    // An unknown caller must key a number: 1 alone confirms nothing.
    expect(await askForCallback(caller(['1', '1', '1'], '').io)).to.equal(null);
  });
});

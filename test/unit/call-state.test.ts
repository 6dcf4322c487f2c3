import { expect } from 'chai';
import { canMove, outcomeFor, ringEndResult, TRANSITIONS } from '../../cti/calls/call-state';
import { CALL_STATES } from '../../models/enums';

describe('call state machine', () => {
  it('lets every state end, and nothing leave `ended`', () => {
    for (const s of CALL_STATES) if (s !== 'ended') expect(canMove(s, 'ended'), s).to.equal(true);
    expect(TRANSITIONS.ended).to.deep.equal([]);
  });

  it('allows a no-answer to send the call back to the queue, but never skips the queue', () => {
    expect(canMove('ringing', 'queued')).to.equal(true);
    expect(canMove('greeting', 'ringing')).to.equal(false);
    expect(canMove('queued', 'talking')).to.equal(false);
    expect(canMove('talking', 'queued')).to.equal(false);
  });

  it('derives the outcome from where the call was when it ended', () => {
    expect(outcomeFor('greeting', false)).to.equal('abandoned-greeting');
    expect(outcomeFor('arrived', false)).to.equal('abandoned-greeting');
    expect(outcomeFor('queued', false)).to.equal('abandoned-queue');
    expect(outcomeFor('ringing', false)).to.equal('abandoned-ringing');
    expect(outcomeFor('announcing', false)).to.equal('answered');
    expect(outcomeFor('talking', false)).to.equal('answered');
    expect(outcomeFor('queued', true)).to.equal('failed');
  });

  it('reads an agent leg cause as the offer result', () => {
    expect(ringEndResult(17)).to.equal('busy');
    expect(ringEndResult(19)).to.equal('no-answer');
    expect(ringEndResult(20)).to.equal('unreachable');
    expect(ringEndResult(16)).to.equal('failed');
    expect(ringEndResult(undefined)).to.equal('failed');
  });
});

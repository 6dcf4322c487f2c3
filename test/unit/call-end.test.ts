import { expect } from 'chai';
import { callEnd, stateStamps } from '../../cti/calls/call-state';

const arrivedAt = new Date(10_000);
const queuedAt = new Date(25_000);
const endedAt = new Date(70_000);

describe('end of a call', () => {
  it('counts a queue or ring abandon from joining the queue', () => {
    expect(callEnd('queued', false, 'caller', { arrivedAt, queuedAt, endedAt })).to.deep.equal({
      outcome: 'abandoned-queue',
      abandonWaitMs: 45_000,
      agentHungUpFirst: false,
    });
    expect(callEnd('ringing', false, 'caller', { arrivedAt, queuedAt, endedAt })).to.deep.equal({
      outcome: 'abandoned-ringing',
      abandonWaitMs: 45_000,
      agentHungUpFirst: false,
    });
  });

  it('counts a greeting abandon from arrival, even for a call that had been queued', () => {
    expect(callEnd('greeting', false, 'caller', { arrivedAt, endedAt })).to.deep.include({ outcome: 'abandoned-greeting', abandonWaitMs: 60_000 });
    expect(callEnd('arrived', false, 'caller', { arrivedAt, queuedAt, endedAt })).to.deep.include({ abandonWaitMs: 60_000 });
  });

  it('falls back to arrival for a queue abandon with no queue time', () => {
    expect(callEnd('queued', false, 'caller', { arrivedAt, endedAt }).abandonWaitMs).to.equal(60_000);
  });

  it('gives an answered or failed call no abandon wait', () => {
    expect(callEnd('talking', false, 'caller', { arrivedAt, queuedAt, endedAt })).to.deep.equal({ outcome: 'answered', agentHungUpFirst: false });
    expect(callEnd('queued', true, 'system', { arrivedAt, queuedAt, endedAt })).to.deep.equal({ outcome: 'failed', agentHungUpFirst: false });
  });

  it('flags an answered call the agent ended, and only that', () => {
    expect(callEnd('talking', false, 'agent', { arrivedAt, queuedAt, endedAt }).agentHungUpFirst).to.equal(true);
    expect(callEnd('announcing', false, 'agent', { arrivedAt, queuedAt, endedAt }).agentHungUpFirst).to.equal(true);
    expect(callEnd('talking', true, 'agent', { arrivedAt, queuedAt, endedAt }).agentHungUpFirst).to.equal(false);
    expect(callEnd('ringing', false, 'agent', { arrivedAt, queuedAt, endedAt }).agentHungUpFirst).to.equal(false);
  });
});

describe('state timestamps of the call record', () => {
  const at = new Date(90_000);

  it('stamps the state entered', () => {
    expect(stateStamps('greeting', at)).to.deep.equal({ greetingAt: at });
    expect(stateStamps('announcing', at)).to.deep.equal({ announcingAt: at });
    expect(stateStamps('talking', at)).to.deep.equal({ talkingAt: at });
    expect(stateStamps('ringing', at)).to.deep.equal({});
  });

  it('keeps the first queue time for a call back in the queue after an unanswered offer', () => {
    expect(stateStamps('queued', at, queuedAt)).to.deep.equal({ queuedAt });
    expect(stateStamps('queued', at)).to.deep.equal({ queuedAt: at });
  });
});

import { expect } from 'chai';
import { WaitEstimator } from '../../cti/acd/wait-estimate';
import { testConfig } from '../helpers/env';
import { storeRig } from '../helpers/store-rig';

/** "About N minutes": the handle time is the last day's answered calls', not every call's ever stored. */
describe('queue wait estimate: the handle time of the last day', function () {
  this.timeout(30_000);
  const config = testConfig();
  const rig = storeRig(config);

  const answered = (callId: string, arrivedAt: number, talkMs: number) => ({
    callId,
    node: 'a',
    callerChannelId: `ch-${callId}`,
    callerNumber: '13900000002',
    dialledNumber: '952525',
    arrivedAt: new Date(arrivedAt),
    state: 'ended' as const,
    outcome: 'answered' as const,
    test: false,
    answeredAt: new Date(arrivedAt + 10_000),
    endedAt: new Date(arrivedAt + 10_000 + talkMs),
  });

  it('a call of three days ago does not count; with no agent on duty, one caller ahead waits one handle time', async () => {
    const now = Date.now();
    await rig.models.Call.create([answered('recent', now - 3600_000, 60_000), answered('old', now - 3 * 86_400_000, 600_000)]);
    // 60 s alone → 1 minute; with the old call's 600 s the mean would be 330 s → 6 minutes.
    expect(await new WaitEstimator(rig.models, rig.acd).minutes('yue', 1)).to.equal(1);
    await rig.models.Call.deleteOne({ callId: 'recent' });
    // Nothing in the last day: the default handle time (3 minutes).
    expect(await new WaitEstimator(rig.models, rig.acd).minutes('yue', 1)).to.equal(3);
  });
});

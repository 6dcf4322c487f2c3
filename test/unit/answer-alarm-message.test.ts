import { expect } from 'chai';
import { answerAlarmMessage } from '../../cti/acd/answer-alarm';

describe('20-second alarm text', () => {
  it('names the agent (work number and name) and the caller to call back', () => {
    expect(answerAlarmMessage({ agentWorkNumber: '1010', agentName: '吴家豪', ringMs: 20_040, callerNumber: '18812345678' })).to.equal(
      '坐席 1010 吴家豪 振铃 20 秒未接听，来电 18812345678',
    );
  });

  it('still reads as a sentence without a name (agent not in the live store) or a number (withheld, or a job from before the number was carried)', () => {
    expect(answerAlarmMessage({ agentWorkNumber: '1002', ringMs: 19_600 })).to.equal('坐席 1002 振铃 20 秒未接听，来电号码未知');
    expect(answerAlarmMessage({ agentWorkNumber: '1002', agentName: '李婉婷', ringMs: 20_000, callerNumber: '' })).to.equal('坐席 1002 李婉婷 振铃 20 秒未接听，来电号码未知');
  });
});

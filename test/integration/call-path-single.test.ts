import { expect } from 'chai';
import type { HeardEntry } from '../../sim/ari/types';
import { callClosed as closed } from '../helpers/calls';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

describe('single-app mode (Asterisk without StasisBroadcast): active/standby', function () {
  this.timeout(60_000);
  let h: PbxHarness;

  before(async () => {
    // Two processes on one app name: the newer connection takes the app (ApplicationReplaced to the older).
    h = await PbxHarness.start({ mode: 'single', nodes: 2, ready: [], env: { QUEUE_ANNOUNCE_MS: '400', AFTER_CALL_WORK_MS: '100' } });
  });
  after(async () => h?.stop());

  it('the newer process takes every call; queued callers hear their position periodically', async () => {
    expect(h.ari.registeredApps()).to.deep.equal(['hotline']);
    const caller = h.ari.placeCall({ callerNumber: '13300000001', dtmf: [{ digit: '1', afterMs: 10 }] });
    const heardPosition = () =>
      caller.heard().some((e: HeardEntry) => e.kind === 'playback' && e.media === 'sound:hotline/yue/queue-wait-suffix' && e.state === 'done');
    await waitFor(heardPosition, { what: 'position announcement' });
    const media = caller.heard().flatMap((e) => (e.kind === 'playback' ? [e.media] : []));
    const at = media.indexOf('sound:hotline/yue/queue-position-prefix');
    expect(media.slice(at, at + 3)).to.deep.equal([
      'sound:hotline/yue/queue-position-prefix',
      'sound:hotline/yue/digit-1',
      'sound:hotline/yue/queue-position-suffix',
    ]);
    // Then the estimate: no agent on duty yet, no handle time yet → 3 minutes (default handle time).
    expect(media.slice(at + 3, at + 6)).to.deep.equal(['sound:hotline/yue/queue-wait-prefix', 'sound:hotline/yue/digit-3', 'sound:hotline/yue/queue-wait-suffix']);
    // Music resumes after the announcement.
    await waitFor(() => caller.heard().filter((e) => e.kind === 'moh').length >= 2, { what: 'music resumed' });

    await h.calls.agents.login('1001');
    await h.calls.agents.change('1001', 'ready');
    await waitFor(async () => (await h.node.models.Call.findOne({ callerChannelId: caller.id }).lean())?.state === 'talking', { what: 'talking' });
    caller.hangup();
    const call = await closed(h, caller);
    expect(call).to.include({ outcome: 'answered', node: 'b', agentWorkNumber: '1001' });
  });

  it('when the active process goes away, the standby takes the app over and the next call', async () => {
    await h.nodes[1]!.stop();
    await waitFor(() => h.ari.registeredApps().includes('hotline'), { what: 'app registered again by the standby', timeoutMs: 15_000 });
    await waitFor(async () => (await h.calls.acd.agent('1001'))?.state === 'ready', { what: '1001 ready again' });
    const caller = h.ari.placeCall({ callerNumber: '13300000002', dtmf: [{ digit: '1', afterMs: 10 }], hangupAfterBridgedMs: 100 });
    const call = await closed(h, caller);
    expect(call).to.include({ outcome: 'answered', node: 'a', agentWorkNumber: '1001' });
  });
});

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { replayTrace } from '../../sim/ari/trace-replay';

/**
 * Contract: every golden ARI trace of a real Asterisk 22.10.1 is replayed against the simulator
 * (same REST calls in the same order, same WebSocket actions, callers and phones scripted like
 * the capture's SIPp scenarios) and must produce the same event type sequence on every socket
 * (RTPAUDIOQOS varsets ignored, documented races allowed), the same event fields (causes,
 * dial statuses, states, dialplan locations, variables, args, key sets) and the same REST
 * statuses and bodies (ids and timestamps compared by shape). See sim/ari/trace-replay.ts.
 */

const TRACES = join(__dirname, '..', 'fixtures', 'asterisk-traces');
const files = readdirSync(TRACES)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

describe('ARI simulator contract: golden Asterisk 22.10.1 traces', function () {
  this.timeout(30_000);

  it('has every trace the brief requires', () => {
    const names = files.map((f) => f.slice(0, f.indexOf('-')));
    for (const n of ['01', '02', '03a', '03b', '03c', '03d', '04a', '04b', '05', '06', '07a', '07b', '08', '09', '10a', '10b', '11', '12']) {
      expect(names, `trace ${n}`).to.include(n);
    }
  });

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const report = await replayTrace(join(TRACES, file), { timeScale: 0.05 });
      expect(Object.keys(report.sequences), 'sockets with events').to.not.be.empty;
      for (const [ws, seq] of Object.entries(report.sequences)) {
        expect(seq.actual, `event types on socket ${ws}`).to.deep.equal(seq.expected);
      }
      expect(report.mismatches, report.mismatches.join('\n')).to.deep.equal([]);
      expect(report.restCalls, 'REST calls replayed').to.be.greaterThan(0);
    });
  }
});

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { liveHeapBytes, liveHeapMeasured, watchLiveHeap } from '../../core/live-heap';
import { CtiMetrics } from '../../cti/metrics';

// A full collection on demand, without starting node with --expose-gc.
setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;

/** Runs full collections until `ok` holds for the figure the observer took (it runs just after each). */
async function collectUntil(ok: (bytes: number) => boolean): Promise<number> {
  for (let i = 0; i < 50; i++) {
    fullGc();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    if (liveHeapMeasured() && ok(liveHeapBytes())) return liveHeapBytes();
  }
  throw new Error(`live heap never met the condition (last ${liveHeapBytes()} bytes)`);
}

describe('live heap: V8 heap in use after the latest full collection', () => {
  it('follows what is held, not what was allocated', async () => {
    watchLiveHeap();
    const before = await collectUntil(() => true);
    let held: string[][] | null = Array.from({ length: 200 }, (_, i) => Array.from({ length: 1000 }, (_, j) => `held-${i}-${j}-${'x'.repeat(40)}`));
    const holding = await collectUntil((b) => b > before + 20e6);
    expect(held.length).to.equal(200);
    held = null;
    const after = await collectUntil((b) => b < holding - 20e6);
    expect(after).to.be.below(holding - 20e6);
  });

  it('is exported on /metrics as hotline_heap_live_bytes', async () => {
    const m = new CtiMetrics({ node: 't' });
    const bytes = await collectUntil(() => true);
    const text = await m.registry.getSingleMetricAsString('hotline_heap_live_bytes');
    const value = Number(/^hotline_heap_live_bytes\{node="t"\} (\S+)$/m.exec(text)?.[1]);
    // Read at scrape time: within what the test allocated since.
    expect(value).to.be.within(bytes * 0.5, bytes * 2);
  });
});

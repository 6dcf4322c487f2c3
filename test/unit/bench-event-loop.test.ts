import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { eventLoopDelay } from '../../scripts/bench/counters';

/** The bench's reading of a CTI's event-loop delay, from the same default metrics the CTI exports. */
describe('bench: event-loop delay read from /metrics (scripts/bench/counters.ts)', () => {
  let server: Server;
  let url: string;

  before(async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'hotline_process_' });
    server = createServer((_req, res) => {
      void registry.metrics().then((text) => res.end(text));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server?.close());

  it('a loop held busy for 80 ms is read as a delay of that order, in ms beyond the sampling timer', async () => {
    await eventLoopDelay(url); // resets the histogram: what follows is measured alone
    let d: Awaited<ReturnType<typeof eventLoopDelay>> = null;
    // The monitor records a delay on its own timer's next run, which no event announces: each try
    // holds the loop again and gives that timer a few of its 10 ms periods before reading.
    for (let attempt = 0; attempt < 5 && !(d && d.max >= 60); attempt++) {
      const until = Date.now() + 80;
      while (Date.now() < until) {
        // Held on purpose: nothing else can run, as in a CTI busy with a long task.
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
      d = await eventLoopDelay(url);
    }
    expect(d).to.not.equal(null);
    expect(d!.max).to.be.at.least(60);
    expect(d!.max).to.be.below(1000);
    expect(d!.p50).to.be.at.most(d!.max);
  });

  it('is null where the process exports no such metric', async () => {
    const bare = createServer((_req, res) => res.end('# nothing here\n'));
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      expect(await eventLoopDelay(`http://127.0.0.1:${(bare.address() as AddressInfo).port}`)).to.equal(null);
    } finally {
      bare.close();
    }
  });
});

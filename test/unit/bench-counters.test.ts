import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ctiCounters, sumDelta } from '../../scripts/bench/counters';

describe('bench: counters read from a CTI\'s /metrics', () => {
  let server: Server;
  let body = '';
  let url = '';
  before(async () => {
    server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('sums each family per label value, several labels joined', async () => {
    body = [
      '# TYPE hotline_mongo_writes_total counter',
      'hotline_mongo_writes_total{collection="calls",node="a"} 3',
      'hotline_mongo_writes_total{node="b",collection="calls"} 4',
      'hotline_mongo_writes_total{collection="alarms"} 1',
      '# TYPE hotline_mongo_commands_total counter',
      'hotline_mongo_commands_total{command="find",collection="calls"} 2',
      'hotline_mongo_commands_total{command="update",collection="calls"} 5',
      '# TYPE hotline_process_nodejs_gc_duration_seconds histogram',
      'hotline_process_nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 9',
      'hotline_process_nodejs_gc_duration_seconds_sum{kind="minor"} 0.25',
      'hotline_process_nodejs_gc_duration_seconds_sum{kind="major"} 1.5',
      '# TYPE hotline_heap_live_bytes gauge',
      'hotline_heap_live_bytes{node="a"} 123456789',
    ].join('\n');
    expect(await ctiCounters(url)).to.deep.equal({
      mongoWrites: { calls: 7, alarms: 1 },
      mongoCommands: { 'find calls': 2, 'update calls': 5 },
      gcSeconds: { minor: 0.25, major: 1.5 },
      heapLiveBytes: 123456789,
    });
  });

  it('a family declared without samples is zero; one not exported is null', async () => {
    body = '# HELP hotline_mongo_writes_total writes\n# TYPE hotline_mongo_writes_total counter\n';
    expect(await ctiCounters(url)).to.deep.equal({ mongoWrites: {}, mongoCommands: null, gcSeconds: null, heapLiveBytes: null });
  });

  it('deltas are summed over processes per key, and are null when any reading is missing', () => {
    expect(sumDelta([{ a: 1, b: 2 }, { a: 10 }], [{ a: 4, b: 2 }, { a: 11, c: 5 }])).to.deep.equal({ a: 4, b: 0, c: 5 });
    expect(sumDelta([{ a: 1 }, null], [{ a: 4 }, { a: 1 }])).to.equal(null);
    expect(sumDelta([{ a: 1 }], [null])).to.equal(null);
  });
});

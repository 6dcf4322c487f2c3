import { expect } from 'chai';
import { openMongo } from '../../core/connections';
import { DisposableFerretDb, ferretdbBinary } from '../helpers/ferretdb-server';
import { testConfig } from '../helpers/env';
import { LogCapture } from '../helpers/log-capture';
import { waitFor } from '../helpers/wait';

/**
 * The seed (and every process that stops) closes its MongoDB connection on purpose: that is
 * news at info, not a warning. A server that goes away is still a warning.
 */
describe('MongoDB connection: an intended close is logged at info, a lost server at warn', function () {
  this.timeout(60_000);

  it('close() by us: "mongodb connection closed" at info, no warning', async () => {
    const log = new LogCapture();
    const conn = await openMongo(testConfig().MONGO_URL, log.logger);
    await conn.close();
    await waitFor(() => log.messages('info').includes('mongodb connection closed'), { what: 'close logged' });
    expect(log.messages('warn')).to.deep.equal([]);
  });

  it('the server going away: "mongodb disconnected" at warn (the driver notices within a heartbeat, ~10 s)', async function () {
    const bin = ferretdbBinary();
    if (!bin) this.skip();
    const db = await DisposableFerretDb.create(bin!);
    const log = new LogCapture();
    let stopped = false;
    try {
      const conn = await openMongo(db.url('hotline_close_test'), log.logger);
      await conn.db!.admin().ping();
      await db.stop();
      stopped = true;
      await waitFor(() => log.messages('warn').includes('mongodb disconnected'), { what: 'disconnect warned', timeoutMs: 45_000 });
      expect(log.messages('info')).to.not.include('mongodb connection closed');
      await conn.close();
      // A close after the loss is still ours: no second warning.
      expect(log.messages('warn').filter((m) => m === 'mongodb disconnected')).to.have.length(1);
    } finally {
      if (!stopped) await db.stop();
    }
  });
});

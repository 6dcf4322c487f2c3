import { expect } from 'chai';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { FALLBACK_QUEUE, FallbackImport } from '../../cti/fallback/fallback-import';
import { startCti, type CtiNode } from '../../main';
import { AmiSimulator } from '../../sim/ami/server';
import { AriSimulator } from '../../sim/ari/server';
import { PbxModel } from '../../sim/pbx';
import { testConfig } from '../helpers/env';
import { waitFor } from '../helpers/wait';

/**
 * Every CTI process down: the simulated Asterisk takes two calls through the dialplan fallback
 * (its own queue: one answered after a ring-no-answer, one abandoned), writing queue_log and
 * MixMonitor files. Then a CTI process starts and imports them as Call and Recording documents
 * (real Redis, real FerretDB, the record outbox); importing again, or from two processes at once,
 * adds nothing.
 */
describe('calls of the dialplan fallback are imported when a CTI process returns', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'hotline-fallback-import-'));
  const queueLog = join(dir, 'log', 'queue_log');
  const monitorDir = join(dir, 'monitor');
  const pbx = new PbxModel({ extensions: ['1001', '1002'] });
  const ari = new AriSimulator({
    pbx,
    dialplan: { exten: '952525', mode: 'broadcast', appPattern: '^hotline-.*', timeoutMs: 2000 },
    // 20 s of ringing in 2 s of test.
    timeScale: 0.1,
    soundDurationMs: () => 200,
    recordingsDir: join(dir, 'recordings'),
  });
  const ami = new AmiSimulator({ pbx, username: 'cti', secret: 'cti', queue: { queueLogFile: queueLog, monitorDir } });
  let node: CtiNode | undefined;
  const ids: string[] = [];

  before(async () => {
    await ari.start();
    await ami.start();
  });

  after(async () => {
    if (node) {
      const url = node.config.MONGO_URL;
      await node.stop();
      const conn = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
    }
    await ari.stop();
    await ami.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with no CTI process, Asterisk answers two callers itself: one answered by the second phone after the first rang out, one abandoned', async () => {
    pbx.setPhone('1001', { behaviour: { kind: 'no-answer' } });
    pbx.setPhone('1002', { behaviour: { kind: 'answer', afterMs: 1000 } });
    // Mandarin by key; 5 s of talk once connected.
    const answered = ari.placeCall({ callerNumber: '13800138000', dtmf: [{ digit: '2', afterMs: 100 }], hangupAfterBridgedMs: 5000 });
    expect(await answered.ended).to.include({ by: 'caller' });
    expect(answered.talkingSince()).to.not.equal(null);

    pbx.setPhone('1002', { behaviour: { kind: 'no-answer' } });
    // Cantonese by key; gives up 6 s after the answer, while a phone rings.
    const abandoned = ari.placeCall({ callerNumber: '13800138001', dtmf: [{ digit: '1', afterMs: 100 }], hangupAfterMs: 6000 });
    expect(await abandoned.ended).to.include({ by: 'caller' });
    expect(abandoned.talkingSince()).to.equal(null);
    ids.push(answered.id, abandoned.id);
    for (const id of ids) expect(existsSync(join(monitorDir, `fallback-${id}.wav`)), id).to.equal(true);
  });

  it('a CTI process starts and imports both as Call and Recording documents with their outcomes', async () => {
    const config = testConfig({
      ARI_URL: ari.url,
      AMI_PORT: String(ami.port),
      RECORDINGS_DIR: join(dir, 'recordings'),
      ASTERISK_QUEUE_LOG: queueLog,
      // Only the start-up import runs during this test.
      FALLBACK_IMPORT_MS: '3600000',
    });
    node = await startCti(config);
    const { Call, Recording } = node.models;
    const calls = await waitFor(async () => {
      const found = await Call.find({ fallback: true }).sort({ arrivedAt: 1 }).lean();
      return found.length === 2 && (await Recording.countDocuments()) === 2 ? found : undefined;
    }, { what: 'two imported calls and their recordings' });
    const [a, b] = calls as [(typeof calls)[number], (typeof calls)[number]];

    expect(a).to.deep.include({
      callId: `fallback-${ids[0]}`,
      callerChannelId: ids[0],
      node: 'asterisk',
      callerNumber: '13800138000',
      dialledNumber: '952525',
      language: 'cmn',
      languageSource: 'dtmf',
      state: 'ended',
      outcome: 'answered',
      agentWorkNumber: '1002',
      hangupBy: 'caller',
      agentHungUpFirst: false,
      recordingName: `fallback-${ids[0]}`,
      fallback: true,
      test: false,
    });
    expect(a.offers.map((o) => [o.extension, o.result, o.ringMs])).to.deep.equal([
      ['1001', 'no-answer', 20_000],
      ['1002', 'answered', 1000],
    ]);
    // 20 s ring-out, 1 s retry, 1 s ring: about 22 s in the queue (app_queue counts whole seconds).
    expect(a.answerDelayMs).to.be.within(21_000, 24_000);
    expect(a.endedAt!.getTime() - a.answeredAt!.getTime()).to.be.within(3000, 7000);

    expect(b).to.deep.include({ callId: `fallback-${ids[1]}`, language: 'yue', languageSource: 'dtmf', outcome: 'abandoned-ringing', hangupBy: 'caller' });
    expect(b.abandonWaitMs).to.be.within(4000, 6000);
    expect(b.offers.map((o) => [o.extension, o.result])).to.deep.equal([['1001', 'caller-gone']]);
    expect(b).to.not.have.property('agentWorkNumber');

    const recs = await Recording.find().sort({ startedAt: 1 }).lean();
    expect(recs.map((r) => [r.name, r.callId, r.file, r.state])).to.deep.equal(
      ids.map((id) => [`fallback-${id}`, `fallback-${id}`, `fallback-${id}.wav`, 'done']),
    );
    expect(recs[0]!.durationSec).to.be.within(25, 30);
  });

  it('a second import adds nothing; read again from the start, or by two processes at once, it stores each document once', async () => {
    const imp = node!.calls!.fallbackImport!;
    expect(await imp.run()).to.deep.equal({ imported: 0, malformed: 0, inProgress: 0 });

    const snapshot = async () => {
      // What was stored, not when: the write slot (changedIn, like updatedAt) is stamped by every
      // write, and a re-import that crosses a 5 s slot boundary would otherwise differ by it alone.
      const docs = await node!.models.Call.find({}, { _id: 0, createdAt: 0, updatedAt: 0, changedIn: 0, 'offers._id': 0 }).sort({ callId: 1 }).lean();
      return { docs, recordings: await node!.models.Recording.countDocuments() };
    };
    const before = await snapshot();
    const other = new FallbackImport(
      { redis: node!.redis, keyPrefix: node!.live.acd.keys.p, outbox: node!.live.outbox, models: node!.models, logger: node!.logger },
      { queueLogPath: queueLog, queue: FALLBACK_QUEUE, hotlineNumber: '952525', everyMs: 3_600_000 },
    );
    await imp.reset();
    const both = await Promise.all([imp.run(), other.run()]);
    expect(both.map((r) => r.skipped ?? 'ran').sort()).to.deep.equal(['locked', 'ran']);
    expect(both.find((r) => !r.skipped)!.imported).to.equal(2);
    expect(await node!.live.outbox.settled('call:fallback-', 10_000)).to.equal(true);
    expect(await snapshot()).to.deep.equal(before);
  });

  it('a malformed queue_log line is logged and skipped; the lines after it are imported', async () => {
    const imp = node!.calls!.fallbackImport!;
    appendFileSync(
      queueLog,
      [
        'this is not a queue_log line',
        '1796170000|1796170000.1|hotline-fallback|NONE|ENTERQUEUE||13800138009|1',
        '1796170003|1796170000.1|hotline-fallback|Agent 1001|CONNECT|three|1796170001.5|2',
        '1796170009|1796170000.1|hotline-fallback|NONE|ABANDON|1|1|9',
        '',
      ].join('\n'),
    );
    expect(await imp.run()).to.deep.equal({ imported: 1, malformed: 2, inProgress: 0 });
    const doc = await waitFor(() => node!.models.Call.findOne({ callId: 'fallback-1796170000.1' }).lean(), { what: 'the call after the bad lines' });
    expect(doc).to.deep.include({ outcome: 'abandoned-queue', abandonWaitMs: 9000 });
  });
});

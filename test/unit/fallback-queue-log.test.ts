import { expect } from 'chai';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleCalls, type FallbackCall } from '../../cti/fallback/assemble';
import { readLogChunk, type LogChunk, type LogPosition } from '../../cti/fallback/log-reader';
import { parseQueueLogLine, type QueueLogLine } from '../../cti/fallback/queue-log';
import { callFields, recordingFields } from '../../cti/fallback/records';

/** The seven lines real Asterisk 22.10.1 wrote for the two calls of trace ami/06. */
const TRACE_LINES = [
  '1796162565|1796162565.15|hotline-fallback|NONE|ENTERQUEUE||85291234567|1',
  '1796162585|1796162565.15|hotline-fallback|Agent 1001|RINGNOANSWER|20000',
  '1796162587|1796162565.15|hotline-fallback|Agent 1002|CONNECT|22|1796162586.17|1',
  '1796162593|1796162565.15|hotline-fallback|Agent 1002|COMPLETECALLER|22|6|1',
  '1796162596|1796162596.18|hotline-fallback|NONE|ENTERQUEUE||85291234567|1',
  '1796162602|1796162596.18|hotline-fallback|Agent 1001|RINGCANCELED|6003',
  '1796162602|1796162596.18|hotline-fallback|NONE|ABANDON|1|1|6',
];
const Q = 'hotline-fallback';
const settings = { hotlineNumber: '952525', workNumberOf: (ext: string) => (ext === '1002' ? '2002' : ext) };

function inputs(lines: string[]): Array<{ raw: string; line: QueueLogLine }> {
  return lines.flatMap((raw) => {
    const p = parseQueueLogLine(raw);
    return p.kind === 'call' ? [{ raw, line: p.line }] : [];
  });
}

const at = (epoch: number) => new Date(epoch * 1000);

describe('fallback import: queue_log lines', () => {
  it('parses every line of the trace into typed events', () => {
    const parsed = TRACE_LINES.map(parseQueueLogLine);
    expect(parsed.every((p) => p.kind === 'call')).to.equal(true);
    const connect = parsed[2] as { kind: 'call'; line: QueueLogLine };
    expect(connect.line).to.deep.include({ at: at(1796162587), callId: '1796162565.15', queue: Q, agent: 'Agent 1002', event: 'CONNECT' });
    expect(connect.line.data).to.deep.equal([22, '1796162586.17', 1]);
    const abandon = parsed[6] as { kind: 'call'; line: QueueLogLine };
    expect(abandon.line.data).to.deep.equal([1, 1, 6]);
  });

  it('lines the import does not use are well-formed "other" lines; broken ones are malformed with a reason', () => {
    expect(parseQueueLogLine('1796162439|NONE|NONE|NONE|QUEUESTART|').kind).to.equal('other');
    expect(parseQueueLogLine('1796162440|NONE|hotline-fallback|PJSIP/1001|ADDMEMBER|').kind).to.equal('other');
    expect(parseQueueLogLine('1796162565|1796162565.15|hotline-fallback|NONE|DID|952525').kind).to.equal('other');
    const bad: Array<[string, RegExp]> = [
      ['', /1 field, at least 5/],
      ['1796162565|1796162565.15|hotline-fallback', /fields/],
      ['yesterday|1796162565.15|hotline-fallback|NONE|ENTERQUEUE||1|1', /epoch seconds/],
      ['1796162565|../../etc|hotline-fallback|NONE|ENTERQUEUE||1|1', /Uniqueid/],
      ['1796162565|1796162565.15|hotline-fallback|NONE|enterqueue||1|1', /event name/],
      ['1796162587|1796162565.15|hotline-fallback|Agent 1002|CONNECT|soon|1796162586.17|1', /CONNECT: data\.0: a whole number/],
      ['1796162587|1796162565.15|hotline-fallback|Agent 1002|CONNECT|22', /CONNECT/],
      ['1796162560|1796162565.15|hotline-fallback|NONE|LANGUAGE|fr|3', /LANGUAGE/],
      ['1796162593|1796162565.15|hotline-fallback|Agent 1002|BLINDTRANSFER|8001|agents|x|6|1', /transfer ends with/],
    ];
    for (const [line, reason] of bad) {
      const p = parseQueueLogLine(line);
      expect(p.kind, line).to.equal('malformed');
      expect((p as { reason: string }).reason, line).to.match(reason);
    }
  });
});

describe('fallback import: assembling calls', () => {
  it('ring-no-answer, then answered by the second phone (trace call 1)', () => {
    const { calls, pending } = assembleCalls(inputs(TRACE_LINES.slice(0, 4)), { queue: Q });
    expect(pending).to.deep.equal([]);
    expect(calls).to.have.length(1);
    const c = calls[0]!;
    expect(c).to.deep.include({ uniqueid: '1796162565.15', callerNumber: '85291234567', queuedAt: at(1796162565), endedAt: at(1796162593) });
    expect(c.rings).to.deep.equal([
      { extension: '1001', startedAt: at(1796162565), endedAt: at(1796162585), ringMs: 20000, result: 'no-answer' },
      { extension: '1002', startedAt: at(1796162586), endedAt: at(1796162587), ringMs: 1000, result: 'answered' },
    ]);
    expect(c.answered).to.deep.equal({ extension: '1002', at: at(1796162587), holdSec: 22, ringSec: 1, agentChannelId: '1796162586.17' });
    expect(c.end).to.deep.equal({ kind: 'completed', by: 'caller', talkSec: 6 });

    const doc = callFields(c, settings);
    expect(doc).to.deep.include({
      callId: 'fallback-1796162565.15',
      callerChannelId: '1796162565.15',
      callerNumber: '85291234567',
      dialledNumber: '952525',
      state: 'ended',
      outcome: 'answered',
      hangupBy: 'caller',
      agentHungUpFirst: false,
      agentWorkNumber: '2002',
      agentChannelId: '1796162586.17',
      answerDelayMs: 22_000,
      answerRingMs: 1000,
      recordingName: 'fallback-1796162565.15',
      fallback: true,
      test: false,
    });
    expect(doc.arrivedAt).to.deep.equal(at(1796162565));
    expect(doc.answeredAt).to.deep.equal(at(1796162587));
    expect(doc.offers.map((o) => [o.attempt, o.agentWorkNumber, o.extension, o.result, o.ringMs])).to.deep.equal([
      [1, '1001', '1001', 'no-answer', 20000],
      [2, '2002', '1002', 'answered', 1000],
    ]);
    expect(recordingFields(c)).to.deep.equal({
      name: 'fallback-1796162565.15',
      callId: 'fallback-1796162565.15',
      format: 'wav',
      file: 'fallback-1796162565.15.wav',
      startedAt: at(1796162565),
      endedAt: at(1796162593),
      durationSec: 28,
      state: 'done',
    });
  });

  it('abandoned while a phone rang (trace call 2), and abandoned while nothing rang', () => {
    const { calls } = assembleCalls(inputs(TRACE_LINES.slice(4)), { queue: Q });
    const c = calls[0]!;
    expect(c.rings).to.deep.equal([{ extension: '1001', startedAt: new Date(1796162602_000 - 6003), endedAt: at(1796162602), ringMs: 6003, result: 'caller-gone' }]);
    expect(c.end).to.deep.equal({ kind: 'abandoned', waitSec: 6, whileRinging: true });
    expect(callFields(c, settings)).to.deep.include({ outcome: 'abandoned-ringing', abandonWaitMs: 6000, hangupBy: 'caller', recordingName: 'fallback-1796162596.18' });
    expect(callFields(c, settings)).to.not.have.property('agentWorkNumber');

    const quiet = assembleCalls(inputs(['1796170000|1796170000.1|hotline-fallback|NONE|ENTERQUEUE||13800138000|1', '1796170004|1796170000.1|hotline-fallback|NONE|ABANDON|1|1|4']), { queue: Q });
    expect(callFields(quiet.calls[0]!, settings)).to.deep.include({ outcome: 'abandoned-queue', abandonWaitMs: 4000 });
  });

  it('the trace file as a whole: two calls, in the order they ended', () => {
    const { calls } = assembleCalls(inputs(TRACE_LINES), { queue: Q });
    expect(calls.map((c) => [c.uniqueid, c.end.kind])).to.deep.equal([
      ['1796162565.15', 'completed'],
      ['1796162596.18', 'abandoned'],
    ]);
  });

  it('a call still in progress at the end of the file is handed back whole, and completes with the next lines', () => {
    const first = assembleCalls(inputs([...TRACE_LINES.slice(0, 2), TRACE_LINES[4]!]), { queue: Q });
    expect(first.calls).to.deep.equal([]);
    expect(first.pending).to.deep.equal([TRACE_LINES[0], TRACE_LINES[1], TRACE_LINES[4]]);
    const second = assembleCalls(inputs([...first.pending, TRACE_LINES[2]!, TRACE_LINES[3]!]), { queue: Q });
    expect(second.calls.map((c) => c.uniqueid)).to.deep.equal(['1796162565.15']);
    expect(second.pending).to.deep.equal([TRACE_LINES[4]]);
  });

  it('a call with no end past the stale limit is closed as it stands', () => {
    const lines = [
      '1796170000|1796170000.1|hotline-fallback|NONE|LANGUAGE|yue|',
      '1796170100|1796170100.2|hotline-fallback|NONE|ENTERQUEUE||13800138001|1',
      '1796170120|1796170100.2|hotline-fallback|Agent 1001|RINGNOANSWER|20000',
    ];
    const { calls, pending } = assembleCalls(inputs(lines), { queue: Q, staleBefore: at(1796180000) });
    expect(pending).to.deep.equal([]);
    const [greeting, queued] = calls as [FallbackCall, FallbackCall];
    expect(callFields(greeting, settings)).to.deep.include({ outcome: 'abandoned-greeting', language: 'yue', languageSource: 'default' });
    expect(recordingFields(greeting)).to.equal(null);
    expect(callFields(queued, settings)).to.deep.include({ outcome: 'failed', failureReason: 'queue_log has no end for this call (Asterisk stopped during it?)' });
    // Not yet stale: both stay pending.
    expect(assembleCalls(inputs(lines), { queue: Q, staleBefore: at(1796170000) }).pending).to.deep.equal(lines);
  });

  it('language key, the agent hanging up first, the wait limit, a transfer; other queues are ignored', () => {
    const lines = [
      '1796170000|1796170000.1|hotline-fallback|NONE|LANGUAGE|cmn|2',
      '1796170001|1796170000.1|hotline-fallback|NONE|ENTERQUEUE||13800138002|1',
      '1796170003|1796170000.1|hotline-fallback|Agent 1003|CONNECT|2|1796170001.5|2',
      '1796170033|1796170000.1|hotline-fallback|Agent 1003|COMPLETEAGENT|2|30|1',
      '1796170100|1796170100.2|hotline-fallback|NONE|ENTERQUEUE||13800138003|1',
      '1796170400|1796170100.2|hotline-fallback|NONE|EXITWITHTIMEOUT|1|1|300',
      '1796170500|1796170500.3|hotline-fallback|NONE|ENTERQUEUE||13800138004|1',
      '1796170505|1796170500.3|hotline-fallback|Agent 1004|CONNECT|5|1796170503.7|2',
      '1796170565|1796170500.3|hotline-fallback|Agent 1004|BLINDTRANSFER|8001|agents|5|60|1',
      '1796170600|1796170600.4|sales|NONE|ENTERQUEUE||13800138005|1',
    ];
    const { calls, pending } = assembleCalls(inputs(lines), { queue: Q });
    expect(pending).to.deep.equal([]);
    const docs = calls.map((c) => callFields(c, settings));
    expect(docs.map((d) => d.callId)).to.deep.equal(['fallback-1796170000.1', 'fallback-1796170100.2', 'fallback-1796170500.3']);
    expect(docs[0]).to.deep.include({ language: 'cmn', languageSource: 'dtmf', outcome: 'answered', hangupBy: 'agent', agentHungUpFirst: true, agentWorkNumber: '1003' });
    expect(docs[0]!.arrivedAt).to.deep.equal(at(1796170000));
    expect(docs[0]!.queuedAt).to.deep.equal(at(1796170001));
    expect(docs[1]).to.deep.include({ outcome: 'failed', hangupBy: 'system', failureReason: 'fallback queue: nobody answered within the longest wait' });
    expect(docs[2]).to.deep.include({ outcome: 'answered', agentWorkNumber: '1004' });
  });
});

describe('fallback import: reading queue_log', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'queue-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads whole lines only, from where it stopped, in steps of at most maxBytes', async () => {
    const file = join(dir, 'queue_log');
    writeFileSync(file, `${TRACE_LINES[0]}\n${TRACE_LINES[1]}\n1796162587|1796162565.15|hot`);
    const a = (await readLogChunk(file, null, 1 << 20))!;
    expect(a.lines).to.deep.equal(TRACE_LINES.slice(0, 2));
    expect(a.atEnd).to.equal(false);
    expect((await readLogChunk(file, a.next, 1 << 20))!.lines).to.deep.equal([]);
    appendFileSync(file, `line-fallback|Agent 1002|CONNECT|22|1796162586.17|1\n${TRACE_LINES[3]}\n`);
    const b = (await readLogChunk(file, a.next, 1 << 20))!;
    expect(b.lines).to.deep.equal([TRACE_LINES[2], TRACE_LINES[3]]);
    expect(b.atEnd).to.equal(true);
    // Small steps: one line at a time, nothing lost.
    const seen: string[] = [];
    let pos: LogPosition | null = null;
    for (let i = 0; i < 10; i++) {
      const c: LogChunk = (await readLogChunk(file, pos, 60))!;
      seen.push(...c.lines);
      pos = c.next;
      if (c.atEnd) break;
    }
    expect(seen).to.deep.equal(TRACE_LINES.slice(0, 4));
    expect(await readLogChunk(join(dir, 'missing'), null, 100)).to.equal(null);
  });

  it('after a rotation finishes the renamed file, then reads the new one; a truncated file is read from its start', async () => {
    const file = join(dir, 'queue_log');
    writeFileSync(file, `${TRACE_LINES[0]}\n`);
    const a = (await readLogChunk(file, null, 1 << 20))!;
    appendFileSync(file, `${TRACE_LINES[1]}\n`);
    renameSync(file, `${file}.0`);
    writeFileSync(file, `${TRACE_LINES[2]}\n`);
    const b = (await readLogChunk(file, a.next, 1 << 20))!;
    expect(b.lines).to.deep.equal([TRACE_LINES[1]]);
    expect(b.atEnd).to.equal(false);
    const c = (await readLogChunk(file, b.next, 1 << 20))!;
    expect(c.lines).to.deep.equal([TRACE_LINES[2]]);
    expect(c.lostRotated).to.equal(undefined);

    truncateSync(file, 0);
    appendFileSync(file, `${TRACE_LINES[3]}\n`);
    expect((await readLogChunk(file, { ...c.next, offset: c.next.offset + 100 }, 1 << 20))!.lines).to.deep.equal([TRACE_LINES[3]]);

    // The rotated file is gone (compressed, deleted): the new file from its start, and the loss reported.
    rmSync(`${file}.0`);
    const lost = (await readLogChunk(file, { inode: a.next.inode, offset: 5 }, 1 << 20))!;
    expect(lost.lostRotated).to.equal(true);
    expect(lost.lines).to.deep.equal([TRACE_LINES[3]]);
  });
});

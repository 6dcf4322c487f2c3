import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { shanghaiDay } from '../../core/time';
import { DEPARTMENT_FOR_CATEGORY, WORK_ORDER_CATEGORIES } from '../../models/enums';
import type { RecordingLink, WorkOrderView } from '../../contracts';
import { BoardService } from '../../supervisor-board/board-service';
import { ConsoleNode } from '../helpers/console-node';

describe('REST: work orders and recordings', function () {
  this.timeout(30_000);
  let n: ConsoleNode;

  before(async () => {
    n = await ConsoleNode.start({ ASTERISK_MONITOR_DIR: mkdtempSync(join(tmpdir(), 'hotline-monitor-')) });
  });
  after(async () => n?.stop());

  const req = async (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${n.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  describe('POST /api/work-orders', () => {
    it('routes every one of the 15 categories to its department; only a burst main is an emergency', async () => {
      const token = await n.token('2001');
      for (const category of WORK_ORDER_CATEGORIES) {
        const res = await req('POST', '/api/work-orders', token, {
          category,
          contactPhone: '13900001111',
          address: '南城区滨江路8号',
          description: `测试 ${category}`,
          ...(['leak', 'fault', 'pipe_burst'].includes(category) ? { leak: { location: '滨江路8号门前' } } : {}),
        });
        expect(res.status, category).to.equal(201);
        const wo = (await res.json()) as WorkOrderView;
        expect(wo.department, category).to.equal(DEPARTMENT_FOR_CATEGORY[category]);
        expect(wo.emergency, category).to.equal(category === 'pipe_burst');
        expect(wo.createdBy).to.equal('2001');
      }
      const expected: Record<string, string> = { leak: 'engineering', pressure: 'production', water_quality: 'safety_tech', complaint: 'business', after_meter_repair: 'engineering', quality: 'business' };
      for (const [c, d] of Object.entries(expected)) expect(DEPARTMENT_FOR_CATEGORY[c as keyof typeof DEPARTMENT_FOR_CATEGORY]).to.equal(d);
    });

    it('numbers orders WO<yyyymmdd>-<seq> from one atomic counter: 30 concurrent creations, 30 distinct consecutive numbers', async () => {
      const token = await n.token('1002');
      const res = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          req('POST', '/api/work-orders', token, { category: 'inquiry', contactPhone: '13900002222', address: '北城区北京路1号', description: `咨询 ${i}` }),
        ),
      );
      const numbers = await Promise.all(res.map(async (r) => ((await r.json()) as WorkOrderView).number));
      const day = shanghaiDay().compact;
      for (const num of numbers) expect(num).to.match(new RegExp(`^WO${day}-\\d{4}$`));
      const seqs = numbers.map((x) => Number(x.split('-')[1])).sort((a, b) => a - b);
      expect(new Set(seqs).size).to.equal(30);
      expect(seqs[29]! - seqs[0]!).to.equal(29);
    });

    it('catches up when the Redis counter was lost (duplicate number → next free one)', async () => {
      const day = shanghaiDay().compact;
      await n.node.redis.del(`${n.live.acd.keys.p}:wo-seq:${day}`);
      const res = await req('POST', '/api/work-orders', await n.token('2001'), { category: 'billing', contactPhone: '13900003333', address: '东城区', description: '水费疑问' });
      expect(res.status).to.equal(201);
      const wo = (await res.json()) as WorkOrderView;
      const max = await n.node.models.WorkOrder.countDocuments({ number: new RegExp(`^WO${day}-`) });
      expect(Number(wo.number.split('-')[1])).to.equal(max);
    });

    it('validates the body and lists orders by role: agents their own, departments theirs', async () => {
      const bad = await req('POST', '/api/work-orders', await n.token('2001'), { category: 'leak', contactPhone: 'x', address: '', description: '' });
      expect(bad.status).to.equal(400);
      const fields = ((await bad.json()) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field);
      expect(fields).to.include.members(['contactPhone', 'address', 'description']);

      const mine = (await (await req('GET', '/api/work-orders?limit=200', await n.token('1002'))).json()) as WorkOrderView[];
      expect(mine.length).to.equal(30);
      expect(mine.every((o) => o.createdBy === '1002')).to.equal(true);
      const eng = (await (await req('GET', '/api/work-orders?limit=200', await n.token('3001'))).json()) as WorkOrderView[];
      expect(eng.length).to.be.greaterThan(0);
      expect(eng.every((o) => o.department === 'engineering')).to.equal(true);
      const one = await req('GET', `/api/work-orders/${eng[0]!.number}`, await n.token('1002'));
      expect(one.status).to.equal(403);
    });
  });

  describe('GET /api/recordings/:name', () => {
    const callId = randomUUID();
    const name = `call-${callId}`;
    const wav = Buffer.alloc(44 + 16_000, 7);

    before(async () => {
      writeFileSync(join(n.config.RECORDINGS_DIR, `${name}.wav`), wav);
      writeFileSync(join(n.config.RECORDINGS_DIR, '..', 'secret.wav'), 'do not serve');
      await n.node.models.Call.create({ callId, node: 'a', callerChannelId: `ch-${callId}`, callerNumber: '13900004444', dialledNumber: '952525', state: 'ended', outcome: 'answered', agentWorkNumber: '1001', arrivedAt: new Date(), recordingName: name });
      await n.node.models.Recording.create({ name, callId, format: 'wav', file: `${name}.wav`, startedAt: new Date(), state: 'done' });
    });

    it('streams the wav to a supervisor, with HTTP range requests', async () => {
      const token = await n.token('2001');
      const full = await req('GET', `/api/recordings/${name}`, token);
      expect(full.status).to.equal(200);
      expect(full.headers.get('content-type')).to.equal('audio/wav');
      expect(full.headers.get('accept-ranges')).to.equal('bytes');
      expect(Buffer.from(await full.arrayBuffer()).equals(wav)).to.equal(true);
      const part = await req('GET', `/api/recordings/${name}.wav`, token, undefined, { range: 'bytes=100-199' });
      expect(part.status).to.equal(206);
      expect(part.headers.get('content-range')).to.equal(`bytes 100-199/${wav.length}`);
      expect((await part.arrayBuffer()).byteLength).to.equal(100);
      const tail = await req('GET', `/api/recordings/${name}`, token, undefined, { range: 'bytes=-44' });
      expect(tail.status).to.equal(206);
      const beyond = await req('GET', `/api/recordings/${name}`, token, undefined, { range: `bytes=${wav.length + 10}-` });
      expect(beyond.status).to.equal(416);
    });

    it('gives the player a short-lived link bound to that one file', async () => {
      const link = (await (await req('GET', `/api/recordings/${name}/link`, await n.token('9001'))).json()) as RecordingLink;
      expect(link.url).to.match(new RegExp(`^/api/recordings/${name}\\.wav\\?grant=`));
      const viaLink = await fetch(`${n.url}${link.url}`, { headers: { range: 'bytes=0-43' } });
      expect(viaLink.status).to.equal(206);
      // The grant is for this name only.
      const other = `call-${randomUUID()}`;
      writeFileSync(join(n.config.RECORDINGS_DIR, `${other}.wav`), wav);
      const grant = new URL(link.url, n.url).searchParams.get('grant');
      expect((await fetch(`${n.url}/api/recordings/${other}?grant=${grant}`)).status).to.equal(401);
      expect((await fetch(`${n.url}/api/recordings/${name}?grant=forged`)).status).to.equal(401);
    });

    it('an agent may play the calls they answered, not others', async () => {
      expect((await req('GET', `/api/recordings/${name}/link`, await n.token('1001'))).status).to.equal(200);
      expect((await req('GET', `/api/recordings/${name}`, await n.token('1001'), undefined, { range: 'bytes=0-1' })).status).to.equal(206);
      expect((await req('GET', `/api/recordings/${name}/link`, await n.token('1002'))).status).to.equal(403);
      expect((await req('GET', `/api/recordings/${name}`, await n.token('1002'))).status).to.equal(403);
      expect((await req('GET', `/api/recordings/${name}`, await n.token('3001'))).status).to.equal(403);
      expect((await req('GET', `/api/recordings/${name}`)).status).to.equal(401);
    });

    it('plays a call of the dialplan fallback (MixMonitor file, a dot in its name) from the monitor directory: supervisors and admins, not other agents', async () => {
      const uniqueid = '1796162565.15';
      const fname = `fallback-${uniqueid}`;
      const fwav = Buffer.alloc(44 + 8_000, 3);
      writeFileSync(join(n.config.ASTERISK_MONITOR_DIR, `${fname}.wav`), fwav);
      const at = new Date();
      await n.node.models.Call.create({ callId: fname, node: 'asterisk', callerChannelId: uniqueid, callerNumber: '13900005555', dialledNumber: '952525', state: 'ended', outcome: 'answered', agentWorkNumber: '1003', arrivedAt: at, queuedAt: at, endedAt: at, recordingName: fname, fallback: true });
      await n.node.models.Recording.create({ name: fname, callId: fname, format: 'wav', file: `${fname}.wav`, startedAt: at, endedAt: at, state: 'done' });

      const part = await req('GET', `/api/recordings/${fname}.wav`, await n.token('2001'), undefined, { range: 'bytes=0-99' });
      expect(part.status).to.equal(206);
      expect(part.headers.get('content-type')).to.equal('audio/wav');
      expect(part.headers.get('content-range')).to.equal(`bytes 0-99/${fwav.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(fwav.subarray(0, 100))).to.equal(true);
      const link = (await (await req('GET', `/api/recordings/${fname}/link`, await n.token('9001'))).json()) as RecordingLink;
      expect(link.url).to.match(/^\/api\/recordings\/fallback-1796162565\.15\.wav\?grant=/);
      expect((await fetch(`${n.url}${link.url}`, { headers: { range: 'bytes=44-' } })).status).to.equal(206);

      // Role-checked as every recording: the agent who answered it may, another may not.
      expect((await req('GET', `/api/recordings/${fname}`, await n.token('1003'), undefined, { range: 'bytes=0-1' })).status).to.equal(206);
      expect((await req('GET', `/api/recordings/${fname}/link`, await n.token('1002'))).status).to.equal(403);
      expect((await req('GET', `/api/recordings/${fname}.wav`, await n.token('1002'), undefined, { range: 'bytes=0-99' })).status).to.equal(403);

      // Read from the monitor directory only: a file of such a name in RECORDINGS_DIR is not served.
      writeFileSync(join(n.config.RECORDINGS_DIR, 'fallback-1796162596.18.wav'), fwav);
      expect((await req('GET', '/api/recordings/fallback-1796162596.18', await n.token('2001'))).status).to.equal(404);

      // The board's list of today's calls marks it as the fallback queue's.
      const board = await new BoardService({ models: n.node.models, acd: n.live.acd, serviceLevelMs: 20_000 }).snapshot();
      expect(board.recentCalls.find((c) => c.callId === fname)).to.include({ fallback: true, recordingName: fname });
    });

    it('never leaves the recordings directory, whatever the name', async () => {
      const token = await n.token('2001');
      writeFileSync(join(n.config.ASTERISK_MONITOR_DIR, '..', 'fallback-1.1.wav'), 'do not serve');
      for (const bad of ['..%2Fsecret.wav', '%2E%2E%2Fsecret', '..', '.wav', 'secret%00.wav', '%2Fetc%2Fpasswd', '..%5Csecret.wav', '..%2Ffallback-1.1.wav', 'fallback-1.1%2F..%2F..%2Fsecret', 'fallback-1.1.1', '%2E%2E%2Ffallback-1.1']) {
        const res = await req('GET', `/api/recordings/${bad}`, token);
        expect([400, 404], bad).to.include(res.status);
        expect(await res.text(), bad).not.to.contain('do not serve');
      }
      expect((await req('GET', `/api/recordings/call-${randomUUID()}`, token)).status).to.equal(404);
    });
  });
});

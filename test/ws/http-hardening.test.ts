import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { silentWav } from '../../core/wav';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP, so headers and bodies fetch would tidy up (a bad gzip, a wrong charset, a broken path) reach the server as sent. */
function raw(url: string, o: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: o.method ?? 'GET', path: o.path, headers: o.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * What an outsider's probing found answered 500 (with a stack in the error log) or without the
 * headers a browser needs: each is now a 4xx in Chinese, and every answer carries the headers.
 */
describe('HTTP hardening: client errors are 4xx, never 500; security headers on every answer', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  let token: string;
  before(async () => {
    n = await ConsoleNode.start();
    token = await n.token('2001');
  });
  after(async () => n?.stop());

  const json = { 'content-type': 'application/json' };
  const errorOf = (a: Answer) => (JSON.parse(a.body) as { error: { code: string; zh: string } }).error;

  it('a body over 100 kB is 413, an unknown encoding or charset 415, a bad gzip 400, a broken percent-encoding 400', async () => {
    const big = await raw(n.url, { method: 'POST', path: '/api/login', headers: json, body: JSON.stringify({ workNumber: '1001', password: 'x'.repeat(200_000) }) });
    expect(big.status).to.equal(413);
    expect(errorOf(big)).to.include({ code: 'too_large', zh: '提交的内容过大，请精简后重试' });
    const encoding = await raw(n.url, { method: 'POST', path: '/api/login', headers: { ...json, 'content-encoding': 'br-x' }, body: '{}' });
    expect(encoding.status).to.equal(415);
    expect(errorOf(encoding).code).to.equal('unsupported_media');
    const charset = await raw(n.url, { method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: '{}' });
    expect(charset.status).to.equal(415);
    const gzip = await raw(n.url, { method: 'POST', path: '/api/login', headers: { ...json, 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') });
    expect(gzip.status).to.equal(400);
    // A good gzip body is read as ever.
    const zipped = await raw(n.url, { method: 'POST', path: '/api/login', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify({ workNumber: '2001', password: PASSWORD })) });
    expect(zipped.status).to.equal(200);
    for (const path of ['/api/recordings/%zz/link', '/api/work-orders/%ff%fe']) {
      const broken = await raw(n.url, { path, headers: { authorization: `Bearer ${token}` } });
      expect(broken.status, path).to.equal(400);
      expect(errorOf(broken).code, path).to.equal('bad_request');
    }
  });

  it('API answers are never cached and say what they are; pages get the CSP; no framing anywhere', async () => {
    const login = await raw(n.url, { method: 'POST', path: '/api/login', headers: json, body: JSON.stringify({ workNumber: '2001', password: PASSWORD }) });
    expect(login.status).to.equal(200);
    expect(login.headers['cache-control']).to.equal('no-store');
    expect(login.headers['x-content-type-options']).to.equal('nosniff');
    expect(login.headers['x-frame-options']).to.equal('DENY');
    expect(login.headers['x-powered-by']).to.equal(undefined);
    const page = await raw(n.url, { path: '/supervisor.html' });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).to.include("script-src 'self'").and.include("style-src 'self'").and.include("frame-ancestors 'none'").and.include("object-src 'none'");
    expect(csp).not.to.include('unsafe-inline');
    expect(page.headers['referrer-policy']).to.equal('no-referrer');
  });

  it('no credential or internal detail reaches a browser: secrets absent from every answer and console snapshot', async () => {
    const secrets = ['ari-pass-7f3a91', 'ami-secret-c2d84e', 'inbound-secret-9b1f0c77aa'];
    const node = await ConsoleNode.start({ ARI_PASSWORD: secrets[0]!, AMI_SECRET: secrets[1]!, SMS_INBOUND_SECRET: secrets[2]!, JWT_SECRET: 'jwt-secret-for-this-test-only-0123456789abcdef' });
    try {
      const admin = await node.token('9001');
      const bodies: string[] = [];
      for (const path of ['/api/openapi.json', '/healthz', '/readyz', '/api/me', '/api/alarms', '/api/history/alarms', '/api/work-orders/%zz', '/api/no-such-route']) {
        bodies.push((await raw(node.url, { path, headers: { authorization: `Bearer ${admin}` } })).body);
      }
      const page = await node.client('/admin', '9001');
      bodies.push(JSON.stringify(await page.next('health:snapshot')));
      const all = bodies.join('\n');
      for (const s of [...secrets, 'jwt-secret-for-this-test-only']) expect(all, s).not.to.include(s);
      // Errors say what happened, never where in the code: no stack frames.
      expect(all).not.to.match(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
    } finally {
      await node.stop();
    }
  });

  it('CORS: no other origin is answered unless configured; then only those (CORS_ORIGINS)', async () => {
    const preflight = (url: string, origin: string) =>
      raw(url, { method: 'OPTIONS', path: '/api/work-orders', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect((await preflight(n.url, 'http://evil.example')).headers['access-control-allow-origin']).to.equal(undefined);
    const crm = await ConsoleNode.start({ CORS_ORIGINS: 'http://crm.example:8080' });
    try {
      const ok = await preflight(crm.url, 'http://crm.example:8080');
      expect(ok.headers['access-control-allow-origin']).to.equal('http://crm.example:8080');
      expect(String(ok.headers['access-control-allow-headers'])).to.match(/authorization/i);
      expect((await preflight(crm.url, 'http://evil.example')).headers['access-control-allow-origin']).to.equal(undefined);
    } finally {
      await crm.stop();
    }
  });

  it('a range beyond a recording\'s end is 416 answered as JSON, not labelled audio/wav', async () => {
    writeFileSync(join(n.config.RECORDINGS_DIR, 'hard-1.wav'), silentWav(500));
    const whole = await raw(n.url, { path: '/api/recordings/hard-1.wav', headers: { authorization: `Bearer ${token}` } });
    expect(whole.status).to.equal(200);
    expect(whole.headers['content-type']).to.equal('audio/wav');
    const beyond = await raw(n.url, { path: '/api/recordings/hard-1.wav', headers: { authorization: `Bearer ${token}`, range: 'bytes=999999-' } });
    expect(beyond.status).to.equal(416);
    expect(beyond.headers['content-type']).to.match(/^application\/json/);
    expect(errorOf(beyond).code).to.equal('bad_range');
  });

  it('recordings resist path traversal: no variant reaches a file outside the recordings directory', async () => {
    // A WAV beside the recordings directory, which no name may reach.
    writeFileSync(join(n.config.RECORDINGS_DIR, '..', 'secret.wav'), silentWav(200));
    writeFileSync(join(n.config.RECORDINGS_DIR, 'inside.wav'), silentWav(200));
    const auth = { authorization: `Bearer ${token}` };
    const names = [
      '../secret', '../secret.wav', '..%2fsecret', '..%2Fsecret.wav', '%2e%2e%2fsecret', '%2e%2e/secret', '..%5csecret', '..\\secret',
      '....//secret', '.%2e/secret', '%252e%252e%252fsecret', '..%00/secret', 'inside.wav%00.txt', '%2fetc%2fpasswd', '..%2f..%2f..%2fetc%2fpasswd',
      '.secret', 'inside/..', 'inside%2f..%2f..%2fsecret', '%c0%ae%c0%ae%2fsecret', '..;/secret',
    ];
    const served: string[] = [];
    for (const name of names) {
      for (const path of [`/api/recordings/${name}`, `/api/recordings/${name}/link`]) {
        const a = await raw(n.url, { path, headers: auth });
        if (a.status < 400 || a.status >= 500) served.push(`${path}: ${a.status}`);
      }
    }
    expect(served).to.deep.equal([]);
    // The file inside is served: the refusals above are not a broken route.
    expect((await raw(n.url, { path: '/api/recordings/inside.wav', headers: auth })).status).to.equal(200);
  });

  it('every listen is audited (who, which call, when): a player opened, a file fetched; refusals leave no entry; admins read it', async () => {
    const { Call, Recording, RecordingAccess } = n.node.models;
    const callId = '0b6f3c52-1c1a-4c1e-9a55-5a6a1b2c3d4e';
    await Call.create({ callId, node: 'a', callerChannelId: 'ch-aud', callerNumber: '13912340000', dialledNumber: '952525', state: 'ended', arrivedAt: new Date(), agentWorkNumber: '1001' });
    await Recording.create({ name: 'aud-1', callId, format: 'wav', file: 'aud-1.wav', startedAt: new Date(), state: 'done' });
    writeFileSync(join(n.config.RECORDINGS_DIR, 'aud-1.wav'), silentWav(500));
    await RecordingAccess.deleteMany({});
    const as = async (wn: string) => ({ authorization: `Bearer ${await n.token(wn)}` });

    // Another agent may not listen: refused, and nothing is recorded.
    expect((await raw(n.url, { path: '/api/recordings/aud-1/link', headers: await as('1002') })).status).to.equal(403);
    expect(await RecordingAccess.countDocuments({})).to.equal(0);
    // The supervisor opens the player; the answering agent fetches the file, then seeks (not a new listen).
    expect((await raw(n.url, { path: '/api/recordings/aud-1/link', headers: await as('2001') })).status).to.equal(200);
    expect((await raw(n.url, { path: '/api/recordings/aud-1.wav', headers: await as('1001') })).status).to.equal(200);
    expect((await raw(n.url, { path: '/api/recordings/aud-1.wav', headers: { ...(await as('1001')), range: 'bytes=100-' } })).status).to.equal(206);

    const listed = await raw(n.url, { path: '/api/audit/recordings', headers: await as('9001') });
    expect(listed.status).to.equal(200);
    const entries = JSON.parse(listed.body) as Array<{ workNumber: string; via: string; callId: string | null; recording: string; at: number }>;
    expect(entries.map((e) => [e.workNumber, e.via, e.callId, e.recording])).to.deep.equal([
      ['1001', 'download', callId, 'aud-1'],
      ['2001', 'play', callId, 'aud-1'],
    ]);
    expect(entries[0]!.at).to.be.closeTo(Date.now(), 60_000);
    // Filtered by who; and only admins read it.
    expect(JSON.parse((await raw(n.url, { path: '/api/audit/recordings?workNumber=2001', headers: await as('9001') })).body)).to.have.length(1);
    expect((await raw(n.url, { path: '/api/audit/recordings', headers: await as('2001') })).status).to.equal(403);
    expect((await raw(n.url, { path: '/api/audit/recordings' })).status).to.equal(401);
  });
});

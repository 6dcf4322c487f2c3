import { request } from 'node:http';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { TokenService } from '../../auth/token-service';
import type { AgentSnapshot } from '../../contracts';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';
import { ConsoleClient, refusal } from '../helpers/consoles';

describe('console log-in and namespace authorisation', function () {
  this.timeout(30_000);
  let n: ConsoleNode;

  before(async () => {
    n = await ConsoleNode.start();
  });
  after(async () => n?.stop());

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${n.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  /** A log-in from another client address: Linux answers the whole of 127/8, so the socket is bound to 127.0.0.x. */
  const loginFrom = (localAddress: string, body: unknown) =>
    new Promise<{ status: number; body: { error?: { zh?: string; code?: string } } }>((resolve, reject) => {
      const url = new URL('/api/login', n.url);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
        let raw = '';
        res.on('data', (c: Buffer) => (raw += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(raw) as { error?: { zh?: string } } }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });

  it('退出登录 revokes the token on every process: refused at once, its sockets closed; the user\'s other sessions live on', async () => {
    const other = await ConsoleNode.start({}, n.config);
    try {
      const a = await (await post('/api/login', { workNumber: '1003', password: PASSWORD })).json() as { token: string };
      const b = await (await post('/api/login', { workNumber: '1003', password: PASSWORD })).json() as { token: string };
      const onOther = new ConsoleClient(other.url, '/agent', a.token);
      await onOther.connect();
      await onOther.next('session:snapshot');
      const out = await post('/api/logout', {}, a.token);
      expect(out.status).to.equal(200);
      const me = (t: string, url = n.url) => fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${t}` } });
      const refused = await me(a.token);
      expect(refused.status).to.equal(401);
      expect(((await refused.json()) as { error: { zh: string } }).error.zh).to.equal('已退出登录，请重新登录');
      // The other process heard it: its socket of that token is told and closed, and the token is refused there too.
      await onOther.next('session:expired');
      await new Promise<void>((resolve) => (onOther.socket.connected ? onOther.raw.once('disconnect', () => resolve()) : resolve()));
      expect((await me(a.token, other.url)).status).to.equal(401);
      // The same agent's other session (another tab) is untouched.
      expect((await me(b.token)).status).to.equal(200);
      expect((await me(b.token, other.url)).status).to.equal(200);
    } finally {
      // The database is the first node's too: only this process goes.
      await other.stop({ dropDb: false });
    }
  });

  describe('POST /api/login', () => {
    it('answers a token, role, work number and name for a right password; the hash never leaves the server', async () => {
      const res = await post('/api/login', { workNumber: '2001', password: PASSWORD });
      expect(res.status).to.equal(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).to.include({ role: 'supervisor', workNumber: '2001', name: '班长 林国栋' });
      expect(body.token).to.be.a('string');
      expect(body).not.to.have.property('passwordHash');
      const claims = jwt.decode(body.token as string) as { exp: number; iat: number; sub: string };
      expect(claims.sub).to.equal('2001');
      expect(claims.exp - claims.iat).to.equal(n.config.TOKEN_TTL);
    });

    it('department users log in too', async () => {
      const s = await n.session('3001');
      expect(s).to.include({ role: 'department', department: 'engineering' });
    });

    it('refuses a wrong password and an unknown work number alike (401), and bad input (400)', async () => {
      expect((await post('/api/login', { workNumber: '1001', password: 'nope' })).status).to.equal(401);
      expect((await post('/api/login', { workNumber: '7777', password: PASSWORD })).status).to.equal(401);
      const bad = await post('/api/login', { workNumber: '1; drop', password: '' });
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal('validation');
    });

    it('locks the attacker\'s address out of a work number after 10 failures (429, even for the right password), never the agent at another address', async () => {
      for (let i = 0; i < 10; i++) expect((await loginFrom('127.0.0.3', { workNumber: '1010', password: `wrong-${i}` })).status).to.equal(401);
      const locked = await loginFrom('127.0.0.3', { workNumber: '1010', password: PASSWORD });
      expect(locked.status).to.equal(429);
      expect(locked.body.error?.zh).to.equal('本机连续 10 次密码错误，已暂停登录该工号 15 分钟，请 15 分钟后再试');
      // The agent at their own desk logs in as ever.
      expect((await loginFrom('127.0.0.4', { workNumber: '1010', password: PASSWORD })).status).to.equal(200);
      // The attacker's address may still log in other work numbers.
      expect((await loginFrom('127.0.0.3', { workNumber: '1009', password: PASSWORD })).status).to.equal(200);
    });

    it('past 20 failures on a work number from many addresses, every attempt waits a growing delay: slowed, not locked', async () => {
      for (let i = 0; i < 20; i++) expect((await loginFrom(`127.0.1.${i + 1}`, { workNumber: '1007', password: 'wrong' })).status).to.equal(401);
      const slowed = await loginFrom('127.0.0.5', { workNumber: '1007', password: PASSWORD });
      expect(slowed.status).to.equal(429);
      expect(slowed.body.error?.zh).to.equal('该工号近期密码错误次数过多，请 2 秒后再试');
      // The delay lives as a Redis key expiring when it is over (2 s after the 20th failure); the test
      // drops it rather than sleeping, as its expiry would.
      const key = `{${n.config.REDIS_PREFIX}}:login-delay:1007`;
      expect(await n.node.redis.pttl(key)).to.be.within(1, 2000);
      await n.node.redis.del(key);
      expect((await loginFrom('127.0.0.5', { workNumber: '1007', password: PASSWORD })).status).to.equal(200);
    });
  });

  describe('REST routes check token and role', () => {
    it('401 without or with a forged token, 403 for the wrong role', async () => {
      const order = { category: 'inquiry', contactPhone: '13900000000', address: '东城区', description: '咨询' };
      expect((await post('/api/work-orders', order)).status).to.equal(401);
      const forged = jwt.sign({ name: 'x', role: 'admin' }, 'not-the-secret-not-the-secret-not-the-secret', {
        subject: '9001',
        issuer: 'hotline-cti',
        audience: 'hotline-console',
        expiresIn: 60,
      });
      expect((await post('/api/work-orders', order, forged)).status).to.equal(401);
      expect((await post('/api/work-orders', order, await n.token('3001'))).status).to.equal(403);
      const alarms = await fetch(`${n.url}/api/alarms`, { headers: { authorization: `Bearer ${await n.token('1001')}` } });
      expect(alarms.status).to.equal(403);
      const ok = await fetch(`${n.url}/api/alarms`, { headers: { authorization: `Bearer ${await n.token('2001')}` } });
      expect(ok.status).to.equal(200);
    });

    it('an "alg: none" token is refused', async () => {
      const none = jwt.sign({ name: 'x', role: 'admin' }, '', { algorithm: 'none', subject: '9001', issuer: 'hotline-cti', audience: 'hotline-console' });
      const res = await fetch(`${n.url}/api/me`, { headers: { authorization: `Bearer ${none}` } });
      expect(res.status).to.equal(401);
    });
  });

  describe('Socket.IO namespaces', () => {
    const tryConnect = async (nsp: '/agent' | '/supervisor' | '/admin', token: string | undefined) => refusal(new ConsoleClient(n.url, nsp, token));

    it('refuse a missing, garbage, forged or expired token (unauthorized)', async () => {
      expect(await tryConnect('/agent', undefined)).to.include({ code: 'unauthorized' });
      expect(await tryConnect('/supervisor', 'garbage')).to.include({ code: 'unauthorized' });
      const forged = jwt.sign({ name: 'x', role: 'admin' }, 'another-secret-another-secret-another-secret', {
        subject: '9001',
        issuer: 'hotline-cti',
        audience: 'hotline-console',
        expiresIn: 60,
      });
      expect(await tryConnect('/admin', forged)).to.include({ code: 'unauthorized' });
      const expired = jwt.sign({ name: 'x', role: 'admin', exp: Math.floor(Date.now() / 1000) - 10 }, n.config.JWT_SECRET, {
        subject: '9001',
        issuer: 'hotline-cti',
        audience: 'hotline-console',
      });
      expect(await tryConnect('/admin', expired)).to.deep.equal({ code: 'unauthorized', message: 'token expired' });
    });

    it('refuse the wrong role (forbidden): agents only on /agent, supervisors not on /admin, nobody else on /agent', async () => {
      expect(await tryConnect('/supervisor', await n.token('1001'))).to.include({ code: 'forbidden' });
      expect(await tryConnect('/admin', await n.token('1001'))).to.include({ code: 'forbidden' });
      expect(await tryConnect('/admin', await n.token('2001'))).to.include({ code: 'forbidden' });
      expect(await tryConnect('/agent', await n.token('2001'))).to.include({ code: 'forbidden' });
      expect(await tryConnect('/agent', await n.token('3001'))).to.include({ code: 'forbidden' });
      expect(await tryConnect('/supervisor', await n.token('3001'))).to.include({ code: 'forbidden' });
    });

    it('accept the right roles: agent on /agent, supervisor and admin on /supervisor, admin on /admin', async () => {
      const agent = await n.client('/agent', '1001');
      const snap = await agent.next<AgentSnapshot>('session:snapshot');
      expect(snap.me).to.deep.include({ workNumber: '1001', languages: ['yue'] });
      await n.client('/supervisor', '2001');
      await n.client('/supervisor', '9001');
      await n.client('/admin', '9001');
    });

    it('an agent made inactive cannot connect any more, even with a valid token', async () => {
      const token = await n.token('1008');
      await n.node.models.Agent.updateOne({ workNumber: '1008' }, { $set: { active: false } });
      expect(await tryConnect('/agent', token)).to.include({ code: 'unauthorized' });
      await n.node.models.Agent.updateOne({ workNumber: '1008' }, { $set: { active: true } });
    });

    it('a token that expires while connected ends the session with session:expired', async () => {
      const short = new TokenService(n.config.JWT_SECRET, 1).issue({ workNumber: '1002', name: '李婉婷', role: 'agent' });
      const c = new ConsoleClient(n.url, '/agent', short.token);
      n.clients.push(c);
      await c.connect();
      const disconnected = new Promise<string>((r) => c.raw.once('disconnect', r));
      await c.next('session:expired', () => true, { timeoutMs: 5000 });
      expect(await disconnected).to.equal('io server disconnect');
    });
  });
});

import { expect } from 'chai';
import { SelfCheck, type SelfCheckDeps } from '../../cti/health/self-check';
import type { TestCallResult } from '../../cti/health/test-call';

const HAN = /\p{Script=Han}/u;

interface World {
  ariUp: boolean;
  apps: string[];
  amiState: 'connected' | 'connecting' | 'disconnected';
  trunkRegistered: boolean;
  phones: Array<{ extension: string; reachable: boolean }>;
  loggedIn: Array<{ workNumber: string; extension: string; state: string }>;
  pong: string;
  mongoUp: boolean;
  testCall: TestCallResult;
  redisHangs?: boolean;
}

/** The self-check over fakes: each item's English `detail` (logs, API) and Chinese `zh` (admin page). */
function selfCheck(w: World): SelfCheck {
  const deps = {
    ari: { connected: w.ariUp, ping: async () => undefined, applications: async () => w.apps },
    ami: { state: w.amiState, lastError: w.amiState === 'connected' ? undefined : new Error('connect ECONNREFUSED 127.0.0.1:5038'), action: async () => ({}) },
    pbx: { snapshot: () => ({ trunk: { registered: w.trunkRegistered, registrations: [{}] }, phones: w.phones }) },
    acd: { agents: async () => w.loggedIn, unreachablePhones: async () => w.phones.filter((p) => !p.reachable).map((p) => p.extension) },
    redis: { ping: () => (w.redisHangs ? new Promise<string>(() => undefined) : Promise.resolve(w.pong)) },
    mongo: { db: w.mongoUp ? { admin: () => ({ ping: async () => ({ ok: 1 }) }) } : undefined },
    testCall: { run: async () => w.testCall },
    appPattern: /^hotline(-|$)/,
    itemTimeoutMs: 200,
  };
  return new SelfCheck(deps as unknown as SelfCheckDeps);
}

const healthy: World = {
  ariUp: true,
  apps: ['hotline-a', 'hotline-b', 'other'],
  amiState: 'connected',
  trunkRegistered: true,
  phones: [
    { extension: '1001', reachable: true },
    { extension: '1002', reachable: true },
  ],
  loggedIn: [{ workNumber: '1001', extension: '1001', state: 'ready' }],
  pong: 'PONG',
  mongoUp: true,
  testCall: { ok: true, channelId: 'c', detail: 'answered by the hotline app, greeting played, hung up', zh: '热线应用已接听并播放欢迎语，随后挂断' },
};

describe('self-check details: English for logs, Chinese for the admin page', () => {
  it('a healthy hotline: every item says in Chinese what was found, the English stays in `detail`', async () => {
    const items = await selfCheck(healthy).run();
    const by = Object.fromEntries(items.map((i) => [i.item, i]));
    expect(items.every((i) => i.ok)).to.equal(true);
    expect(by.ari).to.include({ detail: 'apps registered: hotline-a, hotline-b', zh: '已注册热线应用 2 个（hotline-a、hotline-b）' });
    expect(by.redis).to.include({ detail: 'PING → PONG', zh: '应答正常' });
    expect(by.trunk).to.include({ detail: 'carrier trunk registered', zh: '运营商中继已注册' });
    expect(by['agent-phones']!.zh).to.equal('2 部话机可达；已登录的 1 名坐席话机均可达');
    for (const i of items) expect(i.zh, i.item).to.match(HAN);
  });

  it('failures are Chinese too, the unexpected and the timed out included', async () => {
    const items = await selfCheck({
      ...healthy,
      ariUp: false,
      amiState: 'disconnected',
      trunkRegistered: false,
      phones: [{ extension: '1001', reachable: false }],
      mongoUp: false,
      redisHangs: true,
      testCall: { ok: false, channelId: 'c', detail: 'no CTI process took the call (dialplan or Stasis broken)', zh: '没有 CTI 进程接起测试电话（拨号方案或 Stasis 故障）' },
    }).run();
    const by = Object.fromEntries(items.map((i) => [i.item, i]));
    expect(items.some((i) => i.ok)).to.equal(false);
    expect(by.ari).to.include({ detail: 'events socket not connected', zh: '事件连接已断开' });
    expect(by.ami!.detail).to.contain('ECONNREFUSED');
    expect(by.ami!.zh).to.equal('未连接');
    expect(by.trunk!.zh).to.equal('运营商中继未注册');
    expect(by['agent-phones']!.zh).to.equal('已登录坐席的话机不可达：工号 1001（分机 1001）');
    expect(by.redis).to.include({ detail: 'redis timed out after 200 ms' });
    expect(by.redis!.zh).to.equal('200 毫秒内无响应');
    expect(by.mongodb!.zh).to.equal('未连接');
    expect(by['test-call']!.zh).to.match(/^没有 CTI 进程/);
    for (const i of items) expect(i.zh, i.item).to.match(HAN);
  });
});

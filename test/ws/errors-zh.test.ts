import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { errorBodySchema, type Ack, type AckError, type AgentSnapshot, type AgentStateView, type ErrorBody, type WorkOrderView } from '../../contracts';
import { ConsoleNode } from '../helpers/console-node';

/** A text a person could read: at least one Chinese character (never English only). */
const HAN = /\p{Script=Han}/u;

/**
 * The error contract end to end: every refusal, REST or socket, keeps its English `message` for
 * logs and API users and carries `zh` (and `zh` per field) for the person at the console.
 */
describe('errors in Chinese over REST and the sockets', function () {
  this.timeout(30_000);
  let n: ConsoleNode;

  before(async () => {
    n = await ConsoleNode.start();
  });
  after(async () => n?.stop());

  const post = async (path: string, body: unknown, token?: string, raw = false) =>
    fetch(`${n.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: raw ? String(body) : JSON.stringify(body),
    });

  /** The error body, checked against the documented contract (zh is required there). */
  async function errorOf(res: Response, status: number): Promise<AckError> {
    expect(res.status).to.equal(status);
    const body = (await res.json()) as ErrorBody;
    expect(errorBodySchema.safeParse(body).success, JSON.stringify(body)).to.equal(true);
    expect(body.error.zh, body.error.message).to.match(HAN);
    for (const d of body.error.details ?? []) expect(d.zh, `${d.field}: ${d.message}`).to.match(HAN);
    return body.error;
  }

  describe('REST', () => {
    it('POST /api/work-orders with bad input: English message, Chinese zh naming each field', async () => {
      const err = await errorOf(await post('/api/work-orders', { category: 'leak', contactPhone: 'x', address: '', description: '' }, await n.token('2001')), 400);
      expect(err.code).to.equal('validation');
      expect(err.message).to.contain('contactPhone: a valid contact number is required');
      const zh = Object.fromEntries((err.details ?? []).map((d) => [d.field, d.zh]));
      expect(zh).to.deep.include({ address: '请填写地址', description: '请填写情况描述', 'leak.location': '报漏、报障和爆管须填写具体位置' });
      expect(zh.contactPhone).to.match(/^联系电话格式不正确/);
      expect(err.zh).to.contain('请填写情况描述').and.contain('联系电话格式不正确');
    });

    it('refuses a 5,500-character description with a Chinese message and stores nothing (no silent cut to 4,000)', async () => {
      const before = await n.node.models.WorkOrder.countDocuments();
      const err = await errorOf(
        await post('/api/work-orders', { category: 'inquiry', contactPhone: '13900001111', address: '东城区东风路 12 号', description: '水'.repeat(5500) }, await n.token('2001')),
        400,
      );
      expect(err.details).to.deep.equal([{ field: 'description', message: 'Too big: expected string to have <=4000 characters', zh: '情况描述不能超过 4000 字' }]);
      expect(await n.node.models.WorkOrder.countDocuments()).to.equal(before);
    });

    it('not found, unknown route and bad JSON answer in Chinese too', async () => {
      const token = await n.token('2001');
      const nf = await errorOf(await fetch(`${n.url}/api/work-orders/WO20990101-0001`, { headers: { authorization: `Bearer ${token}` } }), 404);
      expect(nf).to.include({ code: 'not_found', message: 'work order WO20990101-0001 not found', zh: '工单 WO20990101-0001 不存在' });
      expect((await errorOf(await fetch(`${n.url}/api/nothing-here`), 404)).zh).to.equal('未找到相关记录');
      expect((await errorOf(await post('/api/work-orders', '{"category":', token, true), 400)).code).to.equal('bad_json');
      const noToken = await errorOf(await fetch(`${n.url}/api/work-orders`), 401);
      expect(noToken.zh).to.equal('登录已失效，请重新登录');
    });

    it('log-in: wrong passwords warn before the lock; the lock says how long it lasts', async () => {
      const wrong = () => post('/api/login', { workNumber: '1008', password: 'not-the-password' });
      expect((await errorOf(await wrong(), 401)).zh).to.equal('工号或密码错误');
      for (let i = 2; i <= 6; i++) await errorOf(await wrong(), 401);
      expect((await errorOf(await wrong(), 401)).zh).to.equal('工号或密码错误，再错 3 次本机将暂停登录该工号 15 分钟');
      await wrong();
      await wrong();
      expect((await errorOf(await wrong(), 401)).zh).to.equal('工号或密码错误，本机已暂停登录该工号 15 分钟');
      const locked = await errorOf(await post('/api/login', { workNumber: '1008', password: 'test-password' }), 429);
      expect(locked.code).to.equal('rate_limited');
      expect(locked.message).to.contain('too many failed log-ins (pair)');
      expect(locked.zh).to.equal('本机连续 10 次密码错误，已暂停登录该工号 15 分钟，请 15 分钟后再试');
      expect((await errorOf(await post('/api/login', { workNumber: '12', password: '' }), 400)).zh).to.equal('工号应为 3–6 位数字；请输入密码');
    });

    it('documents zh on the error and on each field detail (OpenAPI)', async () => {
      const doc = (await (await fetch(`${n.url}/api/openapi.json`)).json()) as { components: { schemas: Record<string, { required?: string[] }> } };
      expect(doc.components.schemas.ErrorDetail?.required).to.include.members(['code', 'message', 'zh']);
      expect(doc.components.schemas.FieldError?.required).to.include.members(['field', 'message', 'zh']);
    });
  });

  describe('socket acks', () => {
    it('work-order:create with bad input: the ack carries zh and zh per field', async () => {
      const c = await n.client('/agent', '1006');
      await c.next<AgentSnapshot>('session:snapshot');
      const r = await c.command<WorkOrderView>('work-order:create', { category: 'pipe_burst', contactPhone: '12', address: ' ', description: '漏'.repeat(4001) });
      expect(r.ok).to.equal(false);
      const err = (r as Extract<Ack<unknown>, { ok: false }>).error;
      expect(err.code).to.equal('validation');
      const zh = Object.fromEntries((err.details ?? []).map((d) => [d.field, d.zh]));
      expect(zh).to.deep.include({ address: '请填写地址', description: '情况描述不能超过 4000 字', 'leak.location': '报漏、报障和爆管须填写具体位置' });
      expect(zh.contactPhone).to.match(/^联系电话格式不正确/);
      for (const d of err.details ?? []) expect(d.message, d.field).to.not.match(HAN);
    });

    it('state commands: a missing reason and a move the state machine forbids, in Chinese', async () => {
      const c = await n.client('/agent', '1007');
      await c.next<AgentSnapshot>('session:snapshot');
      const noReason = await c.command<AgentStateView>('agent:set-state', { state: 'not_ready' });
      expect(noReason.ok).to.equal(false);
      expect((noReason as Extract<Ack<unknown>, { ok: false }>).error.zh).to.equal('请选择未就绪原因');

      const callId = randomUUID();
      await n.reserve('1007', callId);
      expect(await n.live.agents.forCall('1007', callId, 'ringing', ['reserved'])).to.equal(true);
      const busy = await c.command<AgentStateView>('agent:set-state', { state: 'offline' });
      const err = (busy as Extract<Ack<unknown>, { ok: false }>).error;
      expect(err).to.include({ code: 'conflict', message: 'cannot go offline while ringing', zh: '当前状态为「振铃」，不能切换为「离线」' });
      const decline = await c.command<AgentStateView>('agent:decline', { callId: randomUUID(), attempt: 1 });
      expect((decline as Extract<Ack<unknown>, { ok: false }>).error.zh).to.match(HAN);
    });
  });
});

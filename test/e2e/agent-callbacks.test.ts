import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openConsole } from '../helpers/browser';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';
import { monthOf } from '../../core/time';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/**
 * 回访任务 on the agent console in Chromium: a complaint resolved by its department shows up as a
 * phone callback with its time left; 回访 puts the agent Not Ready 「回访」 and opens the form; the
 * form refuses in Chinese what is missing, and the result (不满意, with the customer's words) is
 * stored, opens the follow-up order and leaves the list.
 */
describe('agent console: working a phone callback from the list to the form (Chromium)', function () {
  this.timeout(90_000);
  let n: ConsoleNode;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    n = await ConsoleNode.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await n?.stop();
  });
  afterEach(() => {
    expect(pageErrors.splice(0), 'script errors').to.deep.equal([]);
  });

  const textIn = (sel: string, wanted: string) =>
    page.waitForFunction(([s, w]) => (document.querySelector(s!)?.textContent ?? '').includes(w!), [sel, wanted] as const, { timeout: 15_000 });

  it('list → 回访 (Not Ready 回访) → form refused in Chinese until complete → recorded 不满意 with a follow-up order', async () => {
    const svc = n.node.services.workOrders;
    const user = async (wn: string) => {
      const s = await n.session(wn);
      return { workNumber: s.workNumber, name: s.name, role: s.role, ...(s.department ? { department: s.department } : {}) };
    };
    const wo = await svc.create(
      { category: 'complaint', contactName: '梁女士', contactPhone: '13912345678', address: '东风路 18 号 3 栋', description: '抄表员态度差' },
      await user('1001'),
    );
    await svc.act('accept', wo.number, await user('3101'));
    await svc.act('resolve', wo.number, await user('3101'), { result: '已约谈抄表员并向客户致歉' });
    const id = `${wo.number}.complaint`;
    const row = `#cb-${id.replace(/\./g, '-')}`;

    page = await openConsole(browser, n.url, { workNumber: '1002', password: PASSWORD, expectPath: '/agent.html' }, pageErrors);
    await page.waitForSelector(row);
    const cells = await page.locator(`${row} td`).allInnerTexts();
    expect(cells.slice(0, 4)).to.deep.equal([wo.number, '投诉回访 · 投诉', '梁女士 13912345678', '东风路 18 号 3 栋']);
    // Due 3 days after the department's 办结: just under that is left.
    expect(cells[5]).to.match(/^2 天 23 小时$|^3 天 0 小时$/);

    await page.click('#btn-ready');
    await textIn('#state', '就绪');
    await page.click(`#cb-open-${id.replace(/\./g, '-')}`);
    await textIn('#state', '未就绪 · 回访');
    expect((await n.live.acd.agent('1002'))?.state).to.equal('not_ready');
    await textIn('#cb-who', wo.number);

    // Nothing chosen: the page names what is missing, in Chinese, and sends nothing.
    await page.click('#cb-submit');
    await textIn('#cb-result', '请选择：服务质量、服务态度、工程时限、满意程度');
    expect((await n.node.models.Callback.findOne({ id }).lean())?.status).to.equal('pending');
    await page.screenshot({ path: join(ARTIFACTS, 'agent-callback-missing.png'), fullPage: true });

    await page.selectOption('#cb-serviceQuality', 'fair');
    await page.selectOption('#cb-attitude', 'unsatisfied');
    await page.selectOption('#cb-timeliness', 'satisfied');
    await page.check('input[name="cb-verdict"][value="unsatisfied"]');
    await page.fill('#cb-words', '抄表员没有上门道歉，希望再派人来解释');
    await page.screenshot({ path: join(ARTIFACTS, 'agent-callback-form.png'), fullPage: true });
    await page.click('#cb-submit');
    await textIn('#cb-result', '已生成跟进工单');
    await page.waitForSelector(row, { state: 'detached' });
    await page.screenshot({ path: join(ARTIFACTS, 'agent-callback-done.png'), fullPage: true });

    const stored = await n.node.models.Callback.findOne({ id }).lean();
    expect(stored).to.deep.include({ status: 'done', verdict: 'unsatisfied', serviceQuality: 'fair', attitude: 'unsatisfied', timeliness: 'satisfied', doneBy: '1002' });
    expect(stored?.engineeringQuality).to.equal(undefined);
    expect(stored?.customerWords).to.equal('抄表员没有上门道歉，希望再派人来解释');
    const follow = stored?.followUp?.workOrderNumber;
    expect(await page.locator('#cb-result').innerText()).to.contain(follow!);
    expect((await n.node.models.WorkOrder.findOne({ number: follow }).lean())?.linkedFrom?.callbackId).to.equal(id);
    // Still Not Ready 回访: the agent goes back to Ready when the callbacks are done.
    expect((await n.live.acd.agent('1002'))?.state).to.equal('not_ready');

    // The supervisor board's 本月回访: 营业部 completed one after-sales order, called back, not satisfied.
    const board = await openConsole(browser, n.url, { workNumber: '2001', password: PASSWORD, expectPath: '/supervisor.html' }, pageErrors, { width: 1366, height: 768 });
    await board.waitForFunction(() => (document.querySelector('#cb-month')?.textContent ?? '') !== '');
    const resolvedIn = monthOf((await n.node.models.WorkOrder.findOne({ number: wo.number }).lean())!.resolvedAt!.getTime());
    if ((await board.locator('#cb-month').innerText()) === resolvedIn) {
      const figures = await board.locator('#cb-fig-business td').allInnerTexts();
      expect(figures).to.deep.equal(['营业部', '1', '1', '100.0%', '0.0%', '0', '0', '—']);
      expect(await board.locator('#cb-fig-total td').allInnerTexts()).to.deep.equal(['合计', '1', '1', '100.0%', '0.0%', '0', '0', '—']);
    } else {
      // Resolved in the last seconds of a month (Asia/Shanghai): this month has none yet.
      expect(await board.locator('#cb-figures').innerText()).to.contain('本月暂无回访');
    }
    await board.screenshot({ path: join(ARTIFACTS, 'board-callback-figures.png') });
  });
});

/**
 * 拨打 in Chromium against the simulated PBX: the agent's phone rings first, then the customer's
 * through the trunk; the form shows each step, then how it ended, and keeps the call on the task.
 */
describe('agent console: click-to-call a callback (Chromium, simulated PBX)', function () {
  this.timeout(90_000);
  let h: PbxHarness;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await PbxHarness.start({ ready: [], trunkEndpoint: 'carrier' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('拨打 → 正在呼叫您的话机 → 通话中 → 通话已结束, the call kept on the task', async () => {
    const id = 'WO20261203-0901.complaint';
    await h.node.models.Callback.create({
      id,
      workOrderNumber: 'WO20261203-0901',
      category: 'complaint',
      department: 'business',
      reason: 'complaint',
      method: 'phone',
      phone: '13912345678',
      contactName: '梁女士',
      address: '东风路 18 号 3 栋',
      status: 'pending',
      completedAt: new Date(),
      dueBy: new Date(Date.now() + 3 * 86_400_000),
    });
    // The agent takes the phone once the console said it rings (a fixed answer time could come before
    // a loaded page showed it); the customer answers after 1 s and talks 3 s.
    h.pbx.setPhone('1003', { behaviour: { kind: 'no-answer' } });
    h.ari.setCallee('13912345678', { kind: 'answer', afterMs: 1000, hangupAfterMs: 3000 });
    const textIn = (sel: string, wanted: string) =>
      page.waitForFunction(([s, w]) => (document.querySelector(s!)?.textContent ?? '').includes(w!), [sel, wanted] as const, { timeout: 20_000 });

    const page = await openConsole(browser, h.node.url, { workNumber: '1003', password: 'test-password', expectPath: '/agent.html' }, pageErrors);
    const open = `#cb-open-${id.replace(/\./g, '-')}`;
    await page.waitForSelector(open);
    await page.click(open);
    await textIn('#state', '未就绪 · 回访');
    await page.click('#cb-dial');
    await textIn('#cb-call', '正在呼叫您的话机');
    const placed = await waitFor(async () => (await h.node.models.Call.findOne({ callbackId: id }).lean()) ?? false, { what: 'the callback call recorded' });
    h.ari.agentAnswer(`${placed.callId}-a`);
    await textIn('#cb-call', '通话中');
    await page.screenshot({ path: join(ARTIFACTS, 'agent-callback-calling.png'), fullPage: true });
    await textIn('#cb-call', '通话已结束');
    await textIn('#cb-calls', '已拨打 1 次');
    expect(await page.locator('#cb-dial').innerText()).to.equal('重拨');
    await page.screenshot({ path: join(ARTIFACTS, 'agent-callback-called.png'), fullPage: true });

    const call = await h.node.models.Call.findOne({ callbackId: id }).lean();
    expect(call).to.include({ direction: 'outbound', outcome: 'answered', agentWorkNumber: '1003', dialledNumber: '13912345678' });
    expect((await h.calls.acd.agent('1003'))?.reason).to.equal('callback');
    expect(pageErrors).to.deep.equal([]);
  });
});

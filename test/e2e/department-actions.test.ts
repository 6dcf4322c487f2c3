import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { WorkOrderView } from '../../contracts';
import { launchChromium, openConsole } from '../helpers/browser';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const HOUR = 3600_000;
/** A datetime-local value as a person in Shanghai types it. */
const shanghaiLocal = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 16);

/**
 * The engineering department's page in headless Chromium, working an order through its life:
 * 受理, 开始处理, 申请延期 (a time in the past refused in Chinese, then a good one), the leader's
 * 批准 on their own page moving the deadline on the duty user's page live, then 填写结果并办结.
 */
describe('department page in Chromium: accept, start, extension approved by the leader, resolve', function () {
  this.timeout(120_000);
  let n: ConsoleNode;
  let browser: Browser;
  let duty: Page;
  let chief: Page;
  let order: WorkOrderView;
  let burst: WorkOrderView;
  const pageErrors: string[] = [];
  afterEach(() => {
    expect(pageErrors.splice(0)).to.deep.equal([]);
  });

  const createOrder = async (body: Record<string, unknown>): Promise<WorkOrderView> => {
    const res = await fetch(`${n.url}/api/work-orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await n.token('1001')}` },
      body: JSON.stringify(body),
    });
    expect(res.status).to.equal(201);
    return (await res.json()) as WorkOrderView;
  };
  const cardOf = (page: Page, wo: WorkOrderView) => page.locator(`#wo-${wo.number}`);
  const statusOf = (page: Page, wo: WorkOrderView) => cardOf(page, wo).locator('[data-field="status"]').innerText();
  const stored = async (wo: WorkOrderView) => (await n.node.models.WorkOrder.findOne({ number: wo.number }).lean())!;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    n = await ConsoleNode.start();
    // A 4-hour limit for leaks, so the page has a completion deadline to count down.
    n.node.services.workOrders.usePorts({ times: { dueByFor: (c, at) => (c === 'leak' || c === 'pipe_burst' ? at + 4 * HOUR : null) } });
    browser = await launchChromium();
    order = await createOrder({
      category: 'leak',
      contactName: '王先生',
      contactPhone: '13912345678',
      address: '东城区东风路 8 号',
      description: '小区门口路面渗水',
      leak: { location: '东风路 8 号小区南门', pipeDiameterMm: 100, meterSide: 'before' },
    });
    burst = await createOrder({ category: 'pipe_burst', contactPhone: '13912345679', address: '西城区建设路 1 号', description: '路面冒水', leak: { location: '建设路与文明路口' } });
  });
  after(async () => {
    await browser?.close();
    await n?.stop();
  });

  it('lists the emergency first, counts down every deadline, and the duty user accepts and starts the order', async () => {
    duty = await openConsole(browser, n.url, { workNumber: '3001', password: PASSWORD, expectPath: '/department.html' }, pageErrors);
    await duty.waitForSelector(`#wo-${order.number}`);
    expect(await duty.locator('.wo-card').first().getAttribute('id')).to.equal(`wo-${burst.number}`);
    const due = cardOf(duty, order).locator('[data-deadline="due"] .left');
    await duty.waitForFunction((sel) => /剩余 3:59:\d{2}/.test(document.querySelector(sel)?.textContent ?? ''), `#wo-${order.number} [data-deadline="due"] .left`);
    const first = await due.innerText();
    // Ticking without any event from the server.
    await duty.waitForFunction(([sel, was]) => (document.querySelector(sel!)?.textContent ?? was) !== was, [`#wo-${order.number} [data-deadline="due"] .left`, first] as const);
    expect(await cardOf(duty, order).locator('[data-deadline="notice"]').innerText()).to.match(/^通知 \d{2}\/\d{2} \d{2}:\d{2} · 剩余 0[0-4]:\d{2}$/);
    // Nothing to start or resolve before it is accepted.
    expect(await cardOf(duty, order).locator('[data-act]').evaluateAll((els) => els.map((e) => e.textContent))).to.deep.equal(['受理', '申请延期', '升级']);

    await cardOf(duty, order).locator('[data-act="accept"]').click();
    await duty.waitForFunction((sel) => document.querySelector(sel)?.textContent === '已受理', `#wo-${order.number} [data-field="status"]`);
    expect(await cardOf(duty, order).locator('[data-deadline="notice"]').innerText()).to.contain('已确认');
    await cardOf(duty, order).locator('[data-act="start"]').click();
    await duty.waitForFunction((sel) => document.querySelector(sel)?.textContent === '处理中', `#wo-${order.number} [data-field="status"]`);
    const doc = await stored(order);
    expect(doc.status).to.equal('in_progress');
    expect(doc.history.map((h) => h.action)).to.include.members(['accepted', 'started']);
    await cardOf(duty, order).locator('summary', { hasText: '处理记录' }).click();
    // 待派单 when this node has no notifier wired, 已派单 when it has.
    expect(await cardOf(duty, order).locator('.wo-history li[data-action="accepted"]').innerText()).to.match(/受理 (待派单|已派单) → 已受理 · 3001$/);
    await duty.screenshot({ path: join(ARTIFACTS, 'department-actions-started.png') });
  });

  it('an extension to a time already past is refused in Chinese; a good one waits for the leader', async () => {
    await cardOf(duty, order).locator('[data-act="extend"]').click();
    await cardOf(duty, order).locator('[data-input="extensionReason"]').fill('需要夜间停水后更换阀门');
    await cardOf(duty, order).locator('[data-input="newDueBy"]').fill(shanghaiLocal(Date.now() - HOUR));
    await cardOf(duty, order).locator('[data-submit="extend"]').click();
    await duty.waitForSelector(`#wo-${order.number} .wo-buttons .error`);
    expect(await cardOf(duty, order).locator('.wo-buttons .error').innerText()).to.equal('延期后的办结时间须晚于现在');
    expect((await stored(order)).extensions).to.have.length(0);

    // The typed reason survived the refusal; only the time is changed.
    expect(await cardOf(duty, order).locator('[data-input="extensionReason"]').inputValue()).to.equal('需要夜间停水后更换阀门');
    await cardOf(duty, order).locator('[data-input="newDueBy"]').fill(shanghaiLocal(order.dueBy! + 20 * HOUR));
    await cardOf(duty, order).locator('[data-submit="extend"]').click();
    await duty.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '').includes('等待负责人审批'), `#wo-${order.number} .act-ok`);
    expect((await stored(order)).extensions.map((e) => e.status)).to.deep.equal(['pending']);
    // A duty user is not the leader: no decision buttons on this page.
    expect(await cardOf(duty, order).locator('[data-decide]').count()).to.equal(0);
  });

  it('the leader approves on their page; the duty user’s page shows the new deadline live', async () => {
    chief = await openConsole(browser, n.url, { workNumber: '3311', password: PASSWORD, expectPath: '/department.html' }, pageErrors);
    await chief.waitForSelector(`#wo-${order.number} .wo-extension`);
    expect(await chief.locator('#summary').innerText()).to.contain('待审批延期 1 张');
    expect(await cardOf(chief, order).locator('.wo-extension').innerText()).to.contain('需要夜间停水后更换阀门');
    await chief.screenshot({ path: join(ARTIFACTS, 'department-leader-extension.png') });
    await cardOf(chief, order).locator('.wo-extension input').fill('同意，注意夜间施工安全');
    await cardOf(chief, order).locator('[data-decide="approve"]').click();
    await chief.waitForFunction((sel) => !document.querySelector(sel), `#wo-${order.number} .wo-extension`);

    const newDue = order.dueBy! + 20 * HOUR;
    const approved = await stored(order);
    expect(approved.dueBy!.getTime()).to.equal(Math.floor(newDue / 60_000) * 60_000);
    expect(approved.dueVersion).to.equal(1);
    expect(approved.extensions[0]).to.include({ status: 'approved', decidedBy: '3311', note: '同意，注意夜间施工安全' });
    // Live on the duty user's page: the completion countdown now runs to the approved time.
    await duty.waitForFunction((sel) => /剩余 (2[3-4]):\d{2}:\d{2}/.test(document.querySelector(sel)?.textContent ?? ''), `#wo-${order.number} [data-deadline="due"] .left`);
    expect(await cardOf(duty, order).locator('[data-act="extend"]').innerText()).to.equal('申请延期');
  });

  it('the duty user enters the result and resolves; the page shows it done and the history holds it all', async () => {
    await cardOf(duty, order).locator('[data-act="resolve"]').click();
    await cardOf(duty, order).locator('[data-input="result"]').fill('已更换 DN100 阀门，次日 02:10 恢复供水');
    await cardOf(duty, order).locator('[data-submit="resolve"]').click();
    await duty.waitForFunction((sel) => document.querySelector(sel)?.textContent === '已办结', `#wo-${order.number} [data-field="status"]`);
    expect(await cardOf(duty, order).locator('[data-field="result"]').innerText()).to.equal('已更换 DN100 阀门，次日 02:10 恢复供水');
    expect(await cardOf(duty, order).locator('[data-deadline="due"]').innerText()).to.contain('已办结');
    expect(await cardOf(duty, order).locator('[data-act]').count()).to.equal(0);
    // The history panel stayed open through the live changes.
    const actions = await cardOf(duty, order).locator('.wo-history li[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    const dispatch = new Set(['notice-sent', 'dispatched']);
    expect(actions.filter((a) => !dispatch.has(a!))).to.deep.equal(['created', 'accepted', 'notice-acknowledged', 'started', 'extension-requested', 'extension-approved', 'resolved']);
    expect(await statusOf(chief, order)).to.equal('已办结');
    // Finished orders go below the open emergency.
    expect(await duty.locator('.wo-card').last().getAttribute('id')).to.equal(`wo-${order.number}`);
    await duty.screenshot({ path: join(ARTIFACTS, 'department-actions-resolved.png'), fullPage: true });
  });

  it('an engineering job done: 竣工结算 on the page records the settlement once (its callback is then sampled monthly)', async () => {
    const job = await createOrder({ category: 'meter_relocation', contactName: '黄先生', contactPhone: '13912345670', address: '东城区和平路 3 号', description: '水表移至户外' });
    const svc = n.node.services.workOrders;
    const s = await n.session('3001');
    const clerk = { workNumber: s.workNumber, name: s.name, role: s.role, ...(s.department ? { department: s.department } : {}) };
    await svc.act('accept', job.number, clerk);
    await svc.act('resolve', job.number, clerk, { result: '水表已移至户外表箱' });
    const settle = cardOf(duty, job).locator('[data-act="settle"]');
    await settle.waitFor();
    expect(await settle.innerText()).to.equal('竣工结算');
    duty.once('dialog', (d) => void d.accept());
    await settle.click();
    await cardOf(duty, job).locator('[data-settled]').waitFor();
    expect(await cardOf(duty, job).locator('[data-note]').innerText()).to.equal('已登记竣工结算');
    expect((await stored(job)).settledAt).to.be.instanceOf(Date);
    expect(await cardOf(duty, job).locator('[data-act="settle"]').count()).to.equal(0);
    // Orders that are not engineering jobs have no such button.
    expect(await cardOf(duty, order).locator('[data-act="settle"]').count()).to.equal(0);
    await cardOf(duty, job).screenshot({ path: join(ARTIFACTS, 'department-settled.png') });
  });
});

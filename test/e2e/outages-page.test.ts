import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openConsole } from '../helpers/browser';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const HOUR = 3600_000;
const local = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 16);

/**
 * 停水通知 in Chromium: 营业部's duty user drafts a large planned network outage on its page, the
 * page refuses to publish it in Chinese until the bureau's approval is recorded, the leader
 * approves it on theirs, it is published, and the supervisor board lists it.
 */
describe('outage page in Chromium: drafted, approved, the bureau approval, published, on the board', function () {
  this.timeout(90_000);
  let n: ConsoleNode;
  let browser: Browser;
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

  const card = (page: Page, number: string) => page.locator(`#ot-${number}`);
  const statusIs = (page: Page, number: string, text: string) =>
    page.waitForFunction(([sel, t]) => document.querySelector(sel!)?.textContent === t, [`#ot-${number} [data-field="status"]`, text] as const, { timeout: 15_000 });

  it('draft → 审核通过 → publication refused until 登记水务局审批 → 发布 → on the board', async () => {
    const duty = await openConsole(browser, n.url, { workNumber: '3101', password: PASSWORD, expectPath: '/department.html' }, pageErrors);
    await duty.click('#link-outages');
    await duty.waitForURL('**/outages.html');
    await duty.waitForSelector('.conn.ok');

    // Nothing filled in: the page names what is missing.
    await duty.click('#ot-create');
    await duty.waitForFunction(() => (document.querySelector('#ot-form-note')?.textContent ?? '').startsWith('请填写：停水区域编码'));

    const start = Date.now() + 3 * 24 * HOUR;
    await duty.fill('#ot-areas', 'dc-01');
    await duty.fill('#ot-streets', '东风路，人民路');
    await duty.fill('#ot-desc', '东城区东风路一带');
    await duty.fill('#ot-start', local(start));
    await duty.fill('#ot-end', local(start + 10 * HOUR));
    await duty.fill('#ot-people', '8000');
    await duty.fill('#ot-reason', 'DN600 主管迁改');
    await duty.fill('#ot-valve-count', '3');
    await duty.fill('#ot-valve-dn', '600');
    await duty.fill('#ot-valve-no', 'F-101');
    await duty.fill('#ot-valve-at', '东风路与人民路口');
    await duty.check('#ot-road');
    await duty.click('#ot-create');
    await duty.waitForFunction(() => (document.querySelector('#ot-form-note')?.textContent ?? '').includes('须登记市水务局审批'));
    const [stored] = await n.node.models.Outage.find({}).lean();
    const number = stored!.number;
    expect(stored).to.deep.include({ kind: 'planned', source: 'network', areaCodes: ['DC-01'], streets: ['东风路', '人民路'], peopleAffected: 8000, large: true, mainRoadDug: true, status: 'draft' });
    expect(stored!.startsAt.getTime()).to.be.closeTo(start, 60_000);
    await statusIs(duty, number, '草稿');
    // Only the leader approves: the duty user has no such button.
    expect(await card(duty, number).locator('[data-act="approve"]').count()).to.equal(0);

    const chief = await openConsole(browser, n.url, { workNumber: '3111', password: PASSWORD, expectPath: '/department.html' }, pageErrors);
    await chief.goto(`${n.url}/outages.html`);
    await card(chief, number).locator('[data-act="approve"]').click();
    await statusIs(chief, number, '已审核');

    await duty.reload();
    await statusIs(duty, number, '已审核');
    await card(duty, number).locator('[data-act="publish"]').click();
    await card(duty, number).locator('[data-note]').waitFor();
    expect(await card(duty, number).locator('[data-note]').innerText()).to.contain('须先登记市水务局审批');
    await duty.screenshot({ path: join(ARTIFACTS, 'outage-refused.png'), fullPage: true });

    await card(duty, number).locator('[data-act="bureau"]').click();
    await card(duty, number).locator('[data-input="bureau-by"]').fill('市水务局 李科长');
    await card(duty, number).locator('[data-input="bureau-ref"]').fill('水务审〔2026〕118号');
    await card(duty, number).locator('[data-submit="bureau"]').click();
    await duty.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '').includes('水务审〔2026〕118号'), `#ot-${number} [data-field="bureau"]`);
    await card(duty, number).locator('[data-act="publish"]').click();
    await statusIs(duty, number, '已发布');
    await duty.waitForFunction((sel) => document.querySelectorAll(sel).length === 3, `#ot-${number} [data-channel]`);
    await duty.screenshot({ path: join(ARTIFACTS, 'outage-published.png'), fullPage: true });

    const board = await openConsole(browser, n.url, { workNumber: '2001', password: PASSWORD, expectPath: '/supervisor.html' }, pageErrors, { width: 1366, height: 768 });
    await board.waitForSelector(`#ot-row-${number}`);
    const cells = await board.locator(`#ot-row-${number} td`).allInnerTexts();
    expect(cells[0]).to.equal(number);
    expect(cells[1]).to.equal('计划 · 东城区东风路一带');
    expect(cells[4]).to.equal('约 8000 人');
    expect(cells[5]).to.equal('来电 0 · 告知离开 0');
    await board.screenshot({ path: join(ARTIFACTS, 'board-outage.png') });
    expect(pageErrors).to.deep.equal([]);
  });

  it('dispatch posts a network anomaly on its page; the board shows it with the outages', async () => {
    const dispatch = await openConsole(browser, n.url, { workNumber: '3601', password: PASSWORD, expectPath: '/department.html' }, pageErrors);
    await dispatch.click('#link-dispatch');
    await dispatch.waitForURL('**/dispatch.html');
    await dispatch.waitForSelector('.conn.ok');
    expect(await dispatch.locator('#dd-kind option').allInnerTexts()).to.deep.equal(['管网异常']);
    await dispatch.click('#dd-create');
    await dispatch.waitForFunction(() => document.querySelector('#dd-form-note')?.textContent === '请填写位置');
    await dispatch.fill('#dd-location', '北区加压站');
    await dispatch.fill('#dd-area', '北城区解放北路一带');
    await dispatch.fill('#dd-note', '出厂压力骤降 0.1 MPa');
    await dispatch.click('#dd-create');
    await dispatch.waitForFunction(() => (document.querySelector('#dd-form-note')?.textContent ?? '').startsWith('已提交'));
    const [entry] = await n.node.models.DispatchEntry.find({ kind: 'anomaly' }).lean();
    expect(entry).to.deep.include({ location: '北区加压站', side: 'dispatch', status: 'open', createdBy: '3601' });
    await dispatch.waitForSelector(`#dd-${String(entry!._id)}`);
    await dispatch.screenshot({ path: join(ARTIFACTS, 'dispatch-anomaly.png'), fullPage: true });

    const board = await openConsole(browser, n.url, { workNumber: '2001', password: PASSWORD, expectPath: '/supervisor.html' }, pageErrors, { width: 1366, height: 768 });
    await board.waitForSelector(`#dd-row-${String(entry!._id)}`);
    expect(await board.locator(`#dd-row-${String(entry!._id)} td`).allInnerTexts()).to.include.members(['管网异常', '北区加压站', '北城区解放北路一带', '出厂压力骤降 0.1 MPa']);
    await board.screenshot({ path: join(ARTIFACTS, 'board-anomaly.png') });
    expect(pageErrors).to.deep.equal([]);
  });
});

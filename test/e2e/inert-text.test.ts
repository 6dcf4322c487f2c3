import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { WorkOrderView } from '../../contracts';
import { launchChromium, openConsole } from '../helpers/browser';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/** Text a caller could dictate and an agent paste: markup, script hooks, terminal escapes, a right-to-left override. */
const MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
const ADDRESS = `东正路 1 号 ${MARKUP}`;
const DESCRIPTION = `漏水 \u001b[31m红字\u001b[0m \u202Egnp.exe ${MARKUP}`;
const CONTACT = '<b onmouseover="window.__pwned=3">陈</b>';

/**
 * An order whose every text field carries markup and control characters is stored verbatim (what
 * the caller said is evidence) and shown as plain text on every console that lists it: nothing is
 * parsed as HTML, no handler runs, no element appears, and a right-to-left override or a terminal
 * escape shows as a visible mark (⟨RLO⟩, ␛) instead of acting. A NUL, which nobody types and the embedded
 * database cannot store, is refused at the door in Chinese.
 */
describe('hostile text in an order is shown inert on the consoles (Chromium)', function () {
  this.timeout(90_000);
  let n: ConsoleNode;
  let browser: Browser;
  const pageErrors: string[] = [];
  let order: WorkOrderView;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    n = await ConsoleNode.start();
    browser = await launchChromium();
    const res = await fetch(`${n.url}/api/work-orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await n.token('1001')}` },
      body: JSON.stringify({ category: 'billing', contactPhone: '13912345678', contactName: CONTACT, address: ADDRESS, description: DESCRIPTION }),
    });
    expect(res.status).to.equal(201);
    order = (await res.json()) as WorkOrderView;
  });
  after(async () => {
    await browser?.close();
    await n?.stop();
  });

  it('a NUL anywhere in a request is refused whole, in Chinese, and nothing is stored', async () => {
    const before = await n.node.models.WorkOrder.countDocuments({});
    const res = await fetch(`${n.url}/api/work-orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await n.token('1001')}` },
      body: JSON.stringify({ category: 'billing', contactPhone: '13912345678', address: '东正路\u00001 号', description: '漏水' }),
    });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: { zh: string } }).error.zh).to.equal('提交的内容含有不可见的空字符（NUL），请删除后重试');
    expect(await n.node.models.WorkOrder.countDocuments({})).to.equal(before);
  });

  /** `shows`: the page lists the order's free text (the agent's 我的工单 lists number, category and status only). */
  const inert = async (page: Page, where: string, shows = true) => {
    const found = await page.evaluate((m) => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      injected: document.querySelectorAll('img[src="x"], main script, b[onmouseover]').length,
      // The markup's start, as text (a list may shorten the rest with an ellipsis).
      shown: document.body.innerText.includes(m),
    }), '<img src=x onerror=');
    expect(found, where).to.deep.equal({ pwned: null, injected: 0, shown: shows });
  };

  it('stored verbatim, and shown as text on the department page; nothing runs on the agent\'s 我的工单', async () => {
    const stored = await n.node.models.WorkOrder.findOne({ number: order.number }).lean();
    expect(stored).to.deep.include({ address: ADDRESS, description: DESCRIPTION, contactName: CONTACT });

    const dept = await openConsole(browser, n.url, { workNumber: '3101', password: PASSWORD, expectPath: '/department.html' }, pageErrors);
    await dept.waitForFunction((num) => document.body.innerText.includes(num), order.number);
    // Open the order's details where the page has them, so the description is on screen too.
    await dept.locator(`text=${order.number}`).first().click().catch(() => undefined);
    await inert(dept, 'department page');
    // The description's override and escapes are shown as marks, not obeyed: nothing after them is reversed.
    const text = await dept.evaluate(() => document.body.innerText);
    expect(text).to.include('⟨RLO⟩gnp.exe');
    expect(text).to.include('␛[31m红字␛[0m');
    expect(text).to.not.match(/[\u001b\u202a-\u202e\u2066-\u2069]/);
    await dept.screenshot({ path: join(ARTIFACTS, 'inert-text-department.png') });

    const agent = await openConsole(browser, n.url, { workNumber: '1001', password: PASSWORD, expectPath: '/agent.html' }, pageErrors);
    await agent.waitForFunction((num) => document.body.innerText.includes(num), order.number);
    await inert(agent, 'agent console', false);
    expect(pageErrors).to.deep.equal([]);
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/** What a person may read: Chinese in it. An ASCII-only text is an English (or raw) message. */
const ASCII_ONLY = /^[\x00-\x7F]*$/;
/** zod's and the server's English, which must never reach the page. */
const SERVER_ENGLISH = /Too (small|big)|expected|Invalid|required|not a call id|valid contact number|Unrecognized/i;

/**
 * The work-order form in Chromium as an agent meets it: the page's own Chinese messages under
 * each field instead of the browser's bubbles, required fields marked, a live 「x/4000」 counter,
 * and the server's refusals shown in Chinese under the same fields. The browser runs with an
 * English locale on purpose: any message of the browser's own would show up in English.
 */
describe('work-order form in Chromium: every message in Chinese', function () {
  this.timeout(90_000);
  let n: ConsoleNode;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const notFound: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    n = await ConsoleNode.start();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (r) => {
      if (r.status() === 404) notFound.push(r.url());
    });
  });
  after(async () => {
    await browser?.close();
    await n?.stop();
  });
  afterEach(() => {
    expect(pageErrors.splice(0), 'script errors').to.deep.equal([]);
  });

  /** Every message shown under a field or under the form, as the person sees it. */
  const shownMessages = () =>
    page.$$eval('.field-error:not([hidden]), #wo-result', (els) => els.map((e) => (e as HTMLElement).innerText.trim()).filter((t) => t !== ''));

  async function expectAllChinese(): Promise<string[]> {
    const texts = await shownMessages();
    expect(texts.length, 'some message is shown').to.be.greaterThan(0);
    for (const t of texts) {
      expect(t, `ASCII-only message on the page: ${t}`).to.not.match(ASCII_ONLY);
      expect(t, `server English on the page: ${t}`).to.not.match(SERVER_ENGLISH);
    }
    return texts;
  }

  const errorOf = (id: string) => page.locator(`#${id}-error`);

  it('the log-in page checks in Chinese too (no browser bubble), then lets the agent in', async () => {
    await page.goto(n.url);
    await page.click('#submit');
    await page.waitForFunction(() => document.querySelector('#message')?.textContent === '请输入工号');
    await page.fill('#workNumber', '12');
    await page.click('#submit');
    await page.waitForFunction(() => document.querySelector('#message')?.textContent === '工号应为 3–6 位数字');
    await page.fill('#workNumber', '1001');
    await page.fill('#password', PASSWORD);
    await page.click('#submit');
    await page.waitForURL('**/agent.html');
    await page.waitForSelector('.conn.ok');
  });

  it('marks the required fields and refuses an empty form with a Chinese message under each field', async () => {
    expect(await page.$eval('#wo-form', (f) => (f as HTMLFormElement).noValidate)).to.equal(true);
    for (const id of ['wo-category', 'wo-contactPhone', 'wo-address', 'wo-description']) {
      expect(await page.locator(`label:has(#${id}) .req-mark`).isVisible(), `${id} marked`).to.equal(true);
    }
    expect(await page.locator('label:has(#wo-contactName) .req-mark').count()).to.equal(0);
    expect(await page.locator('#wo-description-count').innerText()).to.equal('0/4000');
    await page.click('#wo-submit');
    await errorOf('wo-description').waitFor();
    expect(await errorOf('wo-category').innerText()).to.equal('请选择工单类别');
    expect(await errorOf('wo-contactPhone').innerText()).to.equal('请填写联系电话');
    expect(await errorOf('wo-address').innerText()).to.equal('请填写地址');
    expect(await errorOf('wo-description').innerText()).to.equal('请填写情况描述');
    // The page kept the browser out of it: no native validation message on any control.
    const native = await page.$$eval('#wo-form input, #wo-form select, #wo-form textarea', (els) =>
      els.map((e) => (e as HTMLInputElement).validationMessage).filter((m) => m !== ''),
    );
    expect(native).to.deep.equal([]);
    await expectAllChinese();
    await page.screenshot({ path: join(ARTIFACTS, 'work-order-form-empty.png') });
  });

  it('a bad phone and a leak without its location: the Art. 13 field appears marked, both messages in Chinese', async () => {
    await page.selectOption('#wo-category', 'leak');
    await page.fill('#wo-contactPhone', 'call me');
    await page.fill('#wo-address', '东城区东风路 12 号');
    await page.fill('#wo-description', '门口水表前管道漏水');
    expect(await errorOf('wo-category').isVisible(), 'fixed fields lose their message').to.equal(false);
    expect(await page.locator('label:has(#wo-location) .req-mark').isVisible()).to.equal(true);
    await page.click('#wo-submit');
    await errorOf('wo-location').waitFor();
    expect(await errorOf('wo-contactPhone').innerText()).to.match(/^联系电话格式不正确/);
    expect(await errorOf('wo-location').innerText()).to.equal('报漏、报障和爆管须填写具体位置');
    await page.fill('#wo-diameter', '2.5');
    await page.click('#wo-submit');
    await page.waitForFunction(() => document.querySelector('#wo-diameter-error')?.textContent === '管径须为整数（毫米）');
    await expectAllChinese();
    await page.screenshot({ path: join(ARTIFACTS, 'work-order-form-bad-phone.png') });
  });

  it('a 5,500-character description is kept whole, counted 5500/4000 in red and refused in Chinese before sending', async () => {
    const long = '现场情况：'.repeat(1100);
    await page.fill('#wo-description', long);
    expect((await page.inputValue('#wo-description')).length, 'not cut to 4000').to.equal(5500);
    expect(await page.locator('#wo-description-count').innerText()).to.equal('5500/4000');
    expect(await page.locator('#wo-description-count.over').count()).to.equal(1);
    // Said at once, while typing, not only on submit.
    expect(await errorOf('wo-description').innerText()).to.equal('情况描述不能超过 4000 字（现有 5500 字）');
    const before = await n.node.models.WorkOrder.countDocuments();
    await page.click('#wo-submit');
    await page.waitForFunction(() => document.querySelector('#wo-result')?.textContent === '请按提示修改标出的内容');
    expect(await n.node.models.WorkOrder.countDocuments()).to.equal(before);
    await expectAllChinese();
    await page.locator('#wo-description-count').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'work-order-form-too-long.png') });
  });

  it('a refusal only the server can make is shown in Chinese under the field it names', async () => {
    await page.fill('#wo-description', '门口水表前管道漏水');
    await page.fill('#wo-contactPhone', '13900001111');
    await page.fill('#wo-location', '东风路 12 号门口人行道');
    await page.fill('#wo-diameter', '50');
    // Options the page does not offer, as a stale or tampered page might send: only the server knows they are wrong.
    await page.$eval('#wo-meterSide', (s) => s.append(new Option('sideways', 'sideways')));
    await page.selectOption('#wo-meterSide', 'sideways');
    await page.click('#wo-submit');
    await page.waitForFunction(() => (document.querySelector('#wo-result')?.textContent ?? '').startsWith('未能创建'));
    expect(await errorOf('wo-meterSide').innerText()).to.equal('请选择表前、表后或不确定');
    const texts = await expectAllChinese();
    expect(texts.join('\n')).to.not.contain('meterSide');
    await page.locator('#wo-meterSide').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'work-order-form-server-refusal.png') });
  });

  it('a valid order is filed; the messages go and the counter starts again', async () => {
    await page.selectOption('#wo-meterSide', 'before');
    expect(await errorOf('wo-meterSide').isVisible()).to.equal(false);
    await page.click('#wo-submit');
    await page.waitForFunction(() => /已创建/.test(document.querySelector('#wo-result')?.textContent ?? ''));
    expect(await page.locator('.field-error:not([hidden])').count()).to.equal(0);
    expect(await page.locator('#wo-description-count').innerText()).to.equal('0/4000');
    const number = /WO\d{8}-\d{4}/.exec(await page.locator('#wo-result').innerText())![0];
    const wo = await n.node.models.WorkOrder.findOne({ number }).lean();
    expect(wo?.leak).to.include({ location: '东风路 12 号门口人行道', pipeDiameterMm: 50, meterSide: 'before' });
  });

  it('every page has its icon: no 404 on any page, /favicon.ico leads to it, and it is served under the same CSP', async () => {
    for (const path of ['/', '/agent.html', '/supervisor.html', '/admin.html', '/department.html']) {
      const html = await (await fetch(`${n.url}${path}`)).text();
      expect(html, path).to.contain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    }
    const icon = await fetch(`${n.url}/favicon.svg`);
    expect(icon.status).to.equal(200);
    expect(icon.headers.get('content-type')).to.match(/^image\/svg\+xml/);
    expect(icon.headers.get('content-security-policy')).to.contain("default-src 'self'");
    const legacy = await fetch(`${n.url}/favicon.ico`, { redirect: 'manual' });
    expect(legacy.status).to.equal(301);
    expect(legacy.headers.get('location')).to.equal('/favicon.svg');
    expect(notFound, 'nothing the agent page asked for was missing').to.deep.equal([]);
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { setUpDemoPhones } from '../../scripts/demo-phones';
import { customers } from '../../scripts/seed-data';
import { launchChromium, openConsole } from '../helpers/browser';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const PASSWORD = 'test-password';
/** The answer alarm, short so the missed-call sequence takes seconds (production: 20 s). */
const ALARM_MS = 10_000;

/**
 * The agent console as the demo runs it, in headless Chromium against the real CTI and the ARI/AMI
 * simulators: phone 1001 set up exactly as `npm run demo` sets it (never answered by the simulator),
 * so the person answers with 接听 or the alarm stops the ring.
 */
describe('agent console in Chromium (demo mode): ring cue, 接听, 我的工单, and a missed call that leaves no stale customer', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  let browser: Browser;
  let agent: Page;
  const pageErrors: string[] = [];
  afterEach(() => {
    expect(pageErrors.splice(0)).to.deep.equal([]);
  });
  // Callers who pick Cantonese (1001 speaks Cantonese only), not big users (plain cards).
  const [first, second] = customers().filter((c) => c.preferredLanguage !== 'cmn' && !c.bigUser);
  let firstOrder = '';

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await PbxHarness.start({ ready: [], demo: true, env: { ANSWER_ALARM_MS: String(ALARM_MS), AFTER_CALL_WORK_MS: '60000' } });
    setUpDemoPhones(h.pbx, () => 0.5);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  const open = (workNumber: string, expectPath: string): Promise<Page> => openConsole(browser, h.node.url, { workNumber, password: PASSWORD, expectPath: expectPath }, pageErrors);

  const text = (sel: string) => agent.locator(sel).innerText();
  const waitForText = (sel: string, wanted: string, timeout = 10_000) =>
    agent.waitForFunction(([s, w]) => (document.querySelector(s!)?.textContent ?? '').includes(w!), [sel, wanted] as const, { timeout });
  const ringSeconds = async () => Number(/振铃 (\d+) 秒/.exec(await text('#ring-timer'))?.[1] ?? NaN);

  it('a ring trills and flashes the title; 1001 keeps ringing until 接听; the order filed shows in the pop and in 我的工单', async () => {
    agent = await open('1001', '/agent.html');
    await waitForText('#state', '离线');
    await waitForText('#my-orders', '暂无工单');
    // The reason drop-down is one of the state buttons.
    expect(await agent.getAttribute('#nr-reason', 'class')).to.contain('btn');
    await agent.click('#btn-ready'); // also the click that lets the page play sound
    await waitForText('#state', '就绪');

    const call = h.ari.placeCall({ callerNumber: first!.phones[0]!, dtmf: [{ digit: '1', afterMs: 20 }] });
    await agent.waitForSelector('.banner.ringing');
    await waitForText('#customer-name', first!.name);
    // The cue: the tab title flashes the caller's number, the trill plays (the page has been clicked).
    await agent.waitForFunction((n) => document.title === `【来电】${n}`, first!.phones[0]!);
    await agent.waitForSelector('body[data-ringing="true"][data-ring-sound="on"]');
    await waitForText('#ring-sound', '铃声提示中');
    const trill = await agent.evaluate(() => document.title);
    await agent.waitForFunction((t) => document.title !== t, trill); // it flashes
    expect(await agent.locator('#btn-answer').innerText()).to.equal('接听');
    expect(await agent.locator('#wo-form').getAttribute('data-call-id')).to.be.a('string');
    await agent.screenshot({ path: join(ARTIFACTS, 'agent-ringing-cue.png') });

    // The demo's 1001 phone does not answer by itself (the old demo answered within 2–8 s).
    await agent.waitForFunction(() => Number(/振铃 (\d+) 秒/.exec(document.querySelector('#ring-timer')?.textContent ?? '')?.[1]) >= 3, undefined, { timeout: 10_000 });
    expect(await agent.locator('.banner.ringing').count()).to.equal(1);
    expect(await ringSeconds()).to.be.lessThan(ALARM_MS / 1000);
    await agent.click('#btn-answer');
    await agent.waitForSelector('.banner.talking');
    await waitForText('#state', '通话中');
    // The cue stops with the ring.
    expect(await agent.evaluate(() => [document.title, document.body.dataset.ringing ?? ''])).to.deep.equal(['坐席工作台 · 952525', '']);

    await agent.selectOption('#wo-category', 'inquiry');
    await agent.fill('#wo-description', '咨询本月水费为何比上月高');
    await agent.click('#wo-submit');
    await waitForText('#wo-result', '已创建');
    firstOrder = /WO\d{8}-\d{4}/.exec(await text('#wo-result'))![0];
    // The pop's 未办结工单 and 我的工单 both show it without a reload.
    await waitForText('#open-orders', firstOrder);
    await waitForText('#my-orders-table', firstOrder);
    expect(await text('#my-orders-table')).to.contain('咨询');
    await agent.screenshot({ path: join(ARTIFACTS, 'agent-my-orders.png') });

    call.hangup();
    await agent.waitForSelector('#last-call');
    await waitForText('#state', '话后处理');
    await agent.click('#btn-ready');
    await waitForText('#state', '就绪');
  });

  it('a missed call: ring → alarm → the miss said plainly, the previous customer gone, the form empty; the same after a refresh', async () => {
    const call = h.ari.placeCall({ callerNumber: second!.phones[0]!, dtmf: [{ digit: '1', afterMs: 20 }] });
    await agent.waitForSelector('.banner.ringing');
    await waitForText('#customer-name', second!.name);
    expect(await agent.inputValue('#wo-contactPhone')).to.equal(second!.phones[0]);
    // Nobody answers: the alarm stops the ring.
    await waitForText('#miss-notice', '您有来电未接，已置为未就绪，点击就绪恢复', ALARM_MS + 10_000);
    await waitFor(async () => h.node.models.Alarm.exists({ kind: 'answer-timeout' }), { what: 'the answer alarm' });

    const assertMissShown = async () => {
      expect(await text('#state')).to.contain('未就绪');
      expect(await agent.locator('.banner.ringing').count()).to.equal(0);
      // No customer card at all: neither the missed caller's nor the previous caller's.
      expect(await agent.locator('#customer-name, #last-call, #play-last').count()).to.equal(0);
      const panel = await text('.call-panel');
      expect(panel).not.to.contain(first!.name);
      expect(panel).not.to.contain('上一通电话已结束');
      expect(await text('#missed-call')).to.contain(second!.phones[0]!);
      // The form belongs to no call: empty, with no call id to file against.
      expect(await agent.locator('#wo-form').getAttribute('data-call-id')).to.equal(null);
      for (const sel of ['#wo-contactName', '#wo-contactPhone', '#wo-address', '#wo-description']) expect(await agent.inputValue(sel), sel).to.equal('');
      expect(await text('#wo-context')).to.contain('未关联来电');
    };
    await assertMissShown();
    await agent.screenshot({ path: join(ARTIFACTS, 'agent-missed-call.png') });

    await agent.reload();
    await agent.waitForSelector('.conn.ok');
    await waitForText('#miss-notice', '您有来电未接');
    await assertMissShown();

    // The caller gives up in the queue; the agent goes Ready from the notice itself.
    call.hangup();
    await waitFor(async () => h.node.models.Call.exists({ callerNumber: second!.phones[0]!, state: 'ended' }), { what: 'the missed call ended' });
    await agent.click('#btn-ready-missed');
    // '未就绪' contains '就绪': wait for the Ready state itself.
    await agent.waitForSelector('#state.st-ready');
    expect(await agent.locator('#miss-notice').count()).to.equal(0);
    // Named in the message: which card came back, and what the panel said then.
    const stale = await agent.locator('#customer-name, #last-call').evaluateAll((els) => els.map((e) => e.id));
    expect(stale, await text('.call-panel')).to.deep.equal([]);
    expect(await agent.inputValue('#wo-contactPhone')).to.equal('');
    // 我的工单 still lists the order of the first call.
    expect(await text('#my-orders-table')).to.contain(firstOrder);
  });
});

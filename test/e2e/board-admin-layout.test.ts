import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openConsole, textIn } from '../helpers/browser';
import { customers } from '../../scripts/seed-data';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const VIEWPORT = { width: 1366, height: 768 };

/**
 * The supervisor board and the admin page on the office screen they are made for (1366×768), in
 * headless Chromium against the real CTI and the PBX simulators: a real unanswered ring raises the
 * alarm, and everything a supervisor needs is on one screen without scrolling.
 */
describe('board and admin page at 1366×768 in Chromium', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  let browser: Browser;
  let board: Page;
  const pageErrors: string[] = [];
  const missed = customers()[2]!;
  const earlierCallers = ['13912345601', '13912345602'];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A short answer-alarm time stands in for the 20 s; long after-call work keeps the agents where the test put them.
    h = await PbxHarness.start({ ready: [], env: { ANSWER_ALARM_MS: '10000', AFTER_CALL_WORK_MS: '120000' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });
  afterEach(() => {
    expect(pageErrors.splice(0)).to.deep.equal([]);
  });

  const open = (workNumber: string, path: string): Promise<Page> => openConsole(browser, h.node.url, { workNumber, password: 'test-password', expectPath: path }, pageErrors, VIEWPORT);

  /** Resolves when the element's text contains `wanted` (the pages update from pushed events). */
  /** What would need scrolling: the document beyond the window, and each element's box outside it. */
  async function outsideViewport(page: Page, selectors: string[]) {
    return page.evaluate((sels) => {
      const doc = document.documentElement;
      const out: string[] = [];
      if (doc.scrollHeight > window.innerHeight) out.push(`document is ${doc.scrollHeight}px tall`);
      if (doc.scrollWidth > window.innerWidth) out.push(`document is ${doc.scrollWidth}px wide`);
      for (const sel of sels) {
        const el = document.querySelector(sel);
        if (!el) {
          out.push(`${sel} missing`);
          continue;
        }
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) out.push(`${sel} not shown`);
        if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) {
          out.push(`${sel} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
        }
      }
      return out;
    }, selectors);
  }

  it('board: a real unanswered ring raises the alarm naming agent and caller; every part on one screen; the count drops on acknowledge', async () => {
    board = await open('2001', '/supervisor.html');
    await textIn(board, '#unacked', '无未确认告警');

    // Two earlier calls, answered and ended: the recordings list and the day's figures have content.
    for (const wn of ['1001', '1004']) {
      h.pbx.setPhone(wn, { behaviour: { kind: 'answer', afterMs: 300 } });
      await h.ready(wn);
    }
    const earlier = [
      h.ari.placeCall({ callerNumber: earlierCallers[0]!, dtmf: [{ digit: '1', afterMs: 20 }], hangupAfterBridgedMs: 1200 }),
      h.ari.placeCall({ callerNumber: earlierCallers[1]!, dtmf: [{ digit: '2', afterMs: 20 }], hangupAfterBridgedMs: 1200 }),
    ];
    await Promise.all(earlier.map((c) => c.ended));
    for (const n of earlierCallers) await textIn(board, '#recent', n);

    // Agent 1010 lets the phone ring past the alarm time (10 s: room for a loaded machine's board to show the ring first).
    h.pbx.setPhone('1010', { behaviour: { kind: 'no-answer' } });
    await h.ready('1010');
    const caller = missed.phones[0]!;
    const call = h.ari.placeCall({ callerNumber: caller, dtmf: [{ digit: '1', afterMs: 20 }] });

    // While it rings, the call's row names the agent whose phone rings.
    await board.waitForSelector('#calls-table tr.call-ringing');
    await textIn(board, '#calls-table tr.call-ringing', '1010 吴家豪');

    const alarmText = '坐席 1010 吴家豪 振铃 10 秒未接听，来电 ' + caller;
    await textIn(board, '#alarms', alarmText);
    await textIn(board, '#unacked', '未确认告警 1');
    expect(await board.locator('#alarm-count').innerText()).to.equal('（1 条未确认）');
    expect(await board.title()).to.match(/^（1）班长看板/);
    const stored = await waitFor(async () => (await h.node.models.Alarm.findOne({ kind: 'answer-timeout' }).lean()) ?? undefined, { what: 'alarm stored' });
    expect(stored).to.include({ agentWorkNumber: '1010', agentName: '吴家豪', callerNumber: caller, message: alarmText });
    await textIn(board, '#agent-1010', '振铃未接（系统）');

    // Agent 1009 takes the call from the queue: a call in progress beside the alarm.
    h.pbx.setPhone('1009', { behaviour: { kind: 'answer', afterMs: 300 } });
    await h.ready('1009');
    await textIn(board, '#agent-1009', '通话中');
    await textIn(board, '#calls-table', '1009 周晓燕');

    const alarm = `#alarm-${String(stored._id)}`;
    const parts = ['#kpis', '#kpi-sl', '#agents', '#agent-1010', '#inprogress', '#calls-table', '#alarm-panel', alarm, `${alarm} button.ack`, '#recent', '#recent tr', '#byagent', '#waiting', '#unacked', '#sound'];
    expect(await outsideViewport(board, parts)).to.deep.equal([]);
    await board.screenshot({ path: join(ARTIFACTS, 'supervisor-board-1366x768.png') });

    // Acknowledged: the header count drops at once, and the alarm says who acknowledged it.
    await board.click(`${alarm} button.ack`);
    await textIn(board, '#unacked', '无未确认告警');
    await textIn(board, alarm, '2001 已确认');
    expect(await board.locator('#alarm-count').innerText()).to.equal('');
    expect(await board.title()).to.match(/^班长看板/);
    const acked = await h.node.models.Alarm.findById(stored._id).lean();
    expect(acked?.acknowledgedBy).to.equal('2001');
    call.hangup();
    await textIn(board, '#inprogress', '当前无通话');
  });

  it('board: the alarm-sound choice survives a reload', async () => {
    expect(await board.locator('#sound').innerText()).to.equal('告警提示音：关');
    await board.click('#sound');
    await textIn(board, '#sound', '告警提示音：开');
    await board.reload();
    await board.waitForSelector('.conn.ok');
    await textIn(board, '#sound', '告警提示音：开');
    expect(await board.getAttribute('#sound', 'aria-pressed')).to.equal('true');
    // Turned off again, it stays off.
    await board.click('#sound');
    await board.reload();
    await board.waitForSelector('.conn.ok');
    await textIn(board, '#sound', '告警提示音：关');
    // The acknowledged alarm is still listed, and not counted.
    await textIn(board, '#alarms', '2001 已确认');
    await textIn(board, '#unacked', '无未确认告警');
  });

  it('admin: no sideways scroll at 1366 px with long self-check details; the automatic and the manual checks are listed', async () => {
    const admin = await open('9001', '/admin.html');
    expect(await admin.locator('#self-check-history').innerText()).to.contain('暂无自检记录');

    // The silence alarm's automatic check, as if the hotline had been silent for 30 minutes.
    await h.calls.silence.rule.silentSince(Date.now() - 30 * 60_000);
    await admin.waitForSelector('#self-check-history li[data-trigger="silence"]', { timeout: 60_000 });
    expect(await admin.locator('#self-check-history li[data-trigger="silence"] summary').innerText()).to.contain('自动（30 分钟无来电）');

    // Trunk down and three logged-in agents' phones gone: the failed items carry long details.
    h.pbx.setTrunk(false);
    for (const wn of ['1001', '1004', '1009']) h.pbx.setPhone(wn, { registered: false });
    await waitFor(() => !h.calls.pbx.snapshot().trunk.registered && h.calls.pbx.snapshot().phones.filter((p) => !p.reachable).length >= 3, { what: 'trunk and phones down' });
    await admin.click('#run-self-check');
    await admin.waitForSelector('#self-check-items tr[data-item="test-call"]', { timeout: 60_000 });
    expect(await admin.locator('#self-check-items tr[data-item="agent-phones"]').innerText()).to.contain('故障');
    await admin.waitForSelector('#self-check-history li[data-trigger="manual"]');
    const entries = admin.locator('#self-check-history li.check-entry');
    expect(await entries.count()).to.equal(2);
    // Newest first: the manual run, failed, naming who ran it and what failed.
    const newest = await entries.first().locator('summary').innerText();
    expect(newest).to.contain('手动 9001');
    expect(newest).to.match(/故障：.*中继注册/);
    expect(newest).to.contain('坐席话机');
    await entries.first().locator('summary').click();
    await admin.waitForSelector('#self-check-history li.check-entry:first-child tr[data-item="trunk"]', { state: 'visible' });

    const wide = await admin.evaluate(() => {
      const panel = document.querySelector('#self-check')!.closest('.panel')!.getBoundingClientRect();
      const table = document.querySelector('#self-check-items')!.getBoundingClientRect();
      return { doc: document.documentElement.scrollWidth, win: window.innerWidth, tableRight: table.right, panelRight: panel.right };
    });
    expect(wide.doc, 'no horizontal scroll').to.be.at.most(wide.win);
    expect(wide.tableRight, 'the self-check table stays in its panel').to.be.at.most(wide.panelRight);
    expect(await admin.locator('#run-self-check').evaluate((b) => getComputedStyle(b).backgroundColor)).to.not.equal('rgba(0, 0, 0, 0)');
    await admin.screenshot({ path: join(ARTIFACTS, 'admin-self-check-history.png'), fullPage: true });
    h.pbx.setTrunk(true);
  });
});

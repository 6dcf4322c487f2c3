import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { silentWav } from '../../core/wav';
import { launchChromium, openConsole } from '../helpers/browser';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const sh = (local: string) => new Date(`${local}+08:00`);

/**
 * 热线月报 in Chromium: a supervisor opens it from the board, builds October 2026 from records
 * written for it, sees the charts drawn (their canvases hold ink), prints it to A4 and downloads
 * the workbook; 营业部 reads it from its page; another department is refused in Chinese.
 */
describe('monthly report page in Chromium: charts, A4 print, Excel download, who may read it', function () {
  this.timeout(90_000);
  let n: ConsoleNode;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    n = await ConsoleNode.start();
    browser = await launchChromium();
    const { WorkOrder, Call } = n.node.models;
    let seq = 0;
    const categories = ['leak', 'leak', 'leak', 'complaint', 'complaint', 'billing', 'pressure'] as const;
    for (const [i, category] of categories.entries()) {
      for (const month of ['2026-09', '2026-10']) {
        if (month === '2026-09' && i % 2 === 1) continue;
        seq += 1;
        const at = sh(`${month}-${String(3 + i).padStart(2, '0')}T10:00`);
        await new WorkOrder({
          number: `WO20261001-${String(seq).padStart(4, '0')}`,
          category,
          department: category === 'leak' || category === 'pressure' ? 'production' : 'business',
          createdBy: '1001',
          contactPhone: '13100000001',
          address: `莞城区东正路 ${seq} 号`,
          description: '测试',
          createdAt: at,
          updatedAt: at,
        }).save({ timestamps: false });
      }
    }
    for (let i = 0; i < 24; i++) {
      const arrivedAt = sh(`2026-10-${String(1 + (i % 20)).padStart(2, '0')}T${String(8 + (i % 12)).padStart(2, '0')}:15`);
      const answered = i % 4 !== 0;
      await Call.create({
        callId: `rp-${i}`,
        node: 'a',
        callerChannelId: `ch-rp-${i}`,
        callerNumber: '13912340000',
        dialledNumber: '952525',
        state: 'ended',
        outcome: answered ? 'answered' : 'abandoned-queue',
        arrivedAt,
        queuedAt: arrivedAt,
        ...(answered ? { answeredAt: new Date(arrivedAt.getTime() + 8000), answerDelayMs: 8000 + (i % 3) * 9000, agentWorkNumber: '1001' } : {}),
        endedAt: new Date(arrivedAt.getTime() + 180_000),
      });
    }
  });
  after(async () => {
    await browser?.close();
    await n?.stop();
  });

  /** How much each chart's drawing canvas holds (pixels neither clear nor near-white); ECharts may add a hover layer after it. */
  const chartsInked = (page: Page) =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('.rp-chart')).map((chart) => {
        const c = chart.querySelector('canvas')!;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240)) inked++;
        return inked;
      }),
    );

  it('a supervisor builds October from the board\'s link: tables and five charts drawn, A4 print, the workbook downloaded', async () => {
    const page = await openConsole(browser, n.url, { workNumber: '2001', password: PASSWORD, expectPath: '/supervisor.html' }, pageErrors);
    await page.click('#link-report');
    await page.waitForURL('**/report.html');
    await page.fill('#rp-month', '2026-10');
    await page.dispatchEvent('#rp-month', 'change');
    await page.waitForFunction(() => (document.querySelector('#rp-body')?.textContent ?? '').includes('尚未生成'));
    await page.click('#rp-make');
    await page.waitForFunction(() => /已生成|失败|错误|异常/.test(document.querySelector('#rp-note')?.textContent ?? ''));
    expect(await page.locator('#rp-note').innerText()).to.equal('已生成第 1 版');
    expect(await page.locator('h1').innerText()).to.equal('952525 供水服务热线 2026年10月分析报告');
    // The category table, read from the page: October beside September.
    const leak = await page.locator('table[data-sheet="受理分类"] tr', { hasText: '报漏' }).innerText();
    expect(leak.split('\t')).to.deep.equal(['报漏', '3', '2', '+1']);
    expect(await page.locator('table[data-sheet="热点"] tbody tr').first().innerText()).to.match(/^1\t\t?未知片区\t报漏\t3\t2\t\+1\t东正路\(3\)$/);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.rp-chart')).every((c) => c.querySelector('canvas')));
    const ink = await chartsInked(page);
    expect(ink).to.have.length(5);
    for (const [i, px] of ink.entries()) expect(px, `chart ${i + 1} is drawn`).to.be.greaterThan(500);
    await page.screenshot({ path: join(ARTIFACTS, 'report-page.png'), fullPage: true });

    // Printed: the toolbar goes, the charts fit the A4 width.
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await page.locator('.rp-toolbar').isVisible()).to.equal(false);
    const width = await page.locator('.rp-chart').first().evaluate((el) => el.getBoundingClientRect().width);
    expect(width).to.be.closeTo((180 / 25.4) * 96, 2);
    await page.screenshot({ path: join(ARTIFACTS, 'report-print.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).to.equal('%PDF-');
    await page.emulateMedia({ media: 'screen' });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#rp-xlsx')]);
    expect(download.suggestedFilename()).to.equal('hotline-report-2026-10-v1.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync((await download.path())!) as unknown as ExcelJS.Buffer);
    const leakRow = book.getWorksheet('受理分类')!.getRow(2).values as unknown[];
    expect(leakRow.slice(1)).to.deep.equal(['报漏', 3, 2, 1]);
    expect(pageErrors).to.deep.equal([]);
  });

  it('营业部 opens it from its own page; another department is refused in Chinese', async () => {
    const business = await openConsole(browser, n.url, { workNumber: '3101', password: PASSWORD, expectPath: '/department.html' }, pageErrors);
    await business.click('#link-report');
    await business.waitForURL('**/report.html');
    await business.waitForFunction(() => (document.querySelector('h1')?.textContent ?? '').includes('2026年10月'));

    const production = await openConsole(browser, n.url, { workNumber: '3201', password: PASSWORD, expectPath: '/department.html' }, pageErrors);
    expect(await production.locator('#link-report').isVisible()).to.equal(false);
    await production.goto(`${n.url}/report.html`);
    await production.waitForFunction(() => (document.querySelector('#rp-body')?.textContent ?? '').includes('月报仅供班长、管理员和营业部查看'));
    expect(pageErrors).to.deep.equal([]);
  });

  it('the board\'s 历史与查询: today / week / month charts drawn, a call found by part of its number and played; the admin\'s alarm trend', async () => {
    // A call of this morning, recorded, and an alarm of today for the admin's chart.
    const arrivedAt = new Date(Date.now() - 60_000);
    writeFileSync(join(n.config.RECORDINGS_DIR, 'hist-rec-1.wav'), silentWav(1500));
    await n.node.models.Call.create({
      callId: 'hist-1',
      node: 'a',
      callerChannelId: 'ch-hist-1',
      callerNumber: '13800138000',
      dialledNumber: '952525',
      state: 'ended',
      outcome: 'answered',
      language: 'yue',
      arrivedAt,
      queuedAt: arrivedAt,
      answeredAt: new Date(arrivedAt.getTime() + 6000),
      answerDelayMs: 6000,
      agentWorkNumber: '1001',
      endedAt: new Date(arrivedAt.getTime() + 40_000),
      recordingName: 'hist-rec-1',
    });
    await n.node.models.Alarm.create({ key: 'hist-silence', kind: 'silence', severity: 'critical', message: '30 分钟无来电', raisedAt: new Date() });

    const board = await openConsole(browser, n.url, { workNumber: '2001', password: PASSWORD, expectPath: '/supervisor.html' }, pageErrors);
    await board.click('#open-history');
    await board.waitForFunction(() => (document.querySelector('#hs-period-note')?.textContent ?? '').startsWith('今日：来电 1 通'));
    await board.click('#hs-month');
    await board.waitForFunction(() => (document.querySelector('#hs-period-note')?.textContent ?? '').startsWith('本月：'));
    expect(await board.locator('#hs-month').getAttribute('aria-pressed')).to.equal('true');
    const ink = await board.evaluate(() =>
      ['hs-sl', 'hs-hours', 'hs-abandon'].map((id) => {
        const c = document.getElementById(id)!.querySelector('canvas')!;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && (d[i]! < 240 || d[i + 1]! < 240 || d[i + 2]! < 240)) n++;
        return n;
      }),
    );
    for (const [i, px] of ink.entries()) expect(px, `history chart ${i + 1} is drawn`).to.be.greaterThan(500);

    // The search checks its fields first, in Chinese.
    await board.fill('#hs-number', '138-00');
    await board.click('#hs-search button[type=submit]');
    await board.waitForFunction(() => document.querySelector('#hs-calls')?.textContent === '号码只能填写数字');
    await board.fill('#hs-number', '0013800');
    await board.click('#hs-search button[type=submit]');
    const row = board.locator('#hs-calls tr[data-call="hist-1"]');
    await row.waitFor();
    expect(await board.locator('#hs-calls tbody tr').count()).to.equal(1);
    expect(await row.innerText()).to.match(/13800138000\t粤语\t已接听\t陈嘉欣 1001\t6\.0 秒\t34\.0 秒/);
    await row.locator('button').click();
    await board.waitForFunction(() => {
      const a = document.querySelector<HTMLAudioElement>('#hs-player');
      return !!a && !a.hidden && a.src.includes('/api/recordings/hist-rec-1.wav?grant=');
    });
    // The reports built so far are listed, each a link to its page.
    expect(await board.locator('#hs-reports a').first().getAttribute('href')).to.equal('/report.html?month=2026-10');
    await board.screenshot({ path: join(ARTIFACTS, 'board-history.png') });
    await board.click('#hs-close');
    expect(await board.locator('#history').isVisible()).to.equal(false);

    const admin = await openConsole(browser, n.url, { workNumber: '9001', password: PASSWORD, expectPath: '/admin.html' }, pageErrors);
    await admin.waitForFunction(() => (document.querySelector('#alarm-trend-note')?.textContent ?? '').includes('30 分钟无来电 1 次'));
    const trendInk = await admin.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#alarm-trend canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && (d[i]! < 240 || d[i + 1]! < 240 || d[i + 2]! < 240)) n++;
      return n;
    });
    expect(trendInk).to.be.greaterThan(500);
    // The supervisor's listen above is in the admin's 录音调听记录.
    await admin.locator('#listens tbody tr').first().waitFor();
    const listen = await admin.locator('#listens tbody tr').first().innerText();
    expect(listen.split('\t').slice(1, 5)).to.deep.equal(['2001', '班长', 'hist-rec-1', '在线播放']);
    await admin.screenshot({ path: join(ARTIFACTS, 'admin-alarm-trend.png') });
    expect(pageErrors).to.deep.equal([]);
  });
});

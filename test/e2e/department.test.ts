import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { WorkOrderView } from '../../contracts';
import { customers } from '../../scripts/seed-data';
import { launchChromium, openConsole } from '../helpers/browser';
import { ConsoleClient, login } from '../helpers/consoles';
import { PbxHarness } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const PASSWORD = 'test-password';

/**
 * The engineering department's page in headless Chromium while the call centre works: a burst main
 * reported on a real simulated call reaches the page live with everything the agent asked
 * (Art. 13), and so does any later order; other departments' orders never show.
 */
describe('department page in Chromium: burst details and live orders', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  let browser: Browser;
  let dept: Page;
  let burstNumber = '';
  const pageErrors: string[] = [];
  afterEach(() => {
    expect(pageErrors.splice(0)).to.deep.equal([]);
  });
  const caller = customers()[0]!;
  const BURST = { location: '东风路与人民东路交叉口西北角绿化带', diameter: '300', landmarks: '东风路公交总站、工商银行东城支行', description: '绿化带地面冒水，水柱约半米高，路面开始积水' };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await PbxHarness.start({ ready: [] });
    h.pbx.setPhone('1001', { behaviour: { kind: 'answer', afterMs: 500 } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  const open = (workNumber: string, expectPath: string): Promise<Page> => openConsole(browser, h.node.url, { workNumber, password: PASSWORD, expectPath: expectPath }, pageErrors);

  const field = (number: string, name: string) => dept.locator(`#wo-${number} [data-field="${name}"]`).innerText();

  it('an agent reports a burst main on a call: the department page shows it live with location, 300 mm, 表前, landmarks and the caller', async () => {
    dept = await open('3001', '/department.html');
    expect(await dept.locator('#conn').innerText()).to.equal('已连接');
    expect(await dept.locator('#dept-title').innerText()).to.contain('工程公司');
    await dept.waitForSelector('#orders :text("暂无工单")');

    const agent = await open('1001', '/agent.html');
    await agent.click('#btn-ready');
    await agent.waitForFunction(() => (document.querySelector('#state')?.textContent ?? '').includes('就绪'));
    const call = h.ari.placeCall({ callerNumber: caller.phones[0]!, dtmf: [{ digit: '1', afterMs: 20 }] });
    await agent.waitForSelector('.banner.talking', { timeout: 15_000 });
    await agent.selectOption('#wo-category', 'pipe_burst');
    await agent.fill('#wo-location', BURST.location);
    await agent.fill('#wo-diameter', BURST.diameter);
    await agent.selectOption('#wo-meterSide', 'before');
    await agent.fill('#wo-landmarks', BURST.landmarks);
    await agent.fill('#wo-description', BURST.description);
    await agent.click('#wo-submit');
    await agent.waitForFunction(() => /WO\d{8}-\d{4}/.test(document.querySelector('#wo-result')?.textContent ?? ''));
    burstNumber = /WO\d{8}-\d{4}/.exec(await agent.locator('#wo-result').innerText())![0];
    call.hangup();

    // No reload: the order arrives over the page's socket.
    await dept.waitForSelector(`#wo-${burstNumber}`);
    expect(await dept.locator(`#wo-${burstNumber}`).getAttribute('class')).to.contain('emergency');
    expect(await field(burstNumber, 'category')).to.equal('爆管');
    expect(await dept.locator(`#wo-${burstNumber} .wo-head`).innerText()).to.contain('紧急');
    expect(await field(burstNumber, 'location')).to.equal(BURST.location);
    expect(await field(burstNumber, 'diameter')).to.equal('300 毫米');
    expect(await field(burstNumber, 'meterSide')).to.equal('表前');
    expect(await field(burstNumber, 'landmarks')).to.equal(BURST.landmarks);
    expect(await field(burstNumber, 'description')).to.equal(BURST.description);
    expect(await field(burstNumber, 'address')).to.equal(caller.address);
    expect(await field(burstNumber, 'contactPhone')).to.equal(caller.phones[0]);
    expect(await field(burstNumber, 'callerNumber')).to.equal(caller.phones[0]);
    expect(await field(burstNumber, 'account')).to.equal(caller.accountNumber);
    expect(await field(burstNumber, 'deadline')).to.match(/^通知 \d{2}\/\d{2} \d{2}:\d{2}/);
    expect(await dept.locator('#conn').innerText()).to.equal('已连接');
    await dept.screenshot({ path: join(ARTIFACTS, 'department-burst-live.png') });

    // The supervisors' emergency alarm names the burst location, not the customer's address.
    const alarm = await waitFor(async () => (await h.node.models.Alarm.findOne({ key: `emergency:${burstNumber}` }).lean()) ?? undefined, { what: 'emergency alarm' });
    expect(alarm.message).to.contain(BURST.location).and.contain('300 毫米').and.not.contain(caller.address);
  });

  it('after a reload the list comes back whole; a leak filed meanwhile appears live right after the open emergency; another department\'s order never shows', async () => {
    await dept.reload();
    await dept.waitForSelector('.conn.ok');
    await dept.waitForSelector(`#wo-${burstNumber}`);
    expect(await field(burstNumber, 'location')).to.equal(BURST.location);

    // Another agent files two orders from their console: a leak (engineering) and low pressure (production).
    const s = await login(h.node.url, '1002', PASSWORD);
    const agent2 = new ConsoleClient(h.node.url, '/agent', s.token);
    await agent2.connect();
    const pressure = await agent2.command<WorkOrderView>('work-order:create', { category: 'pressure', contactPhone: '13600000000', address: '南城区南华路 3 号', description: '高层水压不足' });
    expect(pressure.ok, JSON.stringify(pressure)).to.equal(true);
    const leak = await agent2.command<WorkOrderView>('work-order:create', {
      category: 'leak',
      contactName: '李女士',
      contactPhone: '13500000000',
      address: '西城区建设路 20 号',
      description: '小区门口水表井一直冒水',
      leak: { location: '建设路 20 号小区东门水表井', pipeDiameterMm: 25, meterSide: 'after', landmarks: '东门保安亭旁' },
    });
    agent2.close();
    expect(leak.ok, JSON.stringify(leak)).to.equal(true);
    const leakNumber = (leak as { data: WorkOrderView }).data.number;

    await dept.waitForSelector(`#wo-${leakNumber}.fresh`);
    // By urgency (issue 12): the open burst, an emergency, stays first; the new leak comes right after it.
    expect(await dept.locator('.wo-card').nth(0).getAttribute('id')).to.equal(`wo-${burstNumber}`);
    expect(await dept.locator('.wo-card').nth(1).getAttribute('id')).to.equal(`wo-${leakNumber}`);
    expect(await field(leakNumber, 'location')).to.equal('建设路 20 号小区东门水表井');
    expect(await field(leakNumber, 'meterSide')).to.equal('表后');
    expect(await field(leakNumber, 'contact')).to.equal('李女士');
    expect(await field(leakNumber, 'callerNumber')).to.equal('非来电登记');
    expect(await dept.locator(`#wo-${leakNumber} .tag.new`).innerText()).to.equal('新');
    expect(await dept.locator('.wo-card').count()).to.equal(2);
    expect(await dept.locator('#orders').innerText()).not.to.contain((pressure as { data: WorkOrderView }).data.number);
    expect(await dept.locator('#summary').innerText()).to.contain('共 2 张');
    expect(await dept.locator('#conn').innerText()).to.equal('已连接');
    await dept.screenshot({ path: join(ARTIFACTS, 'department-new-order-live.png') });
  });

  it('the badge follows the connection; an order filed while the page was cut off is there once it reconnects', async () => {
    await dept.context().setOffline(true);
    await dept.waitForSelector('#conn.conn.down');
    expect(await dept.locator('#conn').innerText()).to.contain('连接中断');
    const s = await login(h.node.url, '1003', PASSWORD);
    const agent3 = new ConsoleClient(h.node.url, '/agent', s.token);
    await agent3.connect();
    const fault = await agent3.command<WorkOrderView>('work-order:create', {
      category: 'fault',
      contactPhone: '13400000000',
      address: '北城区越秀路 9 号',
      description: '消火栓漏水',
      leak: { location: '越秀路 9 号门前消火栓', meterSide: 'unknown' },
    });
    agent3.close();
    expect(fault.ok, JSON.stringify(fault)).to.equal(true);
    const faultNumber = (fault as { data: WorkOrderView }).data.number;
    await dept.context().setOffline(false);
    await dept.waitForSelector('#conn.conn.ok', { timeout: 20_000 });
    expect(await dept.locator('#conn').innerText()).to.equal('已连接');
    await dept.waitForSelector(`#wo-${faultNumber}`);
    expect(await field(faultNumber, 'location')).to.equal('越秀路 9 号门前消火栓');
    expect(await field(faultNumber, 'diameter')).to.equal('—');
    expect(await dept.locator('.wo-card').count()).to.equal(3);
  });
});

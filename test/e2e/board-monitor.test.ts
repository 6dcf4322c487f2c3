import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openConsole } from '../helpers/browser';
import { callClosed, callInState } from '../helpers/calls';
import { PbxHarness, SUPERVISOR_EXTENSION } from '../helpers/pbx-harness';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const PASSWORD = 'test-password';

/** The board's 监听 / 强插 / 结束监听 in headless Chromium, on a simulated call in conversation. */
describe('supervisor board in Chromium: 监听, 强插 and 结束监听 on a call in conversation', function () {
  this.timeout(120_000);
  let h: PbxHarness;
  let browser: Browser;
  const pageErrors: string[] = [];
  afterEach(() => {
    expect(pageErrors.splice(0)).to.deep.equal([]);
  });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await PbxHarness.start({ ready: ['1001'], env: { OUTAGE_IVR: 'false' } });
    h.pbx.setPhone(SUPERVISOR_EXTENSION, { behaviour: { kind: 'answer', afterMs: 300 } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  const open = (workNumber: string, path: string): Promise<Page> => openConsole(browser, h.node.url, { workNumber, password: PASSWORD, expectPath: path }, pageErrors);
  const monitorBridge = () => h.ari.bridges().find((b) => b.id.startsWith('mon-'));

  it('the supervisor clicks 监听: the desk phone is rung, the board shows 监听中; 强插, then 结束监听; the admin reads it in 录音调听记录', async () => {
    const board = await open('2001', '/supervisor.html');
    const caller = h.ari.placeCall({ callerNumber: '13800006601', dtmf: [{ digit: '1', afterMs: 20 }] });
    await callInState(h, caller, 'talking');
    const { callId } = (await h.node.models.Call.findOne({ callerChannelId: caller.id }).lean())!;
    const row = `#monitor-${callId}`;

    await board.click(`${row} button.monitor-listen`);
    await board.locator(`${row} .monitor-mode[data-phase="active"]`).waitFor();
    expect(await board.locator(`${row} .monitor-mode`).innerText()).to.equal('监听中');
    // What the click did on the PBX: the supervisor's phone with a snoop of the agent's leg in a bridge of their own.
    await waitFor(() => monitorBridge()?.channels.length === 2, { what: 'snoop and supervisor bridged' });
    expect(h.ari.channels().some((c) => c.endpoint === `PJSIP/${SUPERVISOR_EXTENSION}` && c.state === 'Up')).to.equal(true);
    expect(await board.locator(`${row} button`).allInnerTexts()).to.deep.equal(['耳语', '强插', '结束监听']);
    await board.screenshot({ path: join(ARTIFACTS, 'board-monitor.png') });

    await board.click(`${row} button.monitor-barge`);
    await board.locator(`${row} .monitor-mode[data-mode="barge"]`).waitFor();
    expect(await board.locator(`${row} .monitor-mode`).innerText()).to.equal('强插中');
    await waitFor(() => h.ari.bridges().find((b) => b.id === `br-${callId}`)?.channels.length === 3, { what: 'three in the call' });
    // The agent's console opened during the barge shows it from its first snapshot, not only at the next change.
    const agent = await open('1001', '/agent.html');
    await agent.locator('#monitor-notice[data-mode="barge"]').waitFor();
    expect(await agent.locator('#monitor-notice').innerText()).to.equal('班长 林国栋（2001）已强插加入本通话（三方通话）');

    await board.click(`${row} button.monitor-stop`);
    // (In barge the row already offers 监听: wait for the stop's answer, not for the button.)
    await board.locator('#monitor-msg', { hasText: '已结束监听' }).waitFor();
    await board.locator(`${row} .monitor-mode`).waitFor({ state: 'detached' });
    await waitFor(() => !h.ari.channels().some((c) => c.id.startsWith('mon-')), { what: 'supervisor leg hung up' });
    await agent.reload();
    await agent.waitForSelector('.conn.ok');
    await agent.locator('#monitor-notice').waitFor({ state: 'hidden' });

    // An admin without a desk phone is refused in Chinese on the board (admins land on their own page first).
    const admin = await open('9001', '/admin.html');
    await admin.goto(`${h.node.url}/supervisor.html`);
    await admin.waitForSelector('.conn.ok');
    await admin.click(`${row} button.monitor-listen`);
    await admin.locator('#monitor-msg.error').waitFor();
    expect(await admin.locator('#monitor-msg').innerText()).to.contain('分机');

    caller.hangup();
    await callClosed(h, caller);
    await admin.goto(`${h.node.url}/admin.html`);
    await admin.locator('#listens td', { hasText: '强插' }).first().waitFor();
    const rows = await admin.locator('#listens tbody tr').allInnerTexts();
    expect(rows.filter((r) => r.includes(callId)).map((r) => r.split('\t')[4])).to.deep.equal(['强插', '监听']);
  });
});

import type { CallInProgress, MonitorCommand, MonitorMode, MonitorStopCommand, MonitorView } from '../../contracts';
import { MONITOR_MODE_ZH } from '../../contracts/zh';
import { h } from './common';

const MODES: MonitorMode[] = ['listen', 'whisper', 'barge'];

/** What the board needs to send: the commands and where to say how they went. */
export interface MonitorDesk {
  me: string;
  monitor(cmd: MonitorCommand): Promise<{ ok: true; data: MonitorView } | { ok: false; message: string }>;
  stop(cmd: MonitorStopCommand): Promise<{ ok: true } | { ok: false; message: string }>;
  say(text: string, bad: boolean): void;
}

/**
 * 监听 / 耳语 / 强插 under one call of the board (a row of its own, the call's row being full):
 * buttons on a call in conversation nobody monitors; the mode in effect (or the phone ringing) and
 * 结束监听 on the supervisor's own; who monitors someone else's. Nothing under other calls. The
 * server decides and refuses in Chinese; the board shows it as it comes back.
 */
export function monitorRow(c: CallInProgress, desk: MonitorDesk, columns: number): HTMLElement | null {
  const m = c.monitor;
  if (!m && c.state !== 'talking') return null;
  const row = (...cells: Array<HTMLElement | string>) => h('tr', { id: `monitor-${c.callId}`, class: 'monitor-row' }, h('td', { colspan: columns, class: 'monitor-cell' }, ...cells));
  if (!m) return row(...MODES.map((mode) => button(c.callId, mode, desk)));
  const status = m.phase === 'dialing' ? `正在呼叫${m.supervisor === desk.me ? '您的' : ''}话机（${MONITOR_MODE_ZH[m.mode]}）` : `${MONITOR_MODE_ZH[m.mode]}中`;
  if (m.supervisor !== desk.me) return row(h('span', { class: 'tag', title: `班长 ${m.supervisor}` }, `${m.supervisorName} ${status}`));
  return row(
    h('span', { class: 'tag monitor-mode', 'data-mode': m.mode, 'data-phase': m.phase }, status),
    ...MODES.filter((mode) => mode !== m.mode).map((mode) => button(c.callId, mode, desk)),
    h(
      'button',
      {
        class: 'btn small monitor-stop',
        type: 'button',
        onclick: async () => {
          const r = await desk.stop({ callId: c.callId });
          desk.say(r.ok ? '已结束监听' : r.message, !r.ok);
        },
      },
      '结束监听',
    ),
  );
}

function button(callId: string, mode: MonitorMode, desk: MonitorDesk): HTMLElement {
  return h(
    'button',
    {
      class: `btn small monitor-${mode}`,
      type: 'button',
      'data-mode': mode,
      onclick: async () => {
        const r = await desk.monitor({ callId, mode });
        desk.say(r.ok ? (r.data.phase === 'dialing' ? `已呼叫您的话机，接听即开始${MONITOR_MODE_ZH[mode]}` : `已切换为${MONITOR_MODE_ZH[mode]}`) : r.message, !r.ok);
      },
    },
    MONITOR_MODE_ZH[mode],
  );
}

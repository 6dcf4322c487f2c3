import type { AgentMonitorNotice } from '../../contracts';

const SAYS: Record<NonNullable<AgentMonitorNotice['mode']>, string> = {
  barge: '已强插加入本通话（三方通话）',
  whisper: '正在对您耳语（来电方听不到）',
  listen: '正在监听本通话',
};

/**
 * What the agent is told of a supervisor on the call: a barge always (a third voice on the line),
 * listen and whisper only where MONITOR_TELL_AGENT is set. Gone when the monitor or the call ends.
 */
export class MonitorNoticeLine {
  private callId: string | null = null;

  constructor(private readonly el: HTMLElement) {}

  show(m: AgentMonitorNotice): void {
    if (!m.mode) return this.clear(m.callId);
    this.callId = m.callId;
    // Names may carry their title already (「班长 林国栋」, 「系统管理员 郑海」): not said twice.
    const who = /\s/.test(m.supervisorName.trim()) ? m.supervisorName : `班长 ${m.supervisorName}`;
    this.el.textContent = `${who}（${m.supervisor}）${SAYS[m.mode]}`;
    this.el.dataset.mode = m.mode;
    this.el.hidden = false;
  }

  /** From a snapshot (a reload, a reconnect): what is in effect now, or nothing. */
  restore(m: AgentMonitorNotice | null): void {
    if (m) this.show(m);
    else this.clear();
  }

  /** The notice of `callId` (or any, without one) is taken down. */
  clear(callId?: string): void {
    if (callId && this.callId !== callId) return;
    this.callId = null;
    this.el.textContent = '';
    delete this.el.dataset.mode;
    this.el.hidden = true;
  }
}

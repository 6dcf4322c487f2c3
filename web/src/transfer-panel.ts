import type { Socket } from 'socket.io-client';
import type { Ack, AgentClientToServer, AgentServerToClient, TransferTargetsView, TransferView } from '../../contracts';
import { ackResult, byId, h, replace } from './common';

/** Why a transfer ended without a hand-over, as the agent reads it. */
const REASON_TEXT: Record<NonNullable<TransferView['reason']>, string> = {
  'no-answer': '对方未接听',
  busy: '对方忙线或拒接',
  unreachable: '对方话机无法接通',
  'hung-up': '对方已挂机',
  cancelled: '已返回通话',
  failed: '转接失败',
};

/**
 * 咨询 / 完成转接 / 返回通话 / 转部门 under the talking banner of the agent who holds the call: the
 * choices (Ready colleagues, supervisors, departments' lines) are read when the call begins and on
 * 刷新; every step of a transfer, from this console or the server, shows here with its outcome.
 */
export class TransferPanel {
  private readonly el = byId('transfer');
  private callId: string | null = null;
  private targets: TransferTargetsView | null = null;
  /** The transfer of the shown call in progress (ringing or consulting), if any. */
  private current: TransferView | null = null;
  private note = '';
  /** Calls handed to this agent by a colleague's consult: they hold them now and may transfer them on. */
  private readonly handedToMe = new Set<string>();

  constructor(
    private readonly socket: Socket<AgentServerToClient, AgentClientToServer>,
    private readonly me: () => string | undefined,
  ) {}

  /** Whether this agent holds `callId` (not only consulted on it). */
  holds(callId: string, consultedOn: boolean): boolean {
    return !consultedOn || this.handedToMe.has(callId);
  }

  onUpdate(t: TransferView): void {
    if (t.stage === 'completed' && t.target === this.me()) this.handedToMe.add(t.callId);
    if (t.agentWorkNumber !== this.me() || t.callId !== this.callId) return;
    this.current = t.stage === 'ringing' || t.stage === 'consulting' ? t : null;
    if (t.stage === 'failed' || t.stage === 'returned') this.note = `${REASON_TEXT[t.reason ?? 'failed']}${t.reason === 'cancelled' ? '' : '，已返回通话'}`;
    if (t.stage === 'completed') this.note = t.kind === 'consult' ? `已转接给 ${t.target} ${t.targetName}` : `已转至${t.targetName}（${t.number ?? ''}）`;
    this.draw();
  }

  /** Called on every render of the console: the panel shows for the call this agent holds, else hides. */
  show(callId: string | null): void {
    if (callId === this.callId) return;
    this.callId = callId;
    this.current = null;
    this.note = '';
    if (callId) this.load();
    this.draw();
  }

  private load(): void {
    this.socket.timeout(10_000).emit('call:transfer-targets', {}, (e: Error | null, res: Ack<TransferTargetsView> | undefined) => {
      const r = ackResult(e, res);
      if (r.ok) this.targets = r.data;
      else this.note = r.message;
      this.draw();
    });
  }

  private send(event: 'call:consult' | 'call:consult-complete' | 'call:consult-cancel' | 'call:transfer-out', body: Record<string, string>): void {
    const cb = (e: Error | null, res: Ack<TransferView> | undefined) => {
      const r = ackResult(e, res);
      if (!r.ok) this.note = r.message;
      else this.onUpdate(r.data);
      this.draw();
    };
    const callId = this.callId;
    if (!callId) return;
    this.note = '';
    if (event === 'call:consult') this.socket.timeout(10_000).emit(event, { callId, target: body.target ?? '' }, cb);
    else if (event === 'call:transfer-out') this.socket.timeout(10_000).emit(event, { callId, number: body.number ?? '' }, cb);
    else this.socket.timeout(10_000).emit(event, { callId }, cb);
  }

  private draw(): void {
    this.el.hidden = !this.callId;
    if (!this.callId) return replace(this.el);
    const t = this.current;
    const note = this.note ? h('div', { id: 'transfer-note', class: 'muted' }, this.note) : null;
    if (t) {
      const who = t.kind === 'consult' ? `${t.target} ${t.targetName}` : `${t.targetName}（${t.number ?? ''}）`;
      const text =
        t.kind === 'department' ? `正在转接 ${who}…` : t.stage === 'ringing' ? `正在呼叫 ${who}，来电人听等待音乐…` : `正在与 ${who} 咨询，来电人听等待音乐`;
      replace(
        this.el,
        h('strong', { id: 'transfer-stage' }, text),
        ' ',
        t.kind === 'consult' && t.stage === 'consulting'
          ? h('button', { id: 'btn-consult-complete', class: 'btn ready', type: 'button', onclick: () => this.send('call:consult-complete', {}) }, '完成转接')
          : null,
        t.kind === 'consult' ? h('button', { id: 'btn-consult-cancel', class: 'btn', type: 'button', onclick: () => this.send('call:consult-cancel', {}) }, '返回通话') : null,
        note,
      );
      return;
    }
    const tg = this.targets;
    const people = h(
      'select',
      { id: 'transfer-target', 'aria-label': '咨询对象' },
      h('option', { value: '' }, tg && tg.agents.length + tg.supervisors.length === 0 ? '— 暂无就绪同事 —' : '— 咨询对象 —'),
      ...(tg?.agents ?? []).map((a) => h('option', { value: a.workNumber }, `${a.workNumber} ${a.name}（就绪）`)),
      ...(tg?.supervisors ?? []).map((a) => h('option', { value: a.workNumber }, `${a.workNumber} ${a.name}（班长）`)),
    );
    const depts = h(
      'select',
      { id: 'transfer-dept', 'aria-label': '转接部门' },
      h('option', { value: '' }, '— 转接部门 —'),
      ...(tg?.departments ?? []).map((d) => h('option', { value: d.number }, `${d.name} ${d.number}`)),
    );
    replace(
      this.el,
      people,
      h('button', { id: 'btn-consult', class: 'btn', type: 'button', onclick: () => people.value && this.send('call:consult', { target: people.value }) }, '咨询/转接'),
      ' ',
      depts,
      h('button', { id: 'btn-transfer-out', class: 'btn', type: 'button', onclick: () => depts.value && this.send('call:transfer-out', { number: depts.value }) }, '转部门'),
      h('button', { id: 'btn-transfer-refresh', class: 'btn', type: 'button', title: '重新读取就绪同事', onclick: () => this.load() }, '刷新'),
      note,
    );
  }
}

import type { BoardConsultNotice } from '../../contracts';
import { h } from './common';

const STAGE: Record<BoardConsultNotice['stage'], string> = {
  ringing: '您的话机正在振铃，请接听',
  consulting: '咨询中，来电方正在等待',
  'handed-over': '通话已转给您',
};

/**
 * The board's banner for its own supervisor being consulted (their desk phone has no screen-pop):
 * who consults, who is calling and the customer on file; after the hand-over, that the call is now
 * theirs. Taken down when the consult ends without it, or the call ends.
 */
export class ConsultNoticeBanner {
  constructor(private readonly el: HTMLElement) {}

  show(n: BoardConsultNotice | null): void {
    if (!n) {
      this.el.replaceChildren();
      delete this.el.dataset.callId;
      delete this.el.dataset.stage;
      this.el.hidden = true;
      return;
    }
    const from = `${n.from}${n.fromName ? ` ${n.fromName}` : ''}`;
    const title = n.stage === 'handed-over' ? `您正在接听由 ${from} 转接的来电` : `来自 ${from} 的咨询`;
    const c = n.customer;
    this.el.replaceChildren(
      h('strong', { class: 'consult-title' }, title),
      h('span', { class: 'consult-stage muted' }, STAGE[n.stage]),
      h('span', { class: 'consult-caller' }, `来电号码 ${n.callerNumber}`),
      c
        ? h('span', { class: 'consult-customer' }, `客户 ${c.name}（户号 ${c.accountNumber}）${c.address ? ` · ${c.address}` : ''}${c.bigUser ? ' · 大用户' : ''}`)
        : h('span', { class: 'consult-customer muted' }, '未查到客户档案'),
    );
    this.el.dataset.callId = n.callId;
    this.el.dataset.stage = n.stage;
    this.el.hidden = false;
  }
}

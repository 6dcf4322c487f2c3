import type { WorkOrderBrief } from '../../contracts';
import { fmtDuration, h, now } from './common';

/**
 * How the call centre's pages show one order's urgency: its flags as tags and the time left to
 * its next deadline (counted on the server's clock, refreshed by `tickDeadlines`).
 */

const FINISHED = new Set(['resolved', 'archived']);
export const isFinished = (o: Pick<WorkOrderBrief, 'status'>): boolean => FINISHED.has(o.status);
export const isLate = (o: Pick<WorkOrderBrief, 'noticeLate' | 'acceptLate' | 'overdue'>): boolean => o.noticeLate || o.acceptLate || o.overdue;

/** Most urgent first: emergencies, overdue, otherwise late, escalated; then the oldest. The server sorts the same way. */
export function byUrgency(a: WorkOrderBrief, b: WorkOrderBrief): number {
  const rank = (o: WorkOrderBrief) => (isFinished(o) ? 9 : o.emergency ? 0 : o.overdue ? 1 : isLate(o) ? 2 : o.escalated ? 3 : 4);
  return rank(a) - rank(b) || (isFinished(a) ? b.updatedAt - a.updatedAt : a.createdAt - b.createdAt);
}

export function flagTags(o: WorkOrderBrief): HTMLElement[] {
  const tags: Array<[boolean, string, string]> = [
    [o.emergency, 'emergency', '紧急'],
    [o.noticeLate, 'late', '通知超时'],
    [o.acceptLate, 'late', '受理超时'],
    [o.overdue, 'late', '逾期'],
    [o.escalated, 'escalated', '已升级'],
    [o.urgeCount > 0, 'urged', `已催办${o.urgeCount > 1 ? ` ${o.urgeCount} 次` : ''}`],
  ];
  return tags.filter(([on]) => on).map(([, cls, text]) => h('span', { class: `tag flag-${cls}` }, text));
}

/** The deadline that matters now: acceptance (complaints, before accepting), else completion. */
function nextDeadline(o: WorkOrderBrief): { at: number; what: string } | null {
  if (isFinished(o)) return null;
  if (o.acceptBy !== null && (o.status === 'open' || o.status === 'dispatched')) return { at: o.acceptBy, what: '受理' };
  if (o.dueBy !== null) return { at: o.dueBy, what: '办结' };
  return null;
}

/** `data-deadline` cells are refreshed every second by `tickDeadlines`. */
export function timeLeft(o: WorkOrderBrief): HTMLElement {
  const d = nextDeadline(o);
  if (!d) return h('span', { class: 'muted' }, isFinished(o) ? '—' : '无时限');
  const el = h('span', { 'data-deadline': d.at, 'data-what': d.what }, '');
  paint(el, now());
  return el;
}

function paint(el: HTMLElement, t: number): void {
  const at = Number(el.dataset.deadline);
  const what = el.dataset.what ?? '';
  const left = at - t;
  el.textContent = left >= 0 ? `${what}剩 ${fmtDuration(left)}` : `${what}超 ${fmtDuration(-left)}`;
  el.className = left >= 0 ? (left < 15 * 60_000 ? 'deadline soon' : 'deadline') : 'deadline over';
}

export function tickDeadlines(): void {
  const t = now();
  document.querySelectorAll<HTMLElement>('[data-deadline]').forEach((el) => paint(el, t));
}

import type { AlarmView } from '../../contracts';
import { ALARM_KIND_LABEL, fmtDateTime, h, replace } from './common';

/** The alarm list of the board and the admin page: newest first, each acknowledged once by anyone. */
export class AlarmFeed {
  private readonly alarms = new Map<string, AlarmView>();

  constructor(
    private readonly el: HTMLElement,
    private readonly acknowledge: (id: string, done: (error?: string) => void) => void,
    private readonly opts: {
      onNew?: (a: AlarmView) => void;
      /** After every change: the pages show how many alarms still wait for someone. */
      onCount?: (unacknowledged: number) => void;
    } = {},
  ) {}

  setAll(list: AlarmView[]): void {
    this.alarms.clear();
    for (const a of list) this.alarms.set(a.id, a);
    this.render();
  }

  raised(a: AlarmView): void {
    const fresh = !this.alarms.has(a.id);
    this.alarms.set(a.id, a);
    this.render();
    if (fresh) this.opts.onNew?.(a);
  }

  updated(a: AlarmView): void {
    this.alarms.set(a.id, a);
    this.render();
  }

  get unacknowledged(): number {
    return [...this.alarms.values()].filter((a) => a.acknowledgedAt === null).length;
  }

  private render(): void {
    this.opts.onCount?.(this.unacknowledged);
    const list = [...this.alarms.values()].sort((a, b) => b.raisedAt - a.raisedAt).slice(0, 50);
    if (list.length === 0) {
      replace(this.el, h('p', { class: 'muted' }, '暂无告警'));
      return;
    }
    replace(
      this.el,
      h(
        'ul',
        { class: 'alarms' },
        ...list.map((a) => {
          const err = h('span', { class: 'error' });
          return h(
            'li',
            { class: `alarm sev-${a.severity}${a.acknowledgedAt ? ' acked' : ''}`, id: `alarm-${a.id}` },
            h('span', { class: 'tag' }, ALARM_KIND_LABEL[a.kind] ?? a.kind),
            h('span', { class: 'when' }, fmtDateTime(a.raisedAt)),
            a.acknowledgedAt
              ? h('span', { class: 'muted acked-by' }, `${a.acknowledgedBy ?? ''} 已确认 ${fmtDateTime(a.acknowledgedAt)}`)
              : h(
                  'button',
                  {
                    class: 'btn ack',
                    type: 'button',
                    onclick: (ev: Event) => {
                      const b = ev.currentTarget as HTMLButtonElement;
                      b.disabled = true;
                      this.acknowledge(a.id, (e) => {
                        b.disabled = false;
                        err.textContent = e ?? '';
                      });
                    },
                  },
                  '确认',
                ),
            h('span', { class: 'msg' }, a.message),
            err,
          );
        }),
      ),
    );
  }
}

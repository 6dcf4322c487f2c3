import type { DispatchEntryView, LoginResponse, OutageNoticeView } from '../../contracts';
import { api, byId, errorText, fmtDateTime, h, replace } from './common';

/** Outages change by the hour: read every 30 s (and a new one is on the board within that). */
const REFRESH_MS = 30_000;

/** 停水 on the supervisor board: the outages announced or under way, soonest end first, with the calls each drew. */
export class OutageBoardPanel {
  constructor(private readonly session: LoginResponse) {
    setInterval(() => void this.load(), REFRESH_MS);
  }

  async load(): Promise<void> {
    const el = byId('ot-board');
    try {
      const [list, anomalies] = await Promise.all([
        api<OutageNoticeView[]>('/api/outages?active=true&limit=50', { token: this.session.token }),
        api<DispatchEntryView[]>('/api/dispatch?status=open&kind=anomaly&limit=20', { token: this.session.token }),
      ]);
      byId('ot-count').textContent = [list.length ? `停水 ${list.length} 处` : '', anomalies.length ? `异常 ${anomalies.length} 条` : ''].filter(Boolean).join(' · ');
      // Dispatch's network anomalies: the call centre expects calls from there.
      const alerts = anomalies.map((a) =>
        h('tr', { id: `dd-row-${a.id}`, class: 'anomaly' }, h('td', {}, '管网异常'), h('td', {}, a.location), h('td', {}, a.affectedArea ?? a.areaCodes.join('、')), h('td', {}, a.note ?? ''), h('td', {}, fmtDateTime(a.createdAt))),
      );
      if (!list.length && !alerts.length) {
        replace(el, h('p', { class: 'muted' }, '当前无停水、无管网异常'));
        return;
      }
      const rows = [...list]
        .sort((a, b) => a.expectedEndAt - b.expectedEndAt)
        .map((o) =>
          h(
            'tr',
            { id: `ot-row-${o.number}` },
            h('td', {}, o.number),
            h('td', {}, `${o.kind === 'planned' ? '计划' : '抢修'} · ${o.areaDescription}`),
            h('td', {}, o.status === 'in_progress' ? '停水中' : `${fmtDateTime(o.startsAt)} 起`),
            h('td', {}, `预计 ${fmtDateTime(o.expectedEndAt)} 恢复`),
            h('td', { class: o.large ? 'bad' : '' }, `约 ${o.peopleAffected} 人`),
            // The outage-aware greeting's tally: calls from its areas told of it, and those who left with 1.
            h('td', { 'data-field': 'calls' }, o.calls ? `来电 ${o.calls.total} · 告知离开 ${o.calls.informed}` : ''),
          ),
        );
      replace(el, h('table', { class: 'grid' }, h('tbody', {}, ...alerts, ...rows)));
    } catch (err) {
      replace(el, h('p', { class: 'error' }, `停水读取失败：${errorText(err)}`));
    }
  }
}

import type { WorkOrderView } from '../../contracts';
import { api, byId, CATEGORY_LABEL, DEPARTMENT_LABEL, fmtDateTime, h, header, replace, requireSession, STATUS_LABEL } from './common';

const session = requireSession(['department']);
header(session, '部门工单');
if (session.department) byId('dept-title').textContent = `${DEPARTMENT_LABEL[session.department]} · 工单`;

async function load(): Promise<void> {
  const list = await api<WorkOrderView[]>('/api/work-orders?limit=100', { token: session.token });
  replace(
    byId('orders'),
    list.length
      ? h(
          'table',
          { class: 'grid' },
          h('tr', {}, h('th', {}, '工单号'), h('th', {}, '时间'), h('th', {}, '类别'), h('th', {}, '状态'), h('th', {}, '地址'), h('th', {}, '联系电话'), h('th', {}, '描述')),
          ...list.map((o) =>
            h(
              'tr',
              { class: o.emergency ? 'emergency' : '' },
              h('td', {}, o.number),
              h('td', {}, fmtDateTime(o.createdAt)),
              h('td', {}, CATEGORY_LABEL[o.category]),
              h('td', {}, STATUS_LABEL[o.status]),
              h('td', {}, o.address),
              h('td', {}, o.contactPhone),
              h('td', { class: 'clip' }, o.description),
            ),
          ),
        )
      : h('p', { class: 'muted' }, '暂无工单'),
    h('p', { class: 'muted' }, '派单、受理与办结将在后续版本提供。'),
  );
}
void load();

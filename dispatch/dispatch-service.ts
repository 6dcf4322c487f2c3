import { isValidObjectId } from 'mongoose';
import { badRequest, conflict, forbidden, notFound } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import type { DispatchEntryDoc } from '../models/dispatch-entry';
import type { CreateDispatchEntryBody, DispatchEntryView, ListDispatchQuery, SessionUser } from '../contracts';

type Stored = DispatchEntryDoc & { _id: unknown; createdAt: Date };

const isDispatch = (u: SessionUser) => u.role === 'department' && u.department === 'dispatch';

/**
 * The exchange with the dispatch centre (Art. 19): the call centre (and the works departments)
 * enter large leaks, repairs and valve closures with location, diameter, valve status, affected
 * area and expected repair time; dispatch lists them, and posts the network anomalies it sees,
 * which the supervisor board shows so the call centre expects the calls. Either side closes them.
 */
export class DispatchService {
  private readonly log: Logger;

  constructor(private readonly d: { models: Pick<Models, 'DispatchEntry'>; logger: Logger }) {
    this.log = d.logger.child({ component: 'dispatch' });
  }

  async create(body: CreateDispatchEntryBody, by: SessionUser): Promise<DispatchEntryView> {
    if (body.kind === 'anomaly' && !(isDispatch(by) || by.role === 'admin')) throw forbidden('only dispatch posts network anomalies', '只有调度中心可以发布管网异常');
    if (body.kind !== 'anomaly' && by.role === 'department' && isDispatch(by)) throw forbidden('dispatch posts anomalies; leaks and repairs come from the call centre', '调度中心请发布“管网异常”；漏水、抢修、关阀由话务中心或责任部门登记');
    if (body.kind === 'valve' && !body.valveStatus) throw badRequest('a valve entry needs its status', '关阀登记须注明阀门状态', [{ field: 'valveStatus', message: 'required for kind valve', zh: '请选择阀门状态' }]);
    if ((body.kind === 'leak' || body.kind === 'repair') && !body.diameterMm) throw badRequest('a leak or repair needs the pipe diameter', '漏水、抢修登记须注明管径', [{ field: 'diameterMm', message: 'required for leaks and repairs', zh: '请填写管径' }]);
    const doc = await this.d.models.DispatchEntry.create({
      ...body,
      ...(body.expectedRepairAt ? { expectedRepairAt: new Date(body.expectedRepairAt) } : {}),
      status: 'open',
      createdBy: by.workNumber,
      side: isDispatch(by) ? 'dispatch' : 'call-centre',
    });
    this.log.info({ id: String(doc._id), kind: body.kind, location: body.location, by: by.workNumber }, 'dispatch exchange entry');
    return toView(doc.toObject() as Stored);
  }

  async close(id: string, by: SessionUser): Promise<DispatchEntryView> {
    const cur = await this.load(id);
    if (!(isDispatch(by) || by.role === 'supervisor' || by.role === 'admin' || cur.createdBy === by.workNumber)) throw forbidden('not yours to close', '只有调度中心、班长或登记人可以关闭');
    if (cur.status === 'closed') throw conflict('closed already', '该条目已关闭');
    const after = await this.d.models.DispatchEntry.findOneAndUpdate(
      { _id: id, status: 'open' },
      { $set: { status: 'closed', closedBy: by.workNumber, closedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean<Stored>();
    if (!after) throw conflict('closed already', '该条目已关闭');
    return toView(after);
  }

  async list(q: ListDispatchQuery): Promise<DispatchEntryView[]> {
    const filter: Record<string, unknown> = {};
    if (q.status) filter.status = q.status;
    if (q.kind) filter.kind = q.kind;
    const docs = await this.d.models.DispatchEntry.find(filter).sort({ createdAt: -1 }).limit(q.limit).lean<Stored[]>();
    return docs.map(toView);
  }

  private async load(id: string): Promise<Stored> {
    const doc = isValidObjectId(id) ? await this.d.models.DispatchEntry.findById(id).lean<Stored>() : null;
    if (!doc) throw notFound(`dispatch entry ${id}`, '该调度条目不存在');
    return doc;
  }
}

const epoch = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

function toView(d: Stored): DispatchEntryView {
  return {
    id: String(d._id),
    kind: d.kind as DispatchEntryView['kind'],
    location: d.location,
    diameterMm: d.diameterMm ?? null,
    valveStatus: (d.valveStatus as DispatchEntryView['valveStatus'] | undefined) ?? null,
    areaCodes: [...(d.areaCodes ?? [])],
    affectedArea: d.affectedArea ?? null,
    expectedRepairAt: epoch(d.expectedRepairAt),
    note: d.note ?? null,
    workOrderNumber: d.workOrderNumber ?? null,
    outageNumber: d.outageNumber ?? null,
    status: d.status as DispatchEntryView['status'],
    side: d.side as DispatchEntryView['side'],
    createdBy: d.createdBy,
    createdAt: d.createdAt.getTime(),
    closedBy: d.closedBy ?? null,
    closedAt: epoch(d.closedAt),
  };
}

import type { RedisClient } from '../core/connections';
import { forbidden, isDuplicateKey, notFound } from '../core/errors';
import type { Logger } from '../core/logger';
import { shanghaiDay } from '../core/time';
import type { EventBus } from '../events/event-bus';
import type { Models } from '../models';
import {
  DEPARTMENT_FOR_CATEGORY,
  DEPARTMENT_LABEL,
  EMERGENCY_CATEGORIES,
  LEAK_DETAIL_CATEGORIES,
  type DepartmentCode,
  type WorkOrderCategory,
  type WorkOrderStatus,
} from '../models/enums';
import type { WorkOrderDoc } from '../models/work-order';
import { raiseAlarm } from '../alarms/raise';
import type { RecordOutbox } from '../queue/record-outbox';
import type { CreateWorkOrderCommand, ListWorkOrdersQuery, SessionUser, WorkOrderView } from '../contracts';

/** Who opens work orders: the call centre. */
export const CREATOR_ROLES = ['agent', 'supervisor', 'admin'] as const;

/** Art. 8: the department is notified within 5 minutes; Art. 9: a complaint is accepted within 1 hour. */
const DISPATCH_WITHIN_MS = 5 * 60_000;
const COMPLAINT_ACCEPT_WITHIN_MS = 60 * 60_000;

/**
 * Opening work orders: the number comes from one atomic Redis INCR per Asia/Shanghai day (any
 * CTI process may number orders), the department from the category (DOMAIN.md), and a burst
 * main raises an emergency alarm at once (Art. 10). Deadlines are stamped at creation; watching
 * them and dispatching are a later rule. Every new order is announced to the department pages.
 */
export class WorkOrderService {
  constructor(
    private readonly deps: { models: Models; redis: RedisClient; bus: EventBus; outbox: RecordOutbox; keyPrefix: string; logger: Logger },
  ) {}

  async create(cmd: CreateWorkOrderCommand, by: SessionUser): Promise<WorkOrderView> {
    if (!(CREATOR_ROLES as readonly string[]).includes(by.role)) throw forbidden('only the call centre opens work orders', '只有话务中心可以新建工单');
    const { models, logger } = this.deps;
    const call = cmd.callId ? await models.Call.findOne({ callId: cmd.callId }).select('callerNumber').lean() : null;
    if (cmd.callId && !call) throw notFound(`call ${cmd.callId}`, '未找到这通来电的记录，请刷新页面后重试');
    if (cmd.customerAccount && !(await models.Customer.exists({ accountNumber: cmd.customerAccount }))) {
      throw notFound(`customer ${cmd.customerAccount}`, `户号 ${cmd.customerAccount} 不存在`);
    }
    const department = DEPARTMENT_FOR_CATEGORY[cmd.category];
    const emergency = EMERGENCY_CATEGORIES.includes(cmd.category);
    const now = new Date();
    const base = {
      category: cmd.category,
      department,
      status: 'open' as const,
      emergency,
      callId: cmd.callId,
      createdBy: by.workNumber,
      customerAccount: cmd.customerAccount,
      contactName: cmd.contactName || undefined,
      contactPhone: cmd.contactPhone,
      ...(call?.callerNumber ? { callerNumber: call.callerNumber } : {}),
      address: cmd.address,
      description: cmd.description,
      ...(cmd.leak && LEAK_DETAIL_CATEGORIES.includes(cmd.category) ? { leak: cmd.leak } : {}),
      // The deadlines count from the order's own stamp, not from a second clock reading.
      createdAt: now,
      dispatchBy: new Date(now.getTime() + DISPATCH_WITHIN_MS),
      ...(cmd.category === 'complaint' ? { acceptBy: new Date(now.getTime() + COMPLAINT_ACCEPT_WITHIN_MS) } : {}),
      history: [{ at: now, by: by.workNumber, action: 'created', note: `${cmd.category} → ${department}${emergency ? ' (emergency)' : ''}` }],
    };
    let doc;
    for (let attempt = 0; ; attempt++) {
      const number = await this.nextNumber(now.getTime());
      try {
        doc = await models.WorkOrder.create({ ...base, number });
        break;
      } catch (err) {
        // The day counter is behind the stored orders (e.g. Redis lost its data): catch up, retry.
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
        await this.catchUp(now.getTime());
      }
    }
    const view = toWorkOrderView(doc.toObject());
    logger.info({ workOrder: view.number, category: view.category, department, emergency, callId: cmd.callId, by: by.workNumber }, 'work order opened');
    if (emergency) await this.raiseEmergency(view, now.getTime());
    await this.announce(view);
    return view;
  }

  /** One order by number for a console that already knows who may see it (the department pages). */
  async find(number: string): Promise<WorkOrderView | null> {
    const doc = await this.deps.models.WorkOrder.findOne({ number }).lean();
    return doc ? toWorkOrderView(doc) : null;
  }

  /** Tells every process's department pages; they re-read the order themselves. */
  private async announce(wo: WorkOrderView): Promise<void> {
    try {
      await this.deps.bus.publish({ type: 'work-order.changed', number: wo.number, department: wo.department, at: wo.updatedAt });
    } catch (err) {
      // The order is stored; the department page still gets it with its next snapshot.
      this.deps.logger.error({ err, workOrder: wo.number }, 'work-order event could not be published');
    }
  }

  async list(by: SessionUser, q: ListWorkOrdersQuery): Promise<WorkOrderView[]> {
    const filter: Record<string, unknown> = {};
    if (by.role === 'agent') filter.createdBy = by.workNumber;
    else if (by.role === 'department') filter.department = by.department ?? '__none__';
    else if (q.department) filter.department = q.department;
    if (q.status) filter.status = q.status;
    const docs = await this.deps.models.WorkOrder.find(filter).sort({ createdAt: -1 }).limit(q.limit).lean();
    return docs.map(toWorkOrderView);
  }

  async get(by: SessionUser, number: string): Promise<WorkOrderView> {
    const doc = await this.deps.models.WorkOrder.findOne({ number }).lean();
    if (!doc) throw notFound(`work order ${number}`, `工单 ${number} 不存在`);
    if (by.role === 'agent' && doc.createdBy !== by.workNumber) throw forbidden();
    if (by.role === 'department' && doc.department !== by.department) throw forbidden();
    return toWorkOrderView(doc);
  }

  private seqKey(compact: string): string {
    return `${this.deps.keyPrefix}:wo-seq:${compact}`;
  }

  private async nextNumber(at: number): Promise<string> {
    const day = shanghaiDay(at);
    const key = this.seqKey(day.compact);
    const res = await this.deps.redis.multi().incr(key).pexpire(key, 3 * 24 * 3600_000).exec();
    const seq = Number(res?.[0]?.[1]);
    if (!Number.isInteger(seq) || seq < 1) throw new Error('work-order counter unavailable');
    return `WO${day.compact}-${String(seq).padStart(4, '0')}`;
  }

  private async catchUp(at: number): Promise<void> {
    const day = shanghaiDay(at);
    const last = await this.deps.models.WorkOrder.findOne({ number: new RegExp(`^WO${day.compact}-`) })
      .sort({ number: -1 })
      .select('number')
      .lean();
    const seq = Number(last?.number.split('-')[1] ?? 0);
    // Raise the counter to the highest stored number, never lower it (another process may be ahead).
    await this.deps.redis.eval(
      "local c = tonumber(redis.call('GET', KEYS[1]) or '0') if c < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end return 1",
      1,
      this.seqKey(day.compact),
      String(seq),
      String(3 * 24 * 3600_000),
    );
  }

  private async raiseEmergency(wo: WorkOrderView, at: number): Promise<void> {
    const { outbox, bus, logger } = this.deps;
    const key = `emergency:${wo.number}`;
    const message = emergencyMessage(wo);
    try {
      await raiseAlarm({ outbox, bus }, { key, kind: 'emergency', severity: 'critical', message, ...(wo.callId ? { callId: wo.callId } : {}), at });
    } catch (err) {
      // The order exists either way; a missing alarm must not fail the agent's command.
      logger.error({ err, workOrder: wo.number }, 'emergency alarm could not be raised');
    }
  }
}

const METER_SIDE_LABEL = { before: '表前', after: '表后', unknown: '表前表后不确定' } as const;

/**
 * The alarm names where the main burst, not the customer's registered address: the repair crew
 * goes to the burst. The address is the fallback for an order stored without a location.
 */
export function emergencyMessage(wo: Pick<WorkOrderView, 'number' | 'department' | 'address' | 'leak'>): string {
  const leak = wo.leak;
  const place = leak?.location || wo.address;
  const pipe = [
    typeof leak?.pipeDiameterMm === 'number' ? `管径 ${leak.pipeDiameterMm} 毫米` : '',
    leak?.meterSide ? METER_SIDE_LABEL[leak.meterSide] : '',
  ].filter(Boolean);
  return `紧急工单 ${wo.number}：${place} 爆管${pipe.length ? `（${pipe.join('，')}）` : ''}，已转${DEPARTMENT_LABEL[wo.department]}负责人`;
}

type StoredWorkOrder = WorkOrderDoc & { createdAt?: Date; updatedAt?: Date };
const epoch = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);

export function toWorkOrderView(d: StoredWorkOrder): WorkOrderView {
  const leak = d.leak && Object.values(d.leak).some((v) => v !== undefined && v !== null) ? d.leak : null;
  return {
    number: d.number,
    category: d.category as WorkOrderCategory,
    department: d.department as DepartmentCode,
    status: d.status as WorkOrderStatus,
    emergency: !!d.emergency,
    createdAt: (d.createdAt ?? new Date()).getTime(),
    address: d.address,
    description: d.description,
    callId: d.callId ?? null,
    createdBy: d.createdBy,
    customerAccount: d.customerAccount ?? null,
    contactName: d.contactName ?? null,
    contactPhone: d.contactPhone,
    callerNumber: d.callerNumber || null,
    leak: leak
      ? {
          ...(leak.location ? { location: leak.location } : {}),
          ...(typeof leak.pipeDiameterMm === 'number' ? { pipeDiameterMm: leak.pipeDiameterMm } : {}),
          ...(leak.meterSide ? { meterSide: leak.meterSide as 'before' | 'after' | 'unknown' } : {}),
          ...(leak.landmarks ? { landmarks: leak.landmarks } : {}),
        }
      : null,
    dispatchBy: epoch(d.dispatchBy),
    acceptBy: epoch(d.acceptBy),
    dueBy: epoch(d.dueBy),
    updatedAt: (d.updatedAt ?? d.createdAt ?? new Date()).getTime(),
  };
}

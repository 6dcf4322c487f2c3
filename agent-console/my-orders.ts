import type { Models } from '../models';
import type { AgentOrdersSnapshot, ColleagueView, SessionUser, WorkOrderBrief } from '../contracts';
import { BRIEF_FIELDS, byUrgency, ownedBy, toOrderBrief, UNFINISHED_STATUSES } from '../work-orders/order-brief';
import type { ShiftHandover } from '../work-orders/shift-handover';

/** Finished orders shown after the unfinished ones: enough to see today's results come in. */
const FINISHED_SHOWN = 10;
const UNFINISHED_LIMIT = 200;

/**
 * 我的工单 (首问负责制): the orders an agent owns, read from MongoDB; with the shift roster wired,
 * the handover of the shift in progress beside them.
 */
export class MyOrders {
  constructor(
    private readonly models: Models,
    private readonly handover?: ShiftHandover,
  ) {}

  async mine(workNumber: string): Promise<WorkOrderBrief[]> {
    const owned = ownedBy(workNumber);
    const [open, done] = await Promise.all([
      this.models.WorkOrder.find({ ...owned, status: { $in: [...UNFINISHED_STATUSES] } })
        .select(BRIEF_FIELDS)
        .sort({ createdAt: -1 })
        .limit(UNFINISHED_LIMIT)
        .lean(),
      this.models.WorkOrder.find({ ...owned, status: { $nin: [...UNFINISHED_STATUSES] } })
        .select(BRIEF_FIELDS)
        .sort({ updatedAt: -1 })
        .limit(FINISHED_SHOWN)
        .lean(),
    ]);
    return [...open.map(toOrderBrief).sort(byUrgency), ...done.map(toOrderBrief)];
  }

  async snapshot(user: SessionUser): Promise<AgentOrdersSnapshot> {
    const [mine, handover, colleagues] = await Promise.all([
      this.mine(user.workNumber),
      this.handover ? this.handover.build(undefined, user) : Promise.resolve(null),
      this.colleagues(user.workNumber),
    ]);
    return { serverNow: Date.now(), mine, handover, colleagues };
  }

  /** Whom 转交 offers: the active agents (the service checks the chosen one again when handing over). */
  async colleagues(except: string): Promise<ColleagueView[]> {
    const agents = await this.models.Agent.find({ role: 'agent', active: true, workNumber: { $ne: except } })
      .select('workNumber name')
      .sort({ workNumber: 1 })
      .lean();
    return agents.map((a) => ({ workNumber: a.workNumber, name: a.name }));
  }

  /** One order as the consoles list it, or null when it is gone. */
  async brief(number: string): Promise<WorkOrderBrief | null> {
    const doc = await this.models.WorkOrder.findOne({ number }).select(BRIEF_FIELDS).lean();
    return doc ? toOrderBrief(doc) : null;
  }
}

import { SharedRead } from '../core/shared-read';
import type { Models } from '../models';
import type { AgentOrdersSnapshot, ColleagueView, HandoverView, SessionUser, WorkOrderBrief } from '../contracts';
import { BRIEF_FIELDS, byUrgency, ownedBy, toOrderBrief, UNFINISHED_STATUSES } from '../work-orders/order-brief';
import { canReview, type ShiftHandover } from '../work-orders/shift-handover';

/** Finished orders shown after the unfinished ones: enough to see today's results come in. */
const FINISHED_SHOWN = 10;
const UNFINISHED_LIMIT = 200;
/**
 * How stale 转交's colleague list may be: an agent added or deactivated shows up this much later
 * (the hand-over checks the chosen colleague again). Read once for every console, not once each:
 * a thousand consoles reconnecting after a restart read a thousand agents a thousand times.
 */
const COLLEAGUES_TTL_MS = 30_000;
/** The handover is the same list for everyone on duty: kept briefly, dropped at any order or shift change. */
const HANDOVER_TTL_MS = 5_000;

/**
 * 我的工单 (首问负责制): the orders an agent owns, read from MongoDB; with the shift roster wired,
 * the handover of the shift in progress beside them.
 */
export class MyOrders {
  private readonly agents: SharedRead<ColleagueView[]>;
  private readonly handoverView?: SharedRead<HandoverView>;

  constructor(
    private readonly models: Models,
    handover?: ShiftHandover,
  ) {
    this.agents = new SharedRead(
      async () =>
        (await this.models.Agent.find({ role: 'agent', active: true }).select('workNumber name').sort({ workNumber: 1 }).lean()).map((a) => ({
          workNumber: a.workNumber,
          name: a.name,
        })),
      COLLEAGUES_TTL_MS,
    );
    if (handover) this.handoverView = new SharedRead(() => handover.build(), HANDOVER_TTL_MS);
  }

  /** An order or the shift changed: the next handover is read afresh. */
  changed(): void {
    this.handoverView?.invalidate();
  }

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
      this.handoverFor(user),
      this.colleagues(user.workNumber),
    ]);
    return { serverNow: Date.now(), mine, handover, colleagues };
  }

  /** Whom 转交 offers: the active agents (the service checks the chosen one again when handing over). */
  async colleagues(except: string): Promise<ColleagueView[]> {
    return (await this.agents.get()).filter((a) => a.workNumber !== except);
  }

  private async handoverFor(user: SessionUser): Promise<HandoverView | null> {
    const view = await this.handover();
    return view && handoverFor(view, user);
  }

  /** The handover of the shift in progress, shared by every console of this process; null when no roster is wired. */
  async handover(): Promise<HandoverView | null> {
    return this.handoverView ? this.handoverView.get() : null;
  }

  /** One order as the consoles list it, or null when it is gone. */
  async brief(number: string): Promise<WorkOrderBrief | null> {
    const doc = await this.models.WorkOrder.findOne({ number }).select(BRIEF_FIELDS).lean();
    return doc ? toOrderBrief(doc) : null;
  }
}

/** The shared handover as one agent sees it: the leader may confirm it (确认交接). */
export function handoverFor(view: HandoverView, user: SessionUser): HandoverView {
  return { ...view, serverNow: Date.now(), canReview: canReview(user, view.leader) };
}

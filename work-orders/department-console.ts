import type { Namespace, Socket } from 'socket.io';
import { forbidden, unauthorized } from '../core/errors';
import type { Logger } from '../core/logger';
import type { DomainEvent } from '../events/domain-events';
import type { Models } from '../models';
import { DEPARTMENTS, type DepartmentCode } from '../models/enums';
import { guardSocket, runCommand } from '../ws/commands';
import { requireNamespaceRole } from '../ws/namespace-auth';
import {
  NAMESPACE_COMMANDS,
  NAMESPACE_ROLES,
  type DepartmentClientToServer,
  type DepartmentServerToClient,
  type DepartmentSnapshot,
  type SessionUser,
  type SocketData,
  type TokenVerifier,
} from '../contracts';
import { runDepartmentAction } from './commands';
import type { WorkOrderService } from './work-order-service';

export type DepartmentNamespace = Namespace<DepartmentClientToServer, DepartmentServerToClient, Record<string, never>, SocketData>;
type DepartmentSocket = Socket<DepartmentClientToServer, DepartmentServerToClient, Record<string, never>, SocketData>;

const KNOWN: ReadonlySet<string> = new Set<keyof DepartmentClientToServer>(NAMESPACE_COMMANDS['/department']);

/** How many of the latest orders a page holds; older ones stay reachable over REST. */
export const DEPARTMENT_SNAPSHOT_LIMIT = 100;

const room = (d: DepartmentCode) => `department:${d}`;

/**
 * `/department`: a department's work orders, live. The room comes from the token (checked against
 * the Agent collection on every connect), so a browser cannot ask for another department's orders.
 * Every (re)connect gets the full list; each new or changed order is re-read from MongoDB and sent
 * to that department's sockets on this process.
 */
export class DepartmentConsole {
  /**
   * Per-department order of what this process sends: a change that lands while a socket's snapshot
   * is being read goes out after that snapshot, so the snapshot cannot hide it.
   */
  private readonly chains = new Map<DepartmentCode, Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly nsp: DepartmentNamespace,
    private readonly d: { workOrders: WorkOrderService; models: Models; tokens: TokenVerifier; logger: Logger },
  ) {
    this.log = d.logger.child({ nsp: '/department' });
  }

  start(): void {
    requireNamespaceRole(this.nsp, this.d.tokens, NAMESPACE_ROLES['/department'], this.log, (user) => this.admit(user));
    this.nsp.on('connection', (socket) => this.onConnection(socket));
  }

  /** The token is up to a shift old: the person must still be an active user of that same department. */
  private async admit(user: SessionUser): Promise<void> {
    if (!user.department) throw forbidden('a department user without a department', '该账号未归属任何部门，请联系系统管理员');
    const person = await this.d.models.Agent.findOne({ workNumber: user.workNumber, active: true }).select('role department').lean();
    if (!person) throw unauthorized('user no longer active', '该账号已停用，请联系系统管理员');
    if (person.role !== 'department' || person.department !== user.department) throw forbidden('the user has moved to another department', '账号所属部门已变更，请重新登录');
  }

  private onConnection(socket: DepartmentSocket): void {
    guardSocket(socket, KNOWN, this.log);
    const user = socket.data.user;
    const department = user.department!;
    void socket.join(room(department));
    socket.on('orders:resync', (ack) => runCommand(this.log, 'orders:resync', ack, () => this.snapshot(user, department)));
    // The service judges who may do what to which order; the page learns the outcome from the ack and the live change.
    socket.on('order:act', (cmd, ack) => runCommand(this.log, 'order:act', ack, () => runDepartmentAction(this.d.workOrders, user, cmd)));
    this.sendState(socket);
  }

  private sendState(socket: DepartmentSocket): void {
    const user = socket.data.user;
    const department = user.department!;
    this.inOrder(department, async () => {
      const s = await this.snapshot(user, department);
      if (socket.connected) this.nsp.local.to(socket.id).emit('orders:snapshot', s);
    });
  }

  /** Events may have been lost (the bus's subscription dropped): every page of this process gets its list afresh. */
  resyncAll(): void {
    for (const socket of this.nsp.sockets.values()) this.sendState(socket);
  }

  private async snapshot(user: SessionUser, department: DepartmentCode): Promise<DepartmentSnapshot> {
    // Through the service's own narrowing (a department user sees their department's orders).
    const [orders, person] = await Promise.all([
      this.d.workOrders.list(user, { limit: DEPARTMENT_SNAPSHOT_LIMIT }),
      this.d.models.Agent.findOne({ workNumber: user.workNumber, active: true }).select('leader').lean(),
    ]);
    return { serverNow: Date.now(), department, leader: !!person?.leader, orders };
  }

  /** Every process serves its own sockets (local); a process with no page of that department skips the read. */
  onEvent(e: DomainEvent): void {
    if (e.type !== 'work-order.changed') return;
    // Participating departments see the order too, and the event names only the lead: any page here may need it.
    if (!DEPARTMENTS.some((d) => this.nsp.adapter.rooms.get(room(d))?.size)) return;
    this.inOrder(e.department, async () => {
      const order = await this.d.workOrders.find(e.number);
      // The stored departments decide, not the event's.
      if (order) this.nsp.local.to([order.department, ...order.participants].map(room)).emit('order:changed', order);
    });
  }

  private inOrder(department: DepartmentCode, fn: () => Promise<void>): void {
    const prev = this.chains.get(department) ?? Promise.resolve();
    const next = prev
      .then(fn)
      .catch((err: unknown) => this.log.error({ err, department }, 'department page update failed'));
    this.chains.set(department, next);
    void next.then(() => {
      if (this.chains.get(department) === next) this.chains.delete(department);
    });
  }
}

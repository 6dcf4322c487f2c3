import type { Socket } from 'socket.io';
import type { Logger } from '../core/logger';
import {
  callCentreActionSchema,
  createWorkOrderSchema,
  departmentActionSchema,
  type AckFn,
  type CallCentreActionCommand,
  type CreateWorkOrderCommand,
  type DepartmentActionCommand,
  type SessionEvents,
  type SessionUser,
  type SocketData,
  type WorkOrderView,
} from '../contracts';
import { runCommand } from '../ws/commands';
import type { WorkOrderService } from './work-order-service';

interface WorkOrderCommands {
  'work-order:create': (cmd: CreateWorkOrderCommand, ack: AckFn<WorkOrderView>) => void;
}

/**
 * `work-order:create` on an agent's console socket: the order is opened while the call is on.
 * `onCreated` lets the console follow up (the pop's open orders) without delaying the answer.
 */
export function handleWorkOrderCommands(
  socket: Socket<WorkOrderCommands, SessionEvents, Record<string, never>, SocketData>,
  service: WorkOrderService,
  log: Logger,
  onCreated?: (order: WorkOrderView) => void,
): void {
  const user = socket.data.user;
  socket.on('work-order:create', (cmd, ack) =>
    runCommand(log, 'work-order:create', ack, async () => {
      const order = await service.create(createWorkOrderSchema.parse(cmd), user);
      onCreated?.(order);
      return order;
    }),
  );
}

/** A department page's actions on one order (`order:act` on /department), the same service calls as the REST routes. */
export function runDepartmentAction(service: WorkOrderService, user: SessionUser, raw: unknown): Promise<WorkOrderView> {
  // Parsed here, not by the caller: an unknown action or a malformed body is a 400 with the field named.
  const cmd: DepartmentActionCommand = departmentActionSchema.parse(raw);
  switch (cmd.action) {
    case 'accept':
    case 'start':
      return service.act(cmd.action, cmd.number, user);
    case 'resolve':
      return service.act('resolve', cmd.number, user, { result: cmd.result });
    case 'escalate':
      return service.escalateManually(cmd.number, user, { escalationReason: cmd.escalationReason });
    case 'request-extension':
      return service.requestExtension(cmd.number, user, { extensionReason: cmd.extensionReason, newDueBy: cmd.newDueBy });
    case 'decide-extension':
      return service.decideExtension(cmd.number, cmd.id, user, { decision: cmd.decision, ...(cmd.note ? { note: cmd.note } : {}) });
  }
}

/** The call centre's actions on an order (archive, reopen, hand-over, escalate, participants), for the agent and supervisor consoles. */
export function runCallCentreAction(service: WorkOrderService, user: SessionUser, raw: unknown): Promise<WorkOrderView> {
  const cmd: CallCentreActionCommand = callCentreActionSchema.parse(raw);
  switch (cmd.action) {
    case 'archive':
      return service.act('archive', cmd.number, user);
    case 'reopen':
      return service.act('reopen', cmd.number, user, { reason: cmd.reopenReason });
    case 'hand-over':
      return service.handOver(cmd.number, user, { to: cmd.to, ...(cmd.note ? { note: cmd.note } : {}) });
    case 'escalate':
      return service.escalateManually(cmd.number, user, { escalationReason: cmd.escalationReason });
    case 'participants':
      return service.addParticipants(cmd.number, user, { departments: cmd.departments });
  }
}

interface CallCentreOrderCommands {
  'work-order:act': (cmd: CallCentreActionCommand, ack: AckFn<WorkOrderView>) => void;
}

/** `work-order:act` on an agent's or supervisor's socket; the namespace decides who connects, the service who may act. */
export function handleCallCentreOrderCommands(
  socket: Socket<CallCentreOrderCommands, SessionEvents, Record<string, never>, SocketData>,
  service: WorkOrderService,
  log: Logger,
): void {
  const user = socket.data.user;
  socket.on('work-order:act', (cmd, ack) => runCommand(log, 'work-order:act', ack, () => runCallCentreAction(service, user, cmd)));
}

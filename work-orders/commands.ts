import type { Socket } from 'socket.io';
import type { Logger } from '../core/logger';
import { createWorkOrderSchema, type AckFn, type CreateWorkOrderCommand, type SessionEvents, type SocketData, type WorkOrderView } from '../contracts';
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

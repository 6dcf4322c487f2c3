import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../core/logger';
import type { DomainEvent } from '../events/domain-events';
import type { AlarmKind } from '../models/enums';
import { alarmAckSchema, type AlarmFeedServerToClient, type AlarmView, type AckFn, type AlarmAckCommand, type SocketData } from '../contracts';
import { runCommand } from '../ws/commands';
import type { AlarmService } from './alarm-service';

type AlarmRaised = Extract<DomainEvent, { type: 'alarm.raised' }>;

/** The alarm as the consoles show it, straight from the event (no read of what was just written). */
export function alarmFromEvent(e: AlarmRaised): AlarmView {
  return {
    id: e.alarmId,
    key: e.key,
    kind: e.kind as AlarmKind,
    severity: e.severity === 'info' || e.severity === 'critical' ? e.severity : 'warning',
    message: e.message,
    callId: e.callId ?? null,
    agentWorkNumber: e.agentWorkNumber ?? null,
    agentName: e.agentName ?? null,
    callerNumber: e.callerNumber ?? null,
    ringMs: e.ringMs ?? null,
    raisedAt: e.at,
    acknowledgedAt: null,
    acknowledgedBy: null,
  };
}

interface AlarmFeedClientToServer {
  'alarm:ack': (cmd: AlarmAckCommand, ack: AckFn<AlarmView>) => void;
}

/** A console namespace that shows the alarm feed (the supervisor board, the admin page). */
export type AlarmFeedNamespace = Namespace<AlarmFeedClientToServer, AlarmFeedServerToClient, Record<string, never>, SocketData>;
type AlarmFeedSocket = Socket<AlarmFeedClientToServer, AlarmFeedServerToClient, Record<string, never>, SocketData>;

/**
 * The alarm feed of every console that shows one: the list on connect, each new alarm live, the
 * acknowledgement command, and acknowledgements made on any process (through the adapter).
 */
export class AlarmFeed {
  private readonly onAck = (v: AlarmView) => {
    for (const nsp of this.namespaces) nsp.emit('alarm:updated', v);
  };

  constructor(
    private readonly alarms: AlarmService,
    private readonly namespaces: readonly AlarmFeedNamespace[],
  ) {}

  start(): void {
    this.alarms.on('updated', this.onAck);
  }

  stop(): void {
    this.alarms.off('updated', this.onAck);
  }

  /**
   * A console socket (re)connected: wires `alarm:ack`, and sends the alarm list together with the
   * console's own snapshot (alarms first), both loaded at once.
   */
  attach<T>(socket: AlarmFeedSocket, log: Logger, own: { load: () => Promise<T>; send: (v: T) => void }): void {
    const user = socket.data.user;
    socket.on('alarm:ack', (cmd, ack) => runCommand(log, 'alarm:ack', ack, () => this.alarms.acknowledge(alarmAckSchema.parse(cmd), user)));
    Promise.all([own.load(), this.alarms.recent()]).then(
      ([mine, alarms]) => {
        if (!socket.connected) return;
        socket.nsp.local.to(socket.id).emit('alarms:snapshot', alarms);
        own.send(mine);
      },
      (err: unknown) => log.error({ err }, 'console snapshot failed'),
    );
  }

  /** Alarms raised while the bus's subscription was down were not pushed: the list goes out afresh. */
  async resendAll(): Promise<void> {
    const alarms = await this.alarms.recent();
    for (const nsp of this.namespaces) nsp.local.emit('alarms:snapshot', alarms);
  }

  /** Every process serves its own sockets (local): one delivery per console without electing a sender. */
  onEvent(e: DomainEvent): void {
    if (e.type !== 'alarm.raised') return;
    const view = alarmFromEvent(e);
    for (const nsp of this.namespaces) nsp.local.emit('alarm:raised', view);
  }
}

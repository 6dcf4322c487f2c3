import type { Namespace, Socket } from 'socket.io';
import type { AlarmService } from '../api/alarms';
import type { TokenService } from '../api/auth';
import type { Logger } from '../core/logger';
import type { DomainEvent } from '../events/domain-events';
import { alarmFromEvent } from './alarm-feed';
import { requireNamespaceRole } from './auth';
import { guardSocket, runCommand } from './commands';
import { NAMESPACE_ROLES, type AdminClientToServer, type AdminServerToClient, type SocketData } from './contracts';
import type { HealthReporter } from './health';

export type AdminNamespace = Namespace<AdminClientToServer, AdminServerToClient, Record<string, never>, SocketData>;
type AdminSocket = Socket<AdminClientToServer, AdminServerToClient, Record<string, never>, SocketData>;

const KNOWN: ReadonlySet<string> = new Set<keyof AdminClientToServer>(['alarm:ack', 'health:resync']);

/** `/admin`: every CTI process's health (ARI, AMI, trunk, phones, Redis, MongoDB) live, and the alarm list. */
export class AdminConsole {
  private readonly log: Logger;
  private readonly onHealth = (h: Parameters<AdminServerToClient['health:snapshot']>[0]) => this.nsp.local.emit('health:snapshot', h);

  constructor(
    private readonly nsp: AdminNamespace,
    private readonly d: { health: HealthReporter; alarms: AlarmService; tokens: TokenService; logger: Logger },
  ) {
    this.log = d.logger.child({ nsp: '/admin' });
  }

  start(): void {
    requireNamespaceRole(this.nsp, this.d.tokens, NAMESPACE_ROLES['/admin'], this.log);
    this.nsp.on('connection', (socket) => this.onConnection(socket));
    this.d.health.on('changed', this.onHealth);
  }

  stop(): void {
    this.d.health.off('changed', this.onHealth);
  }

  private onConnection(socket: AdminSocket): void {
    const user = socket.data.user;
    guardSocket(socket, KNOWN, this.log);
    socket.on('alarm:ack', (cmd: unknown, ack: unknown) => runCommand(this.log, 'alarm:ack', ack, () => this.d.alarms.acknowledge(cmd, user)));
    socket.on('health:resync', (ack: unknown) => runCommand(this.log, 'health:resync', ack, () => this.d.health.refresh()));
    void (async () => {
      const [health, alarms] = await Promise.all([this.d.health.refresh(), this.d.alarms.recent()]);
      if (!socket.connected) return;
      this.nsp.local.to(socket.id).emit('alarms:snapshot', alarms);
      this.nsp.local.to(socket.id).emit('health:snapshot', health);
    })().catch((err: unknown) => this.log.error({ err }, 'admin snapshot failed'));
  }

  onEvent(e: DomainEvent): void {
    if (e.type === 'alarm.raised') this.nsp.local.emit('alarm:raised', alarmFromEvent(e));
  }
}

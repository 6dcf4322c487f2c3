import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../core/logger';
import type { AlarmFeed } from '../alarms/feed';
import { requireNamespaceRole } from '../ws/namespace-auth';
import { guardSocket, runCommand } from '../ws/commands';
import { NAMESPACE_COMMANDS, NAMESPACE_ROLES, type AdminClientToServer, type AdminServerToClient, type SocketData, type TokenVerifier } from '../contracts';
import type { HealthReporter } from './health-reporter';

export type AdminNamespace = Namespace<AdminClientToServer, AdminServerToClient, Record<string, never>, SocketData>;
type AdminSocket = Socket<AdminClientToServer, AdminServerToClient, Record<string, never>, SocketData>;

const KNOWN: ReadonlySet<string> = new Set<keyof AdminClientToServer>(NAMESPACE_COMMANDS['/admin']);

/** `/admin`: every CTI process's health (ARI, AMI, trunk, phones, Redis, MongoDB) live, and the alarm list. */
export class AdminConsole {
  private readonly log: Logger;
  private readonly onHealth = (h: Parameters<AdminServerToClient['health:snapshot']>[0]) => this.nsp.local.emit('health:snapshot', h);

  constructor(
    private readonly nsp: AdminNamespace,
    private readonly d: { health: HealthReporter; alarms: AlarmFeed; tokens: TokenVerifier; logger: Logger },
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
    guardSocket(socket, KNOWN, this.log);
    socket.on('health:resync', (ack) => runCommand(this.log, 'health:resync', ack, () => this.d.health.refresh()));
    this.d.alarms.attach(socket, this.log, {
      load: () => this.d.health.refresh(),
      send: (health) => this.nsp.local.to(socket.id).emit('health:snapshot', health),
    });
  }
}

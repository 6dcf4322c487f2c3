import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../core/logger';
import type { DomainEvent } from '../events/domain-events';
import type { AlarmFeed } from '../alarms/feed';
import { requireNamespaceRole } from '../ws/namespace-auth';
import type { BoardService } from './board-service';
import type { AcdStore } from '../cti/acd/acd-store';
import { boardUpdate } from '../contracts/board-updates';
import { Coalescer } from './coalesce';
import { SharedRead } from '../core/shared-read';
import { guardSocket, runCommand } from '../ws/commands';
import { unavailable } from '../core/errors';
import { handleCallCentreOrderCommands } from '../work-orders/commands';
import type { WorkOrderService } from '../work-orders/work-order-service';
import type { MonitorService, Monitorer } from '../cti/monitor/monitor-service';
import type { ConsultNotices } from './consult-notices';
import { monitorCommandSchema, monitorStopSchema, NAMESPACE_COMMANDS, NAMESPACE_ROLES, type BoardSnapshot, type SocketData, type SupervisorClientToServer, type SupervisorServerToClient, type TokenVerifier } from '../contracts';

export type SupervisorNamespace = Namespace<SupervisorClientToServer, SupervisorServerToClient, Record<string, never>, SocketData>;
type SupervisorSocket = Socket<SupervisorClientToServer, SupervisorServerToClient, Record<string, never>, SocketData>;

/** The sockets of one user's boards (a supervisor may have several open). */
const userRoom = (workNumber: string) => `user:${workNumber}`;

const KNOWN: ReadonlySet<string> = new Set<keyof SupervisorClientToServer>(NAMESPACE_COMMANDS['/supervisor']);

/**
 * `/supervisor`: the live queue board, pushed (the browser never polls). Any call or agent event
 * marks the board dirty; a fresh board is computed at most a few times a second and sent to this
 * process's supervisors as an update on the one before (`board:update`: the per-agent lists as
 * their changes); a console that connects or asks again gets the whole board at the same refresh
 * number. A slow refresh (30 s) keeps the day's figures right across midnight.
 */
export class SupervisorConsole {
  private readonly log: Logger;
  private readonly board: Coalescer;
  /**
   * The board for a console that just connected: boards connecting together (a restart moves
   * them all at once) share one snapshot. Any event fences it off, so none gets one older than
   * an event it would then miss.
   */
  private readonly forNewcomers: SharedRead<BoardSnapshot>;
  /** The last refresh sent: the base the next update is a difference from. */
  private sent?: BoardSnapshot;
  /** The next refresh goes out whole (`board:snapshot`): events were missed, so every console starts again from it. */
  private wholeNext = false;
  /** Refreshes one at a time: each update is the difference from the one sent just before it. */
  private refreshing: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private readonly consultChains = new Map<string, Promise<void>>();

  constructor(
    private readonly nsp: SupervisorNamespace,
    private readonly d: {
      board: BoardService;
      acd: AcdStore;
      alarms: AlarmFeed;
      tokens: TokenVerifier;
      logger: Logger;
      refreshMs?: number;
      /** 归档, 升级, 增加协办部门 from the board's work-order panel (`work-order:act`). */
      workOrders?: WorkOrderService;
      /** 监听 / 耳语 / 强插 (`call:monitor`); absent on a process without telephony. */
      monitor?: Pick<MonitorService, 'monitor' | 'stop'>;
      /** A consulted supervisor's notice (咨询 / 转接 to them); absent: none shown. */
      consults?: ConsultNotices;
    },
  ) {
    this.log = d.logger.child({ nsp: '/supervisor' });
    this.board = new Coalescer(() => this.push(), 100, 1000);
    this.forNewcomers = new SharedRead(() => this.refresh(), 0);
  }

  start(): void {
    requireNamespaceRole(this.nsp, this.d.tokens, NAMESPACE_ROLES['/supervisor'], this.log);
    this.nsp.on('connection', (socket) => this.onConnection(socket));
    this.timer = setInterval(() => this.board.poke(), this.d.refreshMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.board.stop();
  }

  private onConnection(socket: SupervisorSocket): void {
    guardSocket(socket, KNOWN, this.log);
    socket.on('board:resync', (ack) => runCommand(this.log, 'board:resync', ack, () => this.forNewcomers.get()));
    if (this.d.workOrders) handleCallCentreOrderCommands(socket, this.d.workOrders, this.log);
    else {
      socket.on('work-order:act', (_cmd, ack) =>
        runCommand(this.log, 'work-order:act', ack, () => Promise.reject(unavailable('work orders are not served by this process', '本服务器暂不能处理工单操作，请稍后重试'))),
      );
    }
    this.handleMonitorCommands(socket);
    this.showConsult(socket);
    this.d.alarms.attach(socket, this.log, {
      load: () => this.forNewcomers.get(),
      send: (board) => this.nsp.local.to(socket.id).emit('board:snapshot', board),
    });
  }

  /**
   * 监听 / 耳语 / 强插 and 结束监听. The namespace admits supervisors and admins only; the service
   * checks the role again, and audits who did it from which address.
   */
  private handleMonitorCommands(socket: SupervisorSocket): void {
    const who = (): Monitorer => ({ workNumber: socket.data.user.workNumber, role: socket.data.user.role, ip: socket.handshake.address });
    const service = () => this.d.monitor ?? Promise.reject(unavailable('monitoring is not served by this process', '本服务器暂不能监听通话，请稍后重试'));
    socket.on('call:monitor', (cmd, ack) =>
      runCommand(this.log, 'call:monitor', ack, async () => {
        const { callId, mode } = monitorCommandSchema.parse(cmd);
        return (await service()).monitor(callId, mode, who());
      }),
    );
    socket.on('call:monitor-stop', (cmd, ack) =>
      runCommand(this.log, 'call:monitor-stop', ack, async () => {
        const { callId } = monitorStopSchema.parse(cmd);
        return (await service()).stop(callId, who());
      }),
    );
  }

  /** The board's own user's consult notice follows them: joined to their room, sent what stands now. */
  private showConsult(socket: SupervisorSocket): void {
    const consults = this.d.consults;
    if (!consults) return;
    const wn = socket.data.user.workNumber;
    void socket.join(userRoom(wn));
    this.consultInOrder(wn, async () => {
      // Null too: a board that reconnects takes down a notice that ended meanwhile.
      this.nsp.local.to(socket.id).emit('board:consult', await consults.current(wn));
    });
  }

  /** One supervisor's notices are applied and sent in the order of their events. */
  private consultInOrder(key: string, fn: () => Promise<void>): void {
    const run = (this.consultChains.get(key) ?? Promise.resolve())
      .then(fn)
      .catch((err: Error) => this.log.error({ err: err.message }, 'consult notice not sent'));
    this.consultChains.set(key, run);
    void run.then(() => {
      if (this.consultChains.get(key) === run) this.consultChains.delete(key);
    });
  }

  /** Events may have been lost (the bus's subscription dropped): the board is sent afresh. */
  resyncAll(): void {
    this.d.acd.forgetKnownAgents();
    this.d.board.ordersChanged();
    this.wholeNext = true;
    this.forNewcomers.invalidate();
    this.board.poke();
  }

  onEvent(e: DomainEvent): void {
    if (e.type === 'call.arrived' && e.test) return;
    if (e.type === 'work-order.changed') this.d.board.ordersChanged();
    const consults = this.d.consults;
    if (consults && (e.type === 'call.ended' || (e.type === 'call.transfer' && e.kind === 'consult'))) {
      // Keyed by the consulted person where the event names them; a call's end by the call.
      this.consultInOrder(e.type === 'call.transfer' ? e.target : `call:${e.callId}`, async () => {
        for (const c of await consults.apply(e)) this.nsp.local.to(userRoom(c.workNumber)).emit('board:consult', c.notice);
      });
    }
    this.forNewcomers.invalidate();
    this.board.poke();
  }

  private async push(): Promise<void> {
    if (this.nsp.sockets.size === 0) return;
    try {
      await this.refresh();
    } catch (err) {
      this.log.error({ err }, 'board refresh failed');
    }
  }

  /**
   * A fresh board, sent to this process's consoles as the update on the last one, and returned
   * whole (for a console that has no base yet: it ignores the update it may also get).
   */
  private refresh(): Promise<BoardSnapshot> {
    const next = this.refreshing.then(async () => {
      const prev = this.sent;
      const whole = this.wholeNext;
      this.wholeNext = false;
      const board = await this.d.board.snapshot(Date.now(), await this.d.acd.agentsKnown(), (prev?.seq ?? 0) + 1);
      if (whole) this.nsp.local.emit('board:snapshot', board);
      else if (prev) this.nsp.local.emit('board:update', boardUpdate(prev, board));
      this.sent = board;
      return board;
    });
    this.refreshing = next.catch(() => undefined);
    return next;
  }
}

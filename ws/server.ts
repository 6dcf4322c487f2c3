import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Router } from 'express';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { AlarmService, alarmsRouter } from '../api/alarms';
import { AuthService, authRouter, TokenService } from '../api/auth';
import type { ReadinessProbe } from '../api/readiness';
import { recordingsRouter } from '../api/recordings';
import { webRouter } from '../api/web';
import { WorkOrderService, workOrdersRouter } from '../api/work-orders';
import { usesDevJwtSecret, type Config } from '../core/config';
import type { Logger } from '../core/logger';
import { AcdStore } from '../cti/acd/acd-store';
import { AgentService, DispatchKicks } from '../cti/acd/agent-service';
import type { CallPath } from '../cti/call-path';
import type { DomainEvent } from '../events/domain-events';
import { RedisEventBus } from '../events/event-bus';
import type { Models } from '../models';
import { AdminConsole, type AdminNamespace } from './admin';
import { AgentConsole, type AgentNamespace } from './agent';
import { BoardService } from './board/board';
import type { ConsoleNamespace } from './contracts';
import { HealthReporter } from './health';
import { PopBuilder, PopStore } from './pops';
import { SupervisorConsole, type SupervisorNamespace } from './supervisor';

export interface ConsoleDeps {
  config: Config;
  logger: Logger;
  redis: Redis;
  models: Models;
  probes: ReadinessProbe[];
  /** The telephony side; absent in storage-only mode (the consoles then read live state only). */
  calls?: CallPath;
}

/** What the consoles need from the live side: the ACD store, agent state changes, the domain-event bus. */
export interface LiveState {
  acd: AcdStore;
  agents: AgentService;
  bus: RedisEventBus;
}

export interface Consoles {
  routers: Array<{ path: string; router: Router }>;
  tokens: TokenService;
  workOrders: WorkOrderService;
  alarms: AlarmService;
  live: LiveState;
  /** Set once attached. */
  io?: Server;
  agent?: AgentConsole;
  supervisor?: SupervisorConsole;
  admin?: AdminConsole;
  health?: HealthReporter;
  /** Starts Socket.IO on the HTTP server; resolves once domain events are being received. */
  attach(http: HttpServer): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The consoles' part of one CTI process: REST routers (log-in, work orders, alarms, recordings,
 * the web pages) and the Socket.IO namespaces, built by constructor injection like the call path.
 */
export function buildConsoles(deps: ConsoleDeps): Consoles {
  const { config, logger, redis, models, calls } = deps;
  const log = logger.child({ component: 'consoles' });
  if (usesDevJwtSecret(config)) {
    log.warn(
      '!!! JWT_SECRET is not set: console log-ins are signed with the PUBLIC development key. Anyone can forge a token. ' +
        'Set JWT_SECRET (32+ random characters, the same on every CTI process) before any real use. !!!',
    );
  }
  const standalone = calls ? undefined : liveStateOnly(config, redis, models, logger);
  const live: LiveState = calls ?? standalone!;
  const keyPrefix = live.acd.keys.p;
  const tokens = new TokenService(config.JWT_SECRET, config.TOKEN_TTL);
  const auth = new AuthService({ models, redis, tokens, keyPrefix, logger });
  const workOrders = new WorkOrderService({ models, redis, bus: live.bus, keyPrefix, logger });
  const alarms = new AlarmService({ models, logger });

  const routers = [
    { path: '/api', router: authRouter(auth, tokens) },
    { path: '/api/work-orders', router: workOrdersRouter(workOrders, tokens) },
    { path: '/api/alarms', router: alarmsRouter(alarms, tokens) },
    { path: '/api/recordings', router: recordingsRouter({ models, tokens, dir: config.RECORDINGS_DIR }) },
    { path: '/', router: webRouter({ logger, production: config.NODE_ENV === 'production' }) },
  ];

  const consoles: Consoles = {
    routers,
    tokens,
    workOrders,
    alarms,
    live,
    async attach(http) {
      // A client of its own: the adapter duplicates it for its blocking stream reads.
      const adapterRedis = redis.duplicate();
      adapterRedis.on('error', () => undefined);
      const io = new Server(http, {
        serveClient: false,
        maxHttpBufferSize: 64 * 1024,
        adapter: createAdapter(adapterRedis, {
          streamName: `${config.REDIS_PREFIX}:socket.io`,
          channelPrefix: `${config.REDIS_PREFIX}:socket.io`,
          sessionKeyPrefix: `${config.REDIS_PREFIX}:socket.io:session:`,
          maxLen: 10_000,
          blockTimeInMs: 1000,
        }),
        // A blip keeps the socket's rooms and data, and packets broadcast through the adapter
        // (alarm acknowledgements) are replayed; everything else comes with the fresh snapshot
        // every (re)connect gets. With recovery on, a plain socket.emit() is written to the Redis
        // stream first and delivered late, overtaking nothing but overtaken by local emits, so
        // ws/ sends per-socket packets as local broadcasts to the socket's own room instead:
        // one socket's packets then leave in the order they were produced.
        connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
      });
      const nsp = <N extends ConsoleNamespace>(name: N) => io.of(name);
      const agent = new AgentConsole(nsp('/agent') as unknown as AgentNamespace, {
        acd: live.acd,
        agents: live.agents,
        pops: new PopStore(redis, keyPrefix),
        popBuilder: new PopBuilder(models, config.ANSWER_ALARM_MS),
        workOrders,
        tokens,
        afterCallWorkMs: config.AFTER_CALL_WORK_MS,
        logger,
      });
      const supervisorNsp = nsp('/supervisor') as unknown as SupervisorNamespace;
      const adminNsp = nsp('/admin') as unknown as AdminNamespace;
      const supervisor = new SupervisorConsole(supervisorNsp, {
        board: new BoardService({ models, acd: live.acd, serviceLevelMs: config.ANSWER_ALARM_MS }),
        alarms,
        tokens,
        logger,
      });
      const health = new HealthReporter({
        node: config.NODE_ID,
        redis,
        keyPrefix,
        probes: deps.probes,
        ...(calls ? { telephony: calls } : {}),
        consoles: () => ({ agent: io.of('/agent').sockets.size, supervisor: supervisorNsp.sockets.size, admin: adminNsp.sockets.size }),
        logger,
      });
      const admin = new AdminConsole(adminNsp, { health, alarms, tokens, logger });
      agent.start();
      supervisor.start();
      admin.start();
      health.start();

      // Acknowledgements start on one process and go to every console through the adapter.
      const onAck = (v: Parameters<typeof supervisorNsp.emit<'alarm:updated'>>[1]) => {
        supervisorNsp.emit('alarm:updated', v);
        adminNsp.emit('alarm:updated', v);
      };
      alarms.on('updated', onAck);

      // Every process receives every domain event, so each one serves its own sockets (io.local):
      // one delivery per console without electing a sender.
      const unsubscribe = live.bus.subscribe((e: DomainEvent) => {
        agent.onEvent(e);
        supervisor.onEvent(e);
        admin.onEvent(e);
      });
      await live.bus.whenSubscribed();

      Object.assign(consoles, { io, agent, supervisor, admin, health });
      stopAttached = async () => {
        unsubscribe();
        alarms.off('updated', onAck);
        supervisor.stop();
        admin.stop();
        health.stop();
        await Promise.race([io.close(), new Promise((r) => setTimeout(r, 3000).unref())]);
        adapterRedis.disconnect();
      };
      log.info('consoles attached: /agent /supervisor /admin');
    },
    async stop() {
      await stopAttached?.();
      await standalone?.bus.close();
    },
  };
  let stopAttached: (() => Promise<void>) | undefined;
  return consoles;
}

/**
 * Storage-only mode (no telephony): the consoles still log agents in and change their state
 * through the same Redis store and event bus the call path uses, so tests can drive them by
 * publishing domain events.
 */
function liveStateOnly(config: Config, redis: Redis, models: Models, logger: Logger): LiveState {
  const acd = new AcdStore(redis, config.REDIS_PREFIX);
  const bus = new RedisEventBus(redis, acd.keys.events(), logger);
  const agents = new AgentService(acd, models, bus, new DispatchKicks(redis, `${acd.keys.p}:kick`), logger);
  return { acd, agents, bus };
}

import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { AgentConsole } from './agent-console/agent-console';
import { PopBuilder, PopStore } from './agent-console/pops';
import { PopContext } from './agent-console/pop-context';
import { RingingPopBus } from './agent-console/ringing-pop-bus';
import { AlarmService } from './alarms/alarm-service';
import { AlarmFeed } from './alarms/feed';
import { alarmRoutes } from './alarms/routes';
import { createApp } from './api/app';
import { metricsRouter } from './api/metrics';
import { amiProbe, ariProbe, mongoProbe, redisProbe, type ReadinessProbe } from './api/readiness';
import { ApiRoutes } from './api/routes';
import { webRouter } from './api/web';
import { LoginService } from './auth/login-service';
import { authRoutes } from './auth/routes';
import { TokenService } from './auth/token-service';
import { TokenRevocations } from './auth/token-revocations';
import { ConfigError, loadConfig, usesDevJwtSecret, type Config } from './core/config';
import { openBenchTrace } from './core/bench-trace';
import { openMongo, openRedis, queueConnection, type RedisClient } from './core/connections';
import { createLogger, type Logger } from './core/logger';
import { AcdStore } from './cti/acd/acd-store';
import { AfterCallWorkRule } from './cti/acd/after-call-work';
import { AgentService, DispatchKicks } from './cti/acd/agent-service';
import { AnswerAlarmRule, RingNoAnswer } from './cti/acd/answer-alarm';
import { RingDecline } from './cti/acd/decline';
import { DemoDeskPhone } from './cti/acd/demo-desk-phone';
import { Dispatcher } from './cti/acd/dispatcher';
import { WaitEstimator } from './cti/acd/wait-estimate';
import { AmiClient, PbxHealth } from './cti/ami';
import { AriConnection } from './cti/ari/connection';
import type { AriPort } from './cti/ari/port';
import { HotlineApp } from './cti/calls/hotline-app';
import { AgentMonitorNotices } from './cti/monitor/agent-notice';
import { MonitorService } from './cti/monitor/monitor-service';
import { MonitorStore } from './cti/monitor/monitor-store';
import { CallControl } from './cti/calls/call-control';
import { CallTransfers, type CallHandoverOrders } from './cti/calls/transfer';
import { FALLBACK_QUEUE, FallbackImport } from './cti/fallback/fallback-import';
import { MaxWaitRule, MaxWaitWatch } from './cti/calls/max-wait';
import { QueueCallbackRetryRule, QueueCallbackRetryWatch } from './cti/calls/queue-callback';
import { MediaPlayer } from './cti/calls/media';
import { SelfCheck } from './cti/health/self-check';
import { SelfCheckLog } from './cti/health/self-check-log';
import { SilenceAlarmRule } from './cti/health/silence-rule';
import { SilenceWatch } from './cti/health/silence-watch';
import { TestCaller } from './cti/health/test-call';
import { CtiMetrics } from './cti/metrics';
import { RedisEventBus } from './events/event-bus';
import { createModels, syncIndexes, type Models } from './models';
import { applyWrites } from './models/apply-write';
import { LogSmsGateway, parseContacts, WebhookSmsGateway } from './notify/sms';
import { SmsOutbox } from './notify/sms-outbox';
import { RecordOutbox } from './queue/record-outbox';
import { recordingRoutes } from './recordings/routes';
import { BoardService } from './supervisor-board/board-service';
import { SupervisorConsole } from './supervisor-board/supervisor-console';
import { ConsultNotices } from './supervisor-board/consult-notices';
import { AdminConsole } from './system-health/admin-console';
import { HealthReporter } from './system-health/health-reporter';
import { selfCheckRoutes } from './system-health/routes';
import { DepartmentConsole } from './work-orders/department-console';
import { WorkOrderService } from './work-orders/work-order-service';
import { workOrderRoutes } from './work-orders/routes';
import { createSocketServer } from './ws/server';
import { NoticeCallRule } from './cti/notice-call/notice-call-rule';
import { PlacedCallLedger } from './cti/calls/placed-call-ledger';
import { CallbackCallGuards } from './cti/callback-call/callback-call-guards';
import { CallbackCalls, type CallbackCallLog } from './cti/callback-call/callback-calls';
import { NoticeCalls } from './cti/notice-call/notice-calls';
import { NoticeSpeech } from './cti/notice-call/notice-speech';
import { TextSpeaker } from './cti/prompts/speak';
import { NoticeDispatcher } from './notices/department-notifier';
import { MongoSmsRecords } from './notify/sms-records';
import { deadlineRules, WorkOrderDeadlineRules } from './work-orders/deadlines';
import { MajorDigest, MajorDigestRule } from './work-orders/major-digest';
import type { NoticeAcknowledgements } from './work-orders/ports';
import { ShiftHandover, ShiftStartAnnouncer, ShiftStartRule } from './work-orders/shift-handover';
import { WorkOrderTimeLimits } from './work-orders/time-limits';
import { UrgeService } from './work-orders/urge';
import { urgeRoutes } from './work-orders/urge-routes';
import { OrderNotices } from './work-orders/order-notices';
import { noticeRoutes } from './work-orders/notices-routes';
import { OrderLocks } from './work-orders/order-lock';
import { CallbackService } from './callbacks/callback-service';
import { callbackRules } from './callbacks/callback-rules';
import { callbackRoutes } from './callbacks/routes';
import { SmsSignature } from './callbacks/sms-signature';
import { OutageService } from './outages/outage-service';
import { outageRules } from './outages/outage-rules';
import { publishersFrom } from './outages/publishers';
import { outageRoutes } from './outages/routes';
import { OutageIvr } from './cti/calls/outage-ivr';
import { DispatchService } from './dispatch/dispatch-service';
import { dispatchRoutes } from './dispatch/routes';
import { ReportService } from './reports/report-service';
import { MonthlyReportJobRunner, MonthlyReportRule } from './reports/report-job';
import { reportRoutes } from './reports/routes';
import { OutageCaller } from './notices/outage-caller';
import { EngineeringSampler, EngineeringSampleRule } from './callbacks/engineering-sample';

/**
 * The composition root, and the only one: it reads the config, opens the connections and builds
 * every service by constructor injection. Nothing here is a module-level singleton, so a test can
 * start two CTI nodes against one Redis in one process.
 */

/** The live state every process shares through Redis: agents, queue, reservations, domain events. */
export interface LiveState {
  acd: AcdStore;
  agents: AgentService;
  bus: RedisEventBus;
  kicks: DispatchKicks;
  /** Durable record writes (calls, recordings, alarms): in Redis first, then MongoDB. */
  outbox: RecordOutbox;
  /** The last self-checks, automatic and on demand, for the admin page. */
  selfChecks: SelfCheckLog;
}

/** The telephony side of one CTI process. */
export interface CallPath extends LiveState {
  app: HotlineApp;
  ari: AriConnection;
  ami: AmiClient;
  pbx: PbxHealth;
  dispatcher: Dispatcher;
  answerAlarm: AnswerAlarmRule;
  afterCallWork: AfterCallWorkRule;
  /** The maximum-wait watchdog: its rule (armed by each call) and what it does when due. */
  maxWait: MaxWaitRule;
  maxWaitWatch: MaxWaitWatch;
  silence: SilenceWatch;
  selfCheck: SelfCheck;
  decline: RingDecline;
  metrics: CtiMetrics;
  appName: string;
  /** Imports the calls of the dialplan fallback from queue_log; absent without ASTERISK_QUEUE_LOG. */
  fallbackImport?: FallbackImport;
  /** The recorded notice calls to departments (Art. 8): placed through the carrier trunk, key 1 acknowledges. */
  noticeCalls: NoticeCalls;
  /** Click-to-call for phone callbacks (回访): the agent's phone first, then the customer's through the trunk. */
  callbackCalls: CallbackCalls;
  /** Supervisor listen / whisper / barge (监听、耳语、强插) through snoop channels. */
  monitor: MonitorService;
  /** Consult transfer, return, 转部门 on the calls this process owns; requests reach the owner through callControl. */
  transfers: CallTransfers;
  callControl: CallControl;
  stop(): Promise<void>;
}

/** What the telephony side takes from the company side, built before it. */
interface TelephonyInputs {
  sms: SmsOutbox;
  /** The screen-pop's content, gathered while a caller is greeted (the owning process does it). */
  popContext: PopContext;
  /** Bound once the work-order service exists: a key press on a notice call acknowledges through it. */
  noticeAcks: { current?: NoticeAcknowledgements };
  /** Bound once the callback service exists: a callback call's end is kept on its callback. */
  callbackLog: { current?: CallbackCallLog };
  /** Bound once the work-order service exists: a transferred call's orders follow it (首问负责制). */
  handoverOrders: { current?: CallHandoverOrders };
}

/** The company-side services behind the REST API and the consoles. */
export interface Services {
  tokens: TokenService;
  login: LoginService;
  workOrders: WorkOrderService;
  alarms: AlarmService;
  urge: UrgeService;
  handover: ShiftHandover;
  callbacks: CallbackService;
  outages: OutageService;
}

export interface Consoles {
  agent: AgentConsole;
  supervisor: SupervisorConsole;
  admin: AdminConsole;
  department: DepartmentConsole;
  health: HealthReporter;
}

export interface CtiNode {
  config: Config;
  logger: Logger;
  redis: RedisClient;
  mongo: Connection;
  models: Models;
  /** The express app: REST API, health, metrics, web pages. */
  app: Express;
  http: Server;
  url: string;
  live: LiveState;
  /** The telephony side; absent when started with `telephony: false` (storage-only tests). */
  calls?: CallPath;
  /** The screen-pop's content per call (prepared at arrival by the call's owner). */
  popContext: PopContext;
  services: Services;
  consoles: Consoles;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  telephony?: boolean;
  /**
   * Demo only, and only with DEMO=true: answers an agent's ringing leg on the simulated PBX, so the
   * agent console can show 接听 in place of a desk phone (scripts/demo.ts passes the simulator's).
   */
  demoAnswerLeg?: (channelId: string) => void;
}

export function appNameFor(config: Pick<Config, 'ARI_APP' | 'ARI_MODE' | 'NODE_ID'>): string {
  return config.ARI_MODE === 'broadcast' ? `${config.ARI_APP}-${config.NODE_ID}` : config.ARI_APP;
}

function liveState(config: Config, redis: RedisClient, models: Models, logger: Logger): LiveState {
  const acd = new AcdStore(redis, config.REDIS_PREFIX);
  const bus = new RedisEventBus(redis, acd.keys.events(), logger);
  const kicks = new DispatchKicks(redis, `${acd.keys.p}:kick`);
  const agents = new AgentService(acd, models, bus, kicks, logger);
  const outbox = new RecordOutbox(redis, acd.keys.p, applyWrites(models, logger), logger);
  const selfChecks = new SelfCheckLog(redis, `${acd.keys.p}:self-check:log`);
  return { acd, agents, bus, kicks, outbox, selfChecks };
}

async function startTelephony(config: Config, redis: RedisClient, mongo: Connection, models: Models, live: LiveState, logger: Logger, inputs: TelephonyInputs): Promise<CallPath> {
  const { acd, agents, kicks, outbox } = live;
  // The call path's ringing events leave with their screen-pop joined in (one script).
  const bus = new RingingPopBus(live.bus, new PopStore(redis, acd.keys.p), inputs.popContext, acd.keys.events());
  const appName = appNameFor(config);
  const dispatcher = new Dispatcher(acd, kicks, config.NODE_ID, config.LANGUAGE_FALLBACK_MS, logger);
  // The prefix's hash tag is the ACD's: on a Cluster every BullMQ script's keys share one slot.
  const ruleOpts = { connection: queueConnection(config, redis), prefix: `{${config.REDIS_PREFIX}}-bull`, logger };
  const answerAlarm = new AnswerAlarmRule(ruleOpts, config.ANSWER_ALARM_MS);
  const afterCallWork = new AfterCallWorkRule(ruleOpts, config.AFTER_CALL_WORK_MS);
  const silenceRule = new SilenceAlarmRule(ruleOpts, config.SILENCE_ALARM_MS, redis, acd.keys.p);
  const maxWait = new MaxWaitRule(ruleOpts, config.QUEUE_MAX_WAIT_MS, config.QUEUE_MAX_WAIT_RECHECK_MS);
  const queueCallbackRetry = new QueueCallbackRetryRule(ruleOpts);
  const { sms } = inputs;
  const metrics = new CtiMetrics({ node: config.NODE_ID });
  metrics.countMongoWrites(mongo);

  const ari = new AriConnection({
    url: config.ARI_URL,
    username: config.ARI_USERNAME,
    password: config.ARI_PASSWORD,
    apps: [appName],
    logger,
    requestTimeoutMs: config.ARI_REQUEST_TIMEOUT_MS,
  });
  const ami = new AmiClient({ host: config.AMI_HOST, port: config.AMI_PORT, username: config.AMI_USERNAME, secret: config.AMI_SECRET, logger });
  const pbx = new PbxHealth({ ami, logger });
  // Reachability lives in Redis so every process's ACD skips an unreachable phone.
  pbx.on('phone', (p) => void acd.setPhoneReachable(p.extension, p.reachable).catch(() => undefined));

  const testCall = new TestCaller(
    { ari, acd, bus },
    { number: config.HOTLINE_NUMBER, context: config.SELF_CHECK_CONTEXT, localContext: config.SELF_CHECK_LOCAL_CONTEXT, timeoutMs: config.SELF_CHECK_TIMEOUT_MS },
  );
  const selfCheck = new SelfCheck({ ari, ami, pbx, acd, redis, mongo, testCall, appPattern: new RegExp(`^${config.ARI_APP}(-|$)`) });
  const silence = new SilenceWatch({
    rule: silenceRule,
    check: selfCheck,
    checkLog: live.selfChecks,
    models,
    bus,
    outbox,
    redis,
    keyPrefix: acd.keys.p,
    sms,
    contacts: parseContacts(config.ALARM_CONTACTS),
    logger,
    onAlarm: (kind) => metrics.alarms.inc({ kind }),
  });

  // Spoken words made at run time (a notice's address, an outage of the caller's area), by the prompts' TTS.
  const speaker = new TextSpeaker({ espeak: process.env.ESPEAK_NG || 'espeak-ng', sox: process.env.SOX || 'sox' });
  const speechDir = { dir: config.NOTICE_SOUNDS_DIR, media: config.NOTICE_SOUNDS_MEDIA };
  // One player for hotline and notice calls: a reconnect's `interrupted()` covers both.
  const media = new MediaPlayer(ari);
  const noticeRule = new NoticeCallRule(ruleOpts);
  const noticeCalls = new NoticeCalls({
    ari: ari as AriPort,
    models,
    outbox,
    rule: noticeRule,
    media,
    logger,
    ledger: new PlacedCallLedger(redis, config.REDIS_PREFIX, 'notice-calls'),
    speech: new NoticeSpeech(speaker, speechDir, logger),
    acks: {
      acknowledgeNotice: (number, by, via) => {
        const acks = inputs.noticeAcks.current;
        if (!acks) throw new Error('work-order service not ready: acknowledgement not taken');
        return acks.acknowledgeNotice(number, by, via);
      },
    },
    settings: {
      node: config.NODE_ID,
      app: appName,
      hotlineNumber: config.HOTLINE_NUMBER,
      trunkEndpoint: config.NOTICE_TRUNK_ENDPOINT,
      ringTimeoutSec: config.NOTICE_CALL_RING_SEC,
      retryMs: config.NOTICE_CALL_RETRY_MS,
      keyWaitMs: config.NOTICE_KEY_WAIT_MS,
      maxPlays: 4,
      recordingFormat: 'wav',
    },
  });

  const callbackCalls = new CallbackCalls({
    ari: ari as AriPort,
    models,
    outbox,
    bus,
    acd,
    agents,
    ledger: new PlacedCallLedger(redis, config.REDIS_PREFIX, 'callback-calls'),
    guards: new CallbackCallGuards(redis, config.REDIS_PREFIX),
    log: () => inputs.callbackLog.current,
    settings: {
      node: config.NODE_ID,
      app: appName,
      hotlineNumber: config.HOTLINE_NUMBER,
      trunkEndpoint: config.NOTICE_TRUNK_ENDPOINT,
      agentRingSec: config.CALLBACK_AGENT_RING_SEC,
      customerRingSec: config.CALLBACK_CUSTOMER_RING_SEC,
      recordingFormat: 'wav',
    },
    logger,
  });

  const sessions: { app?: HotlineApp } = {};
  const transfers = new CallTransfers({
    ari: ari as AriPort,
    redis,
    acd,
    agents,
    afterCallWork,
    models,
    bus,
    sessions: (callId) => sessions.app?.session(callId),
    orders: () => inputs.handoverOrders.current,
    settings: {
      node: config.NODE_ID,
      app: appName,
      trunkEndpoint: config.NOTICE_TRUNK_ENDPOINT,
      consultRingSec: Math.ceil(config.ANSWER_ALARM_MS / 1000),
      departmentRingSec: config.TRANSFER_RING_SEC,
      recordingFormat: 'wav',
    },
    logger,
  });
  const callControl = new CallControl({ redis, acd, node: config.NODE_ID, run: (req) => transfers.handle(req), logger });
  await callControl.start();

  const monitor = new MonitorService({
    ari: ari as AriPort,
    store: new MonitorStore(redis, config.REDIS_PREFIX),
    models,
    outbox,
    bus,
    acd,
    settings: { node: config.NODE_ID, app: appName, tellAgent: config.MONITOR_TELL_AGENT, ringSec: config.MONITOR_RING_SEC, hotlineNumber: config.HOTLINE_NUMBER },
    logger,
  });
  const unMonitor = monitor.start();

  // A planned stop closes ARI first; call steps failing after that are not the calls' failures.
  const lifecycle = { stopping: false };
  const app = new HotlineApp(
    {
      ari: ari as AriPort,
      acd,
      agents,
      dispatcher,
      models,
      outbox,
      bus,
      media,
      lifecycle,
      answerAlarm,
      afterCallWork,
      maxWait,
      queueCallback: {
        retry: queueCallbackRetry,
        settings: {
          offerMs: config.QUEUE_CALLBACK_OFFER_MS,
          retryMs: config.QUEUE_CALLBACK_RETRY_MS,
          retries: config.QUEUE_CALLBACK_RETRIES,
          trunkEndpoint: config.NOTICE_TRUNK_ENDPOINT,
          ringSec: config.QUEUE_CALLBACK_RING_SEC,
          keyWaitMs: config.QUEUE_CALLBACK_KEY_WAIT_MS,
        },
      },
      waitEstimate: new WaitEstimator(models, acd),
      ...(config.OUTAGE_IVR ? { outageIvr: new OutageIvr(models, speaker, { ...speechDir, areas: config.OUTAGE_IVR_AREAS }, logger), outageKeyWaitMs: config.OUTAGE_IVR_KEY_WAIT_MS } : {}),
      logger,
      hooks: {
        arrived: (call) => {
          if (call.test) return;
          void silence.onCall().catch((err: Error) => logger.error({ err: err.message }, 'silence watch update failed'));
          void inputs.popContext.prepare({ callId: call.callId, callerNumber: call.callerNumber });
        },
        offerEnded: (call, result, ringMs) => {
          if (!call.test) metrics.ringSeconds.observe({ result }, ringMs / 1000);
        },
        answered: (call, waitMs, ringMs) => {
          if (call.test) return;
          metrics.ringSeconds.observe({ result: 'answered' }, ringMs / 1000);
          metrics.answerDelaySeconds.observe(waitMs / 1000);
        },
        ended: (call, outcome) => {
          void transfers.callEnded(call.callId).catch((err: Error) => logger.error({ callId: call.callId, err: err.message }, 'transfer of an ended call not cleaned up'));
          if (call.test) return;
          metrics.calls.inc({ outcome });
          void inputs.popContext.callEnded(call.callerNumber, call.endedView(outcome)).catch((err: Error) => logger.warn({ err: err.message }, "pop cache of the number not updated with the ended call"));
        },
      },
      settings: {
        node: config.NODE_ID,
        app: appName,
        hotlineNumber: config.HOTLINE_NUMBER,
        defaultLanguage: config.DEFAULT_LANGUAGE,
        fallbackMs: config.LANGUAGE_FALLBACK_MS,
        announceMs: config.QUEUE_ANNOUNCE_MS,
        ringTimeoutSec: Math.ceil(config.ANSWER_ALARM_MS / 1000) + 30,
        recordingFormat: 'wav',
        recordingEndGraceMs: config.RECORDING_END_GRACE_MS,
      },
    },
    { mode: config.ARI_MODE, claimHandoffMs: config.BROADCAST_HANDOFF_MS, placedCalls: [monitor, noticeCalls, callbackCalls, transfers] },
  );
  sessions.app = app;

  const heartbeat = async () => {
    await app.renewLease();
    await app.beat().catch((err: Error) => logger.warn({ err: err.message }, 'app holder mark failed'));
    await app.sweep().catch((err: Error) => logger.warn({ err: err.message }, 'sweep of dead processes failed'));
  };
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), 5_000);
  beat.unref();

  await dispatcher.start();
  app.start();
  ami.start();
  pbx.start();
  // Start-up does not wait forever for Asterisk: /readyz says "ari: …" and the silence alarm's
  // self-check reports it. Calls left by an earlier run are cleaned up once ARI answers.
  const connected = ari.start().then(() => app.recoverStale().catch((err: Error) => logger.error({ err: err.message }, 'recovery failed')));
  const waited = await Promise.race([connected.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), config.ARI_CONNECT_WAIT_MS).unref())]);
  if (!waited) logger.error({ ari: config.ARI_URL }, 'Asterisk (ARI) not reachable yet; still trying');

  const noAnswer = new RingNoAnswer({ acd, agents, outbox, bus, ari, logger, onAlarm: (kind) => metrics.alarms.inc({ kind }) });
  answerAlarm.process((job, j) => noAnswer.handle(job, String(j.id), j.attemptsMade + 1 >= (j.opts.attempts ?? 1)));
  afterCallWork.process(async (job) => {
    await agents.forCall(job.agentWorkNumber, job.callId, 'ready', ['acw']);
  });
  const maxWaitWatch = new MaxWaitWatch({
    rule: maxWait,
    acd,
    models,
    outbox,
    bus,
    ari: ari as AriPort,
    calls: app,
    node: config.NODE_ID,
    logger,
    onAlarm: (kind) => metrics.alarms.inc({ kind }),
  });
  maxWait.process((_data, job, token) => maxWaitWatch.run(job, token));
  const queueCallbackWatch = new QueueCallbackRetryWatch({ acd, models, outbox, calls: app, node: config.NODE_ID, logger });
  queueCallbackRetry.process((_data, job) => queueCallbackWatch.run(job));
  noticeCalls.start();
  await silence.start();
  // Calls Asterisk's own queue took while no CTI process answered: imported from queue_log now and periodically.
  const fallbackImport = config.ASTERISK_QUEUE_LOG
    ? new FallbackImport(
        { redis, keyPrefix: acd.keys.p, outbox, models, logger },
        { queueLogPath: config.ASTERISK_QUEUE_LOG, queue: FALLBACK_QUEUE, hotlineNumber: config.HOTLINE_NUMBER, everyMs: config.FALLBACK_IMPORT_MS },
      )
    : undefined;
  fallbackImport?.start();
  metrics.watch({ acd, ari, ami, rules: [answerAlarm, afterCallWork, maxWait, queueCallbackRetry, silenceRule, sms, noticeRule] });

  return {
    app,
    ari,
    ami,
    pbx,
    ...live,
    dispatcher,
    answerAlarm,
    afterCallWork,
    maxWait,
    maxWaitWatch,
    silence,
    selfCheck,
    decline: new RingDecline({ acd, agents, ari, logger }),
    metrics,
    appName,
    ...(fallbackImport ? { fallbackImport } : {}),
    noticeCalls,
    callbackCalls,
    monitor,
    transfers,
    callControl,
    async stop() {
      lifecycle.stopping = true;
      unMonitor();
      callControl.stop();
      clearInterval(beat);
      fallbackImport?.stop();
      await app.stop();
      dispatcher.stop();
      await ari.stop();
      pbx.stop();
      await ami.stop();
      await answerAlarm.close();
      await afterCallWork.close();
      await maxWait.close();
      await queueCallbackRetry.close();
      await silenceRule.close();
      await noticeRule.close();
    },
  };
}

export async function startCti(config: Config, opts: StartOptions = {}): Promise<CtiNode> {
  const logger = opts.logger ?? createLogger(config);
  // Before any connection: a bad WORK_ORDER_TIME_LIMITS stops the start like any other setting.
  const timeLimits = WorkOrderTimeLimits.fromConfig(config);
  const redis = openRedis(config, logger);
  const mongo = await openMongo(config.MONGO_URL, logger);
  const models = createModels(mongo);
  await syncIndexes(models);
  const live = liveState(config, redis, models, logger);
  live.outbox.start();
  // The prefix's hash tag is the ACD's: on a Cluster every BullMQ script's keys share one slot.
  const ruleOpts = { connection: queueConnection(config, redis), prefix: `{${config.REDIS_PREFIX}}-bull`, logger };
  // SMS goes out from every process, with or without telephony (department notices, alarms, the digest).
  const sms = new SmsOutbox(
    ruleOpts,
    config.SMS_GATEWAY === 'webhook' && config.SMS_WEBHOOK_URL ? new WebhookSmsGateway(config.SMS_WEBHOOK_URL, 5000, config.SMS_WEBHOOK_TOKEN) : new LogSmsGateway(logger),
    new MongoSmsRecords(models),
  );
  sms.start();
  const noticeAcks: TelephonyInputs['noticeAcks'] = {};
  const callbackLog: TelephonyInputs['callbackLog'] = {};
  const handoverOrders: TelephonyInputs['handoverOrders'] = {};
  const popContext = new PopContext(redis, live.acd.keys.p, new PopBuilder(models, config.ANSWER_ALARM_MS), logger);
  const calls = opts.telephony === false ? undefined : await startTelephony(config, redis, mongo, models, live, logger, { sms, noticeAcks, callbackLog, handoverOrders, popContext });

  if (usesDevJwtSecret(config)) {
    logger.warn(
      '!!! JWT_SECRET is not set: console log-ins are signed with the PUBLIC development key. Anyone can forge a token. ' +
        'Set JWT_SECRET (32+ random characters, the same on every CTI process) before any real use. !!!',
    );
  }
  const keyPrefix = live.acd.keys.p;
  const tokens = new TokenService(config.JWT_SECRET, config.TOKEN_TTL);
  const revocations = new TokenRevocations({ redis, prefix: keyPrefix, bus: live.bus, logger });
  await revocations.start();
  tokens.useRevocations(revocations);
  const workOrders = new WorkOrderService({ models, redis, bus: live.bus, outbox: live.outbox, keyPrefix, logger, times: timeLimits });
  handoverOrders.current = workOrders;
  const onAlarm = calls ? (kind: string) => calls.metrics.alarms.inc({ kind }) : undefined;
  const deadlines = new WorkOrderDeadlineRules({
    models,
    bus: live.bus,
    outbox: live.outbox,
    rules: deadlineRules(ruleOpts),
    logger,
    locks: workOrders.locks,
    settings: { noticeMs: config.WORK_ORDER_NOTICE_MS, acceptMs: config.WORK_ORDER_COMPLAINT_ACCEPT_MS, escalateNoticeLate: config.WORK_ORDER_ESCALATE_NOTICE_LATE },
    ...(onAlarm ? { onAlarm } : {}),
  });
  deadlines.start();
  const notifier = new NoticeDispatcher({ models, sms, ...(calls ? { calls: calls.noticeCalls } : {}), channels: config.NOTICE_CHANNELS, logger });
  const callbacks = new CallbackService({
    models,
    bus: live.bus,
    outbox: live.outbox,
    sms,
    rules: callbackRules(ruleOpts),
    locks: new OrderLocks(redis, `${live.acd.keys.p}:callback`),
    orders: workOrders,
    ...(calls ? { dialer: calls.callbackCalls } : {}),
    settings: {
      phoneWithinMs: config.CALLBACK_PHONE_WITHIN_MS,
      smsReplyMs: config.CALLBACK_SMS_REPLY_MS,
      smsReminderMs: config.CALLBACK_SMS_REMINDER_MS,
      smsShare: config.CALLBACK_SMS_SHARE,
      sweepMs: config.CALLBACK_SWEEP_MS,
    },
    logger,
  });
  callbackLog.current = callbacks;
  await callbacks.start();
  workOrders.usePorts({ deadlines, notifier, callbacks });
  const sampleRule = new EngineeringSampleRule(ruleOpts);
  await new EngineeringSampler({
    models,
    callbacks,
    calendar: timeLimits.calendar,
    at: config.CALLBACK_SAMPLE_AT,
    share: config.CALLBACK_ENGINEERING_SHARE,
    logger,
  }).start(sampleRule);
  // Key 1 on a notice call: an outage's (TS…) is kept by the outage service, an order's by its lifecycle.
  noticeAcks.current = {
    acknowledgeNotice: (number, by, via) => (number.startsWith('TS') ? outages.callAcknowledged(number, by) : workOrders.acknowledgeNotice(number, by, via)),
  };
  const outages = new OutageService({
    models,
    redis,
    keyPrefix,
    sms,
    rules: outageRules(ruleOpts),
    ...(calls ? { calls: new OutageCaller({ models, calls: calls.noticeCalls, logger }) } : {}),
    publishers: publishersFrom(
      { wechat: config.OUTAGE_PUBLISH_WECHAT_URL, website: config.OUTAGE_PUBLISH_WEBSITE_URL, hongdou: config.OUTAGE_PUBLISH_HONGDOU_URL },
      config.OUTAGE_PUBLISH_TOKEN,
      logger,
    ),
    locks: new OrderLocks(redis, `${keyPrefix}:outage`),
    changed: async (number) => {
      await popContext.outagesChanged();
      await live.bus.publish({ type: 'outage.changed', number, at: Date.now() });
    },
    settings: {
      largeThreshold: config.OUTAGE_LARGE_THRESHOLD,
      bigUserLeadMs: config.OUTAGE_BIG_USER_LEAD_MS,
      companyLeaders: parseContacts(config.OUTAGE_LEADER_CONTACTS),
      bureauContacts: parseContacts(config.OUTAGE_BUREAU_CONTACTS),
      sweepMs: config.OUTAGE_SWEEP_MS,
    },
    logger,
  });
  await outages.start();
  const handover = new ShiftHandover({ models, bus: live.bus, logger, shifts: config.SHIFTS });
  const services: Services = {
    tokens,
    login: new LoginService({ models, redis, tokens, keyPrefix, logger }),
    workOrders,
    alarms: new AlarmService({ models, logger, outbox: live.outbox }),
    handover,
    callbacks,
    outages,
    urge: new UrgeService({
      models,
      redis,
      bus: live.bus,
      notifier,
      onDuty: (wn) => handover.onDuty(wn),
      keyPrefix,
      repeatMs: config.URGE_REPEAT_MS,
      logger,
      locks: workOrders.locks,
    }),
  };
  const shiftStart = new ShiftStartAnnouncer(new ShiftStartRule(ruleOpts), handover, logger);
  await shiftStart.start();
  const digestRule = new MajorDigestRule(ruleOpts);
  await new MajorDigest({
    models,
    bus: live.bus,
    outbox: live.outbox,
    sms,
    contacts: parseContacts(config.MAJOR_DIGEST_CONTACTS),
    rule: digestRule,
    at: config.MAJOR_DIGEST_AT,
    logger,
  }).start();


  const reports = new ReportService({ models, options: { serviceLevelMs: config.ANSWER_ALARM_MS, outageLeadMs: config.OUTAGE_BIG_USER_LEAD_MS }, logger });
  const reportRule = new MonthlyReportRule(ruleOpts);
  await new MonthlyReportJobRunner({
    reports,
    rule: reportRule,
    outbox: live.outbox,
    bus: live.bus,
    sms,
    contacts: parseContacts(config.REPORT_CONTACTS),
    day: config.REPORT_DAY,
    at: config.REPORT_AT,
    logger,
  }).start();

  const api = new ApiRoutes(tokens);
  authRoutes(api, services.login, { tokens, revocations });
  workOrderRoutes(api, services.workOrders);
  urgeRoutes(api, services.urge, handover);
  noticeRoutes(api, new OrderNotices({ models }));
  alarmRoutes(api, services.alarms);
  callbackRoutes(api, callbacks, models, {
    ...(config.SMS_INBOUND_SECRET
      ? { signature: new SmsSignature({ secret: config.SMS_INBOUND_SECRET, redis, keyPrefix, maxSkewMs: config.SMS_INBOUND_MAX_SKEW_MS }) }
      : {}),
    logger,
  });
  outageRoutes(api, outages);
  dispatchRoutes(api, new DispatchService({ models, logger }));
  reportRoutes(api, reports, models, { serviceLevelMs: config.ANSWER_ALARM_MS });
  recordingRoutes(api, { models, tokens, dirs: { recordings: config.RECORDINGS_DIR, monitor: config.ASTERISK_MONITOR_DIR } });
  if (calls) selfCheckRoutes(api, calls.selfCheck, live.selfChecks, logger);

  const probes: ReadinessProbe[] = [redisProbe(redis), mongoProbe(mongo), ...(calls ? [ariProbe(calls.ari), amiProbe(calls.ami)] : [])];
  const app = createApp({
    logger,
    probes,
    corsOrigins: config.CORS_ORIGINS,
    api,
    routers: [
      ...(calls ? [{ path: '/', router: metricsRouter(calls.metrics.registry) }] : []),
      // Last: it serves the web pages, and unknown paths fall through to the 404 answer.
      { path: '/', router: webRouter({ logger, production: config.NODE_ENV === 'production' }) },
    ],
  });
  const http = app.listen(config.HTTP_PORT, config.HTTP_HOST);
  await once(http, 'listening');

  const sockets = createSocketServer(http, redis, config.REDIS_PREFIX, config.CORS_ORIGINS);
  const { io } = sockets;
  const log = logger.child({ component: 'consoles' });
  const agentNsp = io.of('/agent');
  const supervisorNsp = io.of('/supervisor');
  const adminNsp = io.of('/admin');
  const departmentNsp = io.of('/department');
  const alarmFeed = new AlarmFeed(services.alarms, [supervisorNsp, adminNsp]);
  const health = new HealthReporter({
    node: config.NODE_ID,
    redis,
    keyPrefix,
    probes,
    selfChecks: live.selfChecks,
    ...(calls ? { telephony: calls } : {}),
    consoles: () => ({ agent: agentNsp.sockets.size, supervisor: supervisorNsp.sockets.size, admin: adminNsp.sockets.size }),
    logger,
  });
  const consoles: Consoles = {
    agent: new AgentConsole(agentNsp, {
      acd: live.acd,
      agents: live.agents,
      pops: new PopStore(redis, keyPrefix),
      popContext,
      workOrders: services.workOrders,
      handover,
      ...(calls ? { decline: calls.decline } : {}),
      ...(calls ? { transfers: { control: calls.callControl, targets: calls.transfers } } : {}),
      // Any process reads the monitors in Redis: the agent's socket need not be on the call's.
      monitors: new AgentMonitorNotices(new MonitorStore(redis, config.REDIS_PREFIX), config.MONITOR_TELL_AGENT),
      ...(calls && config.DEMO && opts.demoAnswerLeg ? { deskPhone: new DemoDeskPhone({ acd: live.acd, answerLeg: opts.demoAnswerLeg, logger }) } : {}),
      tokens,
      afterCallWorkMs: config.AFTER_CALL_WORK_MS,
      logger,
    }),
    supervisor: new SupervisorConsole(supervisorNsp, {
      board: new BoardService({ models, acd: live.acd, serviceLevelMs: config.ANSWER_ALARM_MS, monitors: new MonitorStore(redis, config.REDIS_PREFIX), log: logger }),
      acd: live.acd,
      alarms: alarmFeed,
      tokens,
      logger,
      workOrders: services.workOrders,
      ...(calls ? { monitor: calls.monitor } : {}),
      consults: new ConsultNotices(redis, live.acd.keys.p, { acd: live.acd, customers: popContext.builder, logger }),
    }),
    admin: new AdminConsole(adminNsp, { health, alarms: alarmFeed, tokens, logger }),
    department: new DepartmentConsole(departmentNsp, { workOrders: services.workOrders, models, tokens, logger }),
    health,
  };
  consoles.agent.start();
  consoles.supervisor.start();
  consoles.admin.start();
  consoles.department.start();
  health.start();
  alarmFeed.start();
  // Every process receives every domain event, so each one serves its own sockets (io.local):
  // one delivery per console without electing a sender.
  const unsubscribe = live.bus.subscribe((e) => {
    consoles.agent.onEvent(e);
    consoles.supervisor.onEvent(e);
    consoles.department.onEvent(e);
    alarmFeed.onEvent(e);
  });
  const unGap = live.bus.onGap(() => {
    consoles.agent.resyncAll();
    consoles.supervisor.resyncAll();
    consoles.department.resyncAll();
    alarmFeed.resendAll().catch((err: unknown) => log.error({ err }, 'alarm list could not be sent afresh'));
  });
  await live.bus.whenSubscribed();
  log.info('consoles attached: /agent /supervisor /admin /department');

  const { port } = http.address() as AddressInfo;
  const url = `http://${config.HTTP_HOST}:${port}`;
  logger.info({ url }, 'hotline-cti listening');

  let stopped = false;
  return {
    config,
    logger,
    redis,
    mongo,
    models,
    app,
    http,
    url,
    live,
    ...(calls ? { calls } : {}),
    popContext,
    services,
    consoles,
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      unGap();
      alarmFeed.stop();
      consoles.supervisor.stop();
      consoles.admin.stop();
      health.stop();
      await sockets.close();
      await calls?.stop();
      await shiftStart.close();
      await digestRule.close();
      await reportRule.close();
      revocations.stop();
      await deadlines.close();
      await callbacks.close();
      await outages.close();
      await sampleRule.close();
      await sms.close();
      live.outbox.stop();
      await live.bus.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      redis.disconnect();
      await mongo.close();
    },
  };
}

/**
 * A promise rejected where nobody listens is a defect to log, not a reason to drop every call in
 * progress: Node 20 would end the process. Installed by the process entry points only.
 */
export function keepServingOnUnhandledRejection(logger: Logger): void {
  process.on('unhandledRejection', (err: unknown) => {
    logger.error({ err }, 'unhandled promise rejection (a defect): logged, still serving');
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hotline-cti: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  keepServingOnUnhandledRejection(logger);
  openBenchTrace(config.BENCH_TRACE_FILE);
  const node = await startCti(config, { logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`hotline-cti: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

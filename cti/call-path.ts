import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import { AfterCallWorkRule } from './acd/after-call-work';
import { AnswerAlarmRule, RingNoAnswer } from './acd/answer-alarm';
import { AcdStore } from './acd/acd-store';
import { AgentService, DispatchKicks } from './acd/agent-service';
import { Dispatcher } from './acd/dispatcher';

import { WaitEstimator } from './acd/wait-estimate';
import { AmiClient, PbxHealth } from './ami';
import { AriConnection } from './ari/connection';
import type { AriPort } from './ari/port';
import { HotlineApp } from './calls/hotline-app';
import { MediaPlayer } from './calls/media';
import { RedisEventBus } from '../events/event-bus';
import { SelfCheck } from './health/self-check';
import { SilenceWatch } from './health/silence-watch';
import { TestCaller } from './health/test-call';
import { CtiMetrics } from './metrics';
import { LogSmsGateway, parseContacts, WebhookSmsGateway } from '../notify/sms';
import { SilenceAlarmRule } from './health/silence-rule';

/** Everything the telephony side of one CTI process is made of, built by constructor injection. */
export interface CallPath {
  app: HotlineApp;
  ari: AriConnection;
  ami: AmiClient;
  pbx: PbxHealth;
  acd: AcdStore;
  agents: AgentService;
  bus: RedisEventBus;
  dispatcher: Dispatcher;
  answerAlarm: AnswerAlarmRule;
  afterCallWork: AfterCallWorkRule;
  silence: SilenceWatch;
  selfCheck: SelfCheck;
  metrics: CtiMetrics;
  appName: string;
  stop(): Promise<void>;
}

export function appNameFor(config: Pick<Config, 'ARI_APP' | 'ARI_MODE' | 'NODE_ID'>): string {
  return config.ARI_MODE === 'broadcast' ? `${config.ARI_APP}-${config.NODE_ID}` : config.ARI_APP;
}

export async function startCallPath(config: Config, redis: Redis, mongo: Connection, models: Models, logger: Logger): Promise<CallPath> {
  const appName = appNameFor(config);
  const acd = new AcdStore(redis, config.REDIS_PREFIX);
  const bus = new RedisEventBus(redis, `${acd.keys.p}:events`, logger);
  const kicks = new DispatchKicks(redis, `${acd.keys.p}:kick`);
  const agents = new AgentService(acd, models, bus, kicks, logger);
  const dispatcher = new Dispatcher(acd, kicks, config.LANGUAGE_FALLBACK_MS, logger);
  const ruleOpts = { connection: { url: config.REDIS_URL, maxRetriesPerRequest: null }, prefix: `{${config.REDIS_PREFIX}}-bull`, logger };
  const answerAlarm = new AnswerAlarmRule(ruleOpts, config.ANSWER_ALARM_MS);
  const afterCallWork = new AfterCallWorkRule(ruleOpts, config.AFTER_CALL_WORK_MS);
  const silenceRule = new SilenceAlarmRule(ruleOpts, config.SILENCE_ALARM_MS);
  const metrics = new CtiMetrics({ node: config.NODE_ID });

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
    models,
    bus,
    redis,
    keyPrefix: acd.keys.p,
    sms: config.SMS_GATEWAY === 'webhook' && config.SMS_WEBHOOK_URL ? new WebhookSmsGateway(config.SMS_WEBHOOK_URL, 5000, config.SMS_WEBHOOK_TOKEN) : new LogSmsGateway(logger),
    contacts: parseContacts(config.ALARM_CONTACTS),
    logger,
    onAlarm: (kind) => metrics.alarms.inc({ kind }),
  });

  const app = new HotlineApp(
    {
      ari: ari as AriPort,
      acd,
      agents,
      dispatcher,
      models,
      bus,
      media: new MediaPlayer(ari),
      answerAlarm,
      afterCallWork,
      waitEstimate: new WaitEstimator(models, acd),
      logger,
      hooks: {
        arrived: (call) => {
          if (!call.test) void silence.onCall().catch((err: Error) => logger.error({ err: err.message }, 'silence watch update failed'));
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
          if (!call.test) metrics.calls.inc({ outcome });
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
      },
    },
    { mode: config.ARI_MODE },
  );


  const heartbeat = async () => {
    await acd.heartbeat(config.NODE_ID, 15_000).catch(() => undefined);
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

  const noAnswer = new RingNoAnswer({ acd, agents, models, bus, ari, logger, onAlarm: (kind) => metrics.alarms.inc({ kind }) });
  answerAlarm.process((job, j) => noAnswer.handle(job, String(j.id)));
  afterCallWork.process(async (job) => {
    await agents.system(job.agentWorkNumber, 'ready', ['acw'], '', '');
  });
  await silence.start();
  metrics.watch({ acd, ari, ami, rules: [answerAlarm, afterCallWork, silenceRule] });

  return {
    app,
    ari,
    ami,
    pbx,
    acd,
    agents,
    bus,
    dispatcher,
    answerAlarm,
    afterCallWork,
    silence,
    selfCheck,
    metrics,
    appName,
    async stop() {
      clearInterval(beat);
      app.stop();
      dispatcher.stop();
      await ari.stop();
      pbx.stop();
      await ami.stop();
      await answerAlarm.close();
      await afterCallWork.close();
      await silenceRule.close();
      await bus.close();
    },
  };
}

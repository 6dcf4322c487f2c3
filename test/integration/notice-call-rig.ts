import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import type { Config } from '../../core/config';
import { openMongo, queueConnection, type RedisClient } from '../../core/connections';
import type { Logger } from '../../core/logger';
import { AcdStore } from '../../cti/acd/acd-store';
import { AriConnection } from '../../cti/ari/connection';
import type { AriPort } from '../../cti/ari/port';
import type { CallDeps } from '../../cti/calls/call-session';
import { HotlineApp, LEASE_MS } from '../../cti/calls/hotline-app';
import { MediaPlayer } from '../../cti/calls/media';
import { PlacedCallLedger } from '../../cti/calls/placed-call-ledger';
import { NoticeCallRule } from '../../cti/notice-call/notice-call-rule';
import { noticeChannelId, NoticeCalls, type NoticeAckSink } from '../../cti/notice-call/notice-calls';
import { NoticeSpeech } from '../../cti/notice-call/notice-speech';
import { TextSpeaker } from '../../cti/prompts/speak';
import { createModels, syncIndexes, type Models } from '../../models';
import { applyWrites } from '../../models/apply-write';
import type { NoticeChannel } from '../../models/enums';
import { NoticeDispatcher } from '../../notices/department-notifier';
import { MongoSmsRecords } from '../../notify/sms-records';
import { WebhookSmsGateway } from '../../notify/sms';
import { SmsOutbox } from '../../notify/sms-outbox';
import { RecordOutbox } from '../../queue/record-outbox';
import type { CalleeBehaviour } from '../../sim/ari/outbound';
import { AriSimulator } from '../../sim/ari/server';
import type { DeliveredEvent, RestLogEntry } from '../../sim/ari/types';
import { PbxModel } from '../../sim/pbx';
import type { OrderRef } from '../../work-orders/ports';
import { testConfig } from '../helpers/env';
import { LogCapture } from '../helpers/log-capture';
import { deleteKeys, testRedis } from '../helpers/redis';


/**
 * The notice side of CTI processes on real Redis, FerretDB and the ARI simulator, for the notice
 * call tests (notice-call*.test.ts): each node has its own clients, Stasis app, workers, heartbeat
 * mark and a HotlineApp that routes (and sweeps) with only what notice calls need.
 */

export const ON_DUTY = '13800001111';
export const LEADER = '13900002222';
export const SECOND = '13800003333';

/** The SMS provider: a real HTTP endpoint that may refuse the first attempts. */
export class SmsSink {
  readonly got: Array<{ to: string; text: string; id?: string }> = [];
  failFirst = 0;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (this.failFirst > 0) {
          this.failFirst--;
          res.writeHead(503).end();
          return;
        }
        this.got.push(JSON.parse(body) as { to: string; text: string; id?: string });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/sms`;
  }

  stop(): void {
    this.server?.close();
  }
}

/** The lifecycle's side of a key press, as work-orders/ports.ts declares it; counts the calls. */
export class AckLog implements NoticeAckSink {
  readonly calls: Array<[string, string, string]> = [];
  async acknowledgeNotice(number: string, by: string, via: NoticeChannel | 'page'): Promise<void> {
    this.calls.push([number, by, via]);
  }
}

/** One CTI process's notice side: its own Redis and MongoDB clients, ARI app, workers. */
export interface Node {
  name: string;
  redis: RedisClient;
  mongo: Connection;
  models: Models;
  ari: AriConnection;
  outbox: RecordOutbox;
  rule: NoticeCallRule;
  sms: SmsOutbox;
  calls: NoticeCalls;
  app: HotlineApp;
  notifier: NoticeDispatcher;
  acd: AcdStore;
  /** The heartbeat (every 5 s, as main.ts beats). */
  beat: NodeJS.Timeout;
  /** Stopped (as if killed): see Rig.kill. */
  dead?: boolean;
}

/** An event as the simulator sent it, with when (real ms). */
export type TimedEvent = DeliveredEvent & { at: number };

export class Rig {
  readonly sim: AriSimulator;
  readonly soundsDir = mkdtempSync(join(tmpdir(), 'hotline-sounds-'));
  readonly recordingsDir = mkdtempSync(join(tmpdir(), 'hotline-rec-'));
  readonly sink = new SmsSink();
  readonly acks = new AckLog();
  readonly log = new LogCapture();
  readonly nodes: Node[] = [];
  readonly rest: RestLogEntry[] = [];
  readonly events: TimedEvent[] = [];
  /** Simulated length of a catalogue prompt (ms); 60 unless a test sets one. */
  readonly promptMs = new Map<string, number>();
  readonly timeScale = 0.25;
  config!: Config;

  constructor() {
    this.sim = new AriSimulator({
      pbx: new PbxModel({ extensions: [] }),
      trunkEndpoint: 'carrier',
      recordingsDir: this.recordingsDir,
      // Catalogue prompts are short here; the per-order speech is read from its file (real length).
      soundDurationMs: (uri) => this.promptMs.get(uri) ?? 60,
      soundFiles: { dir: this.soundsDir, folders: ['hotline-notices'] },
      defaultCallee: { kind: 'unreachable' },
      timeScale: this.timeScale,
    });
    this.sim.on('rest', (r) => this.rest.push(r));
    this.sim.on('event', (e) => this.events.push({ ...e, at: Date.now() }));
  }

  async start(nodes = 1): Promise<void> {
    const { url } = await this.sim.start();
    await this.sink.start();
    this.config = testConfig({
      ARI_URL: url,
      NOTICE_TRUNK_ENDPOINT: 'carrier',
      NOTICE_CALL_RETRY_MS: '400',
      NOTICE_KEY_WAIT_MS: '400',
      NOTICE_CALL_RING_SEC: '8',
      NOTICE_SOUNDS_DIR: join(this.soundsDir, 'hotline-notices'),
      NOTICE_SOUNDS_MEDIA: 'hotline-notices',
      SMS_GATEWAY: 'webhook',
      SMS_WEBHOOK_URL: this.sink.url,
    });
    for (let i = 0; i < nodes; i++) this.nodes.push(await this.makeNode(String.fromCharCode(97 + i)));
    await syncIndexes(this.nodes[0]!.models);
    await this.nodes[0]!.models.Department.create({
      code: 'engineering',
      name: '工程公司',
      onDutyContacts: [{ name: '值班员', phone: ON_DUTY }],
      leaderContacts: [{ name: '经理', phone: LEADER }],
    });
  }

  private async makeNode(name: string): Promise<Node> {
    const c = this.config;
    const logger: Logger = this.log.logger.child({ node: name });
    const redis = testRedis(c);
    const mongo = await openMongo(c.MONGO_URL, logger);
    const models = createModels(mongo);
    const acd = new AcdStore(redis, c.REDIS_PREFIX);
    const outbox = new RecordOutbox(redis, acd.keys.p, applyWrites(models, logger), logger, 50);
    outbox.start();
    const ruleOpts = { connection: queueConnection(c, redis), prefix: `{${c.REDIS_PREFIX}}-bull`, logger };
    const appName = `hotline-${name}`;
    const ari = new AriConnection({ url: c.ARI_URL, username: 'cti', password: 'cti', apps: [appName], logger });
    await ari.start();
    const rule = new NoticeCallRule(ruleOpts);
    const sms = new SmsOutbox(ruleOpts, new WebhookSmsGateway(c.SMS_WEBHOOK_URL!, 2000), new MongoSmsRecords(models));
    sms.start();
    const calls = new NoticeCalls({
      ari: ari as AriPort,
      models,
      outbox,
      rule,
      ledger: new PlacedCallLedger(redis, c.REDIS_PREFIX, 'notice-calls'),
      speech: new NoticeSpeech(new TextSpeaker(), { dir: c.NOTICE_SOUNDS_DIR, media: c.NOTICE_SOUNDS_MEDIA }, logger),
      acks: this.acks,
      settings: {
        node: name,
        app: appName,
        hotlineNumber: c.HOTLINE_NUMBER,
        trunkEndpoint: c.NOTICE_TRUNK_ENDPOINT,
        ringTimeoutSec: c.NOTICE_CALL_RING_SEC,
        retryMs: c.NOTICE_CALL_RETRY_MS,
        keyWaitMs: c.NOTICE_KEY_WAIT_MS,
        maxPlays: 4,
        recordingFormat: 'wav',
      },
      logger,
    });
    calls.start();
    // The hotline's Stasis app with only what its routing and its sweep touch (no agents, no callers
    // here): every event here is a notice call's.
    const deps = { ari: ari as AriPort, logger, media: new MediaPlayer(ari), acd, outbox, models, settings: { node: name, app: appName } };
    const app = new HotlineApp(deps as unknown as CallDeps, { mode: 'broadcast', placedCalls: [calls] });
    app.start();
    // Alive, as the heartbeat says (LEASE_MS); a test kills a node by deleting its mark.
    await acd.heartbeat(name, LEASE_MS);
    const beat = setInterval(() => void acd.heartbeat(name, LEASE_MS).catch(() => undefined), 5_000);
    const notifier = new NoticeDispatcher({ models, sms, calls, channels: c.NOTICE_CHANNELS, logger });
    return { name, redis, mongo, models, ari, outbox, rule, sms, calls, app, notifier, acd, beat };
  }

  /**
   * Stops a node as if killed: no events, no workers, no record writes (Asterisk keeps its calls
   * in its dead app), and its heartbeat mark gone as after its lease lapsed.
   */
  async kill(name: string): Promise<void> {
    const n = this.node(name);
    n.dead = true;
    clearInterval(n.beat);
    await n.ari.stop();
    await n.rule.close();
    await n.sms.close();
    n.outbox.stop();
    await n.redis.del(n.acd.keys.node(name));
  }

  /** A new process under a dead node's name (a restart): same app, same node name. */
  async restart(name: string): Promise<Node> {
    const old = this.node(name);
    const n = await this.makeNode(name);
    this.nodes.splice(this.nodes.indexOf(old), 1, n);
    await old.mongo.close();
    old.redis.disconnect();
    return n;
  }

  node(name: string): Node {
    return this.nodes.find((x) => x.name === name)!;
  }

  get models(): Models {
    return this.nodes[0]!.models;
  }

  callee(number: string, b: CalleeBehaviour): void {
    this.sim.setCallee(number, b);
  }

  originates(number: string): RestLogEntry[] {
    return this.rest.filter((r) => r.method === 'POST' && r.path === '/ari/channels' && String(r.query.endpoint ?? '').startsWith(`PJSIP/${number}@`));
  }

  /** Media started for a notice call, in order: into its bridge, or on its channel (PlaybackStarted as sent). */
  played(channelId: string): string[] {
    return this.playbacks(channelId, 'PlaybackStarted').map((p) => p.media_uri);
  }

  /** A notice call's playback events of one type, on its bridge (`br-<channel>`) or its channel. */
  playbacks(channelId: string, type: 'PlaybackStarted' | 'PlaybackFinished'): Array<{ id: string; media_uri: string; target_uri: string; state: string; at: number }> {
    const targets = [`channel:${channelId}`, `bridge:br-${channelId}`];
    return this.events
      .filter((d) => d.event.type === type)
      .map((d) => ({ ...(d.event.playback as { id: string; media_uri: string; target_uri: string; state: string }), at: d.at }))
      .filter((p) => targets.includes(p.target_uri));
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) {
      clearInterval(n.beat);
      if (n.dead) continue;
      await n.app.stop().catch(() => undefined);
      await n.ari.stop();
      await n.rule.close();
      await n.sms.close();
      n.outbox.stop();
    }
    const first = this.nodes[0];
    if (first) {
      await first.mongo.dropDatabase().catch(() => undefined);
      await deleteKeys(first.redis, `*${this.config.REDIS_PREFIX}*`);
    }
    for (const n of this.nodes) {
      await n.mongo.close();
      n.redis.disconnect();
    }
    this.sink.stop();
    await this.sim.stop();
    rmSync(this.soundsDir, { recursive: true, force: true });
    rmSync(this.recordingsDir, { recursive: true, force: true });
  }
}

export const noticeChannelIdOf = (number: string): string => noticeChannelId(`${number}.dispatch.1.${ON_DUTY}`, 1);

let seq = 0;
export function order(over: Partial<OrderRef> = {}): OrderRef {
  seq++;
  return {
    number: `WO20261201-${String(1000 + seq).padStart(4, '0')}`,
    category: 'leak',
    department: 'engineering',
    emergency: false,
    createdAt: Date.now(),
    address: '人民路12号',
    dueBy: null,
    dueVersion: 0,
    acceptBy: null,
    ...over,
  };
}


import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import type { Config } from '../../core/config';
import { startCti, type CtiNode } from '../../main';
import { seed } from '../../scripts/seed';
import type { AppQueueOptions } from '../../sim/ami/app-queue';
import { AmiSimulator } from '../../sim/ami/server';
import { AriSimulator } from '../../sim/ari/server';
import type { DialplanRoute } from '../../sim/ari/types';
import { PbxModel, type PhoneBehaviour } from '../../sim/pbx';
import { testConfig } from './env';
import { waitFor } from './wait';

export const EXTENSIONS = Array.from({ length: 10 }, (_, i) => String(1001 + i));
/** The seeded supervisor's desk phone (2001): listen/whisper/barge and consults ring it. */
export const SUPERVISOR_EXTENSION = '2001';

export interface HarnessOptions {
  nodes?: number;
  mode?: 'broadcast' | 'single';
  env?: Record<string, string>;
  defaultBehaviour?: PhoneBehaviour;
  /** Agents logged in and Ready at start (default: all ten). */
  ready?: string[];
  timeScale?: number;
  /** Simulated length of every prompt (ms). */
  soundMs?: number;
  /** A sound's length by its URI, where a test needs one prompt longer than the rest (undefined: soundMs). */
  soundMsFor?: (mediaUri: string) => number | undefined;
  /** Asterisk's own queue for unclaimed calls (the dialplan fallback), e.g. where it writes queue_log. */
  queue?: AppQueueOptions;
  /** As `npm run demo`: DEMO=true and the console's 接听 answers the simulated phone. */
  demo?: boolean;
  /** The carrier trunk's endpoint (inbound calls arrive on it, calls to the PSTN go out through it). Default `pstn`. */
  trunkEndpoint?: string;
}

/**
 * The simulated PBX (ARI + AMI over real sockets) with one or more real CTI nodes on real Redis
 * and FerretDB, seeded with the demo agents and customers.
 */
export class PbxHarness {
  readonly pbx: PbxModel;
  readonly ari: AriSimulator;
  readonly ami: AmiSimulator;
  readonly nodes: CtiNode[] = [];
  readonly recordingsDir = mkdtempSync(join(tmpdir(), 'hotline-rec-'));
  config!: Config;

  private constructor(opts: HarnessOptions) {
    this.pbx = new PbxModel({ extensions: [...EXTENSIONS, SUPERVISOR_EXTENSION], defaultBehaviour: opts.defaultBehaviour ?? { kind: 'answer', afterMs: 300 } });
    const mode = opts.mode ?? 'broadcast';
    const route: DialplanRoute =
      mode === 'broadcast'
        ? { exten: '952525', mode: 'broadcast', appPattern: '^hotline-.*', timeoutMs: 2000 }
        : { exten: '952525', mode: 'stasis', app: 'hotline' };
    this.ari = new AriSimulator({
      pbx: this.pbx,
      dialplan: route,
      recordingsDir: this.recordingsDir,
      ...(opts.trunkEndpoint ? { trunkEndpoint: opts.trunkEndpoint } : {}),
      timeScale: opts.timeScale ?? 1,
      soundDurationMs: (uri) => opts.soundMsFor?.(uri) ?? opts.soundMs ?? 40,
    });
    this.ami = new AmiSimulator({ pbx: this.pbx, username: 'cti', secret: 'cti', authFailDelayMs: 50, ...(opts.queue ? { queue: opts.queue } : {}) });
  }

  static async start(opts: HarnessOptions = {}): Promise<PbxHarness> {
    const h = new PbxHarness(opts);
    const { url } = await h.ari.start();
    const { port } = await h.ami.start();
    const base = testConfig({
      ARI_URL: url,
      AMI_PORT: String(port),
      ARI_MODE: opts.mode ?? 'broadcast',
      RECORDINGS_DIR: h.recordingsDir,
      ...(opts.demo ? { DEMO: 'true' } : {}),
      ...opts.env,
    });
    h.config = base;
    for (let i = 0; i < (opts.nodes ?? 1); i++) {
      const node = await startCti({ ...base, NODE_ID: String.fromCharCode(97 + i) }, opts.demo ? { demoAnswerLeg: (id) => h.ari.agentAnswer(id) } : {});
      h.nodes.push(node);
    }
    await seed(h.node.models, { password: 'test-password' });
    for (const wn of opts.ready ?? EXTENSIONS) await h.ready(wn);
    return h;
  }

  get node(): CtiNode {
    return this.nodes[0]!;
  }

  get calls() {
    return this.node.calls!;
  }

  async ready(workNumber: string): Promise<void> {
    await this.calls.agents.login(workNumber);
    await this.calls.agents.change(workNumber, 'ready');
  }

  /**
   * Stops node `id` as if killed: no more beats, no more events (Asterisk keeps its calls), and its
   * liveness mark gone, as after its 15 s heartbeat lapses, without waiting for it. Another node must be left.
   */
  async kill(id: string): Promise<void> {
    const dead = this.nodes.find((n) => n.config.NODE_ID === id)!;
    this.nodes.splice(this.nodes.indexOf(dead), 1);
    await dead.stop();
    await this.node.redis.del(this.calls.acd.keys.node(id));
  }

  /** Every agent free and Not Ready, so a test rings only the agents it makes Ready. */
  async quiet(): Promise<void> {
    for (const wn of EXTENSIONS) {
      await waitFor(async () => !['reserved', 'ringing', 'talking', 'acw'].includes((await this.calls.acd.agent(wn))?.state ?? ''), { what: `${wn} free` });
      const a = await this.calls.acd.agent(wn);
      if (a?.state === 'ready') await this.calls.agents.change(wn, 'not_ready', 'other');
    }
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) await n.stop();
    // Dropped once every process has stopped writing: FerretDB's SQLite backend can crash when a
    // database file goes away under a concurrent reader.
    if (this.config) {
      const conn = await mongoose.createConnection(this.config.MONGO_URL, { serverSelectionTimeoutMS: 5000 }).asPromise();
      await conn.dropDatabase().catch(() => undefined);
      await conn.close();
    }
    await this.ari.stop();
    await this.ami.stop();
  }
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AcdStore } from './acd/acd-store';
import { AGENT_STATES } from './acd/agent-state';
import type { AmiClient } from './ami/client';
import type { AriConnection } from './ari/connection';
import type { Queue } from 'bullmq';
import type { Connection } from 'mongoose';
import { liveHeapBytes, watchLiveHeap } from '../core/live-heap';

/** Commands that change documents: what `hotline_mongo_writes_total` counts. */
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);
/** A batched command (the record outbox's bulkWrite) writes one document per entry: counted so, not as one. */
const BATCH_FIELD: Record<string, string> = { insert: 'documents', update: 'updates', delete: 'deletes' };

function writesIn(commandName: string, command: Record<string, unknown>): number {
  const entries = command[BATCH_FIELD[commandName] ?? ''];
  return Array.isArray(entries) ? Math.max(1, entries.length) : 1;
}

/**
 * Prometheus metrics of one CTI process, on a registry of its own (two processes in one test must
 * not share one). Event counters count what this process did (calls it owned, alarms it raised);
 * gauges read the shared live state at scrape time, so every process reports the same queue.
 */
export class CtiMetrics {
  readonly registry = new Registry();
  readonly calls: Counter<'outcome'>;
  readonly alarms: Counter<'kind'>;
  readonly ringSeconds: Histogram<'result'>;
  readonly answerDelaySeconds: Histogram<string>;
  readonly mongoWrites: Counter<'collection'>;
  readonly mongoCommands: Counter<'command' | 'collection'>;

  constructor(opts: { node: string }) {
    this.registry.setDefaultLabels({ node: opts.node });
    collectDefaultMetrics({ register: this.registry, prefix: 'hotline_process_' });
    this.calls = new Counter({ name: 'hotline_calls_total', help: 'Calls ended, by outcome (self-check calls excluded)', labelNames: ['outcome'], registers: [this.registry] });
    this.alarms = new Counter({ name: 'hotline_alarms_total', help: 'Alarms raised, by kind', labelNames: ['kind'], registers: [this.registry] });
    this.ringSeconds = new Histogram({
      name: 'hotline_ring_seconds',
      help: "Time an agent's phone rang before the offer ended, by result",
      labelNames: ['result'],
      buckets: [1, 2, 5, 10, 15, 20, 25, 30],
      registers: [this.registry],
    });
    this.answerDelaySeconds = new Histogram({
      name: 'hotline_answer_delay_seconds',
      help: 'Queue entry to agent answer (speed of answer)',
      buckets: [1, 5, 10, 20, 30, 60, 120, 300],
      registers: [this.registry],
    });
    this.mongoWrites = new Counter({
      name: 'hotline_mongo_writes_total',
      help: 'Documents this process wrote to MongoDB (each update, insert or delete of a command), by collection (npm run bench divides by calls)',
      labelNames: ['collection'],
      registers: [this.registry],
    });
    this.mongoCommands = new Counter({
      name: 'hotline_mongo_commands_total',
      help: 'Commands this process sent to MongoDB (reads and writes), by command and collection (npm run bench divides by calls)',
      labelNames: ['command', 'collection'],
      registers: [this.registry],
    });
    watchLiveHeap();
    new Gauge({
      name: 'hotline_heap_live_bytes',
      help: 'V8 heap in use just after the latest full garbage collection (before the first, the heap in use now): what the process holds, where RSS also counts heap not yet handed back',
      registers: [this.registry],
      collect() {
        this.set(liveHeapBytes());
      },
    });
  }

  /** Counts every command on `mongo`, and the writes apart (the connection is opened with monitorCommands). */
  countMongoWrites(mongo: Connection): void {
    mongo.getClient().on('commandStarted', (e) => {
      const named: unknown = (e.command as Record<string, unknown>)[e.commandName];
      const collection = typeof named === 'string' ? named : 'none';
      this.mongoCommands.inc({ command: e.commandName, collection });
      if (WRITE_COMMANDS.has(e.commandName)) this.mongoWrites.inc({ collection }, writesIn(e.commandName, e.command as Record<string, unknown>));
    });
  }

  /** Gauges read at scrape time from Redis, the ARI/AMI ports and the BullMQ queues. */
  watch(deps: { acd: AcdStore; ari: AriConnection; ami: AmiClient; rules: Array<{ queue: Queue }> }): void {
    const { acd, ari, ami, rules } = deps;
    new Gauge({
      name: 'hotline_calls_waiting',
      help: 'Calls waiting in the queue, by language',
      labelNames: ['language'],
      registers: [this.registry],
      async collect() {
        const q = await acd.queued();
        for (const lang of ['yue', 'cmn']) this.set({ language: lang }, q.filter((c) => c.language === lang).length);
      },
    });
    new Gauge({
      name: 'hotline_agents',
      help: 'Agents by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const agents = await acd.agentsKnown();
        for (const s of AGENT_STATES) this.set({ state: s }, agents.filter((a) => a.state === s).length);
      },
    });
    new Gauge({
      name: 'hotline_pbx_connected',
      help: 'ARI events socket / AMI session up (1) or down (0)',
      labelNames: ['link'],
      registers: [this.registry],
      collect() {
        this.set({ link: 'ari' }, ari.connected ? 1 : 0);
        this.set({ link: 'ami' }, ami.state === 'connected' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'hotline_pbx_reconnects',
      help: 'Reconnects of the ARI events socket / AMI session since start',
      labelNames: ['link'],
      registers: [this.registry],
      collect() {
        this.set({ link: 'ari' }, ari.reconnects);
        this.set({ link: 'ami' }, ami.reconnects);
      },
    });
    new Gauge({
      name: 'hotline_jobs',
      help: 'Timed-rule jobs (BullMQ) by rule and state',
      labelNames: ['rule', 'state'],
      registers: [this.registry],
      async collect() {
        for (const r of rules) {
          const counts = await r.queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
          for (const [state, n] of Object.entries(counts)) this.set({ rule: r.queue.name, state }, n);
        }
      },
    });
    new Gauge({
      name: 'hotline_job_lag_seconds',
      help: 'How late the oldest due timed-rule job is (0 when none is waiting)',
      labelNames: ['rule'],
      registers: [this.registry],
      async collect() {
        for (const r of rules) {
          const [oldest] = await r.queue.getJobs(['waiting'], 0, 0, true);
          const stampedDue = (oldest?.data as { dueAt?: unknown } | undefined)?.dueAt;
          const due = !oldest ? Date.now() : typeof stampedDue === 'number' ? stampedDue : oldest.timestamp + (oldest.delay ?? 0);
          this.set({ rule: r.queue.name }, Math.max(0, (Date.now() - due) / 1000));
        }
      },
    });
  }
}

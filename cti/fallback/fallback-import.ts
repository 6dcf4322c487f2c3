import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { OnePassAtATime } from '../../core/async';
import type { RedisClient } from '../../core/connections';
import type { Logger } from '../../core/logger';
import type { Models } from '../../models';
import type { RecordOutbox } from '../../queue/record-outbox';
import { callRecordKey } from '../calls/call-record';
import { assembleCalls, type FallbackCall } from './assemble';
import { readLogChunk } from './log-reader';
import { parseQueueLogLine, type QueueLogLine } from './queue-log';
import { callFields, recordingFields } from './records';

/**
 * Imports the calls Asterisk's own queue took while no CTI process answered (the dialplan
 * fallback, asterisk-conf/extensions.conf) from queue_log, as Call and Recording documents, so
 * statistics and recordings have no hole. Runs at start-up and then periodically on every CTI
 * process; a Redis lock lets one import at a time, and a checkpoint in Redis (the file's inode,
 * the byte offset read up to, and the lines of calls still in progress) makes every line read
 * once. The documents' ids come from the caller's Uniqueid and are written insert-only through
 * the record outbox: an import repeated after a crash changes nothing.
 */

export interface FallbackImportSettings {
  /** ASTERISK_QUEUE_LOG: Asterisk's queue_log (on this host, or a mount of Asterisk's log directory). */
  queueLogPath: string;
  /** queues.conf section of the fallback queue. */
  queue: string;
  hotlineNumber: string;
  /** How often to look for new lines. */
  everyMs: number;
  /** A call with no ending line this long after its last line is closed as it stands (default 6 h). */
  staleMs?: number;
  /** Bytes read per step (default 1 MiB): a large file is imported in steps, each one checkpointed. */
  chunkBytes?: number;
}

export interface FallbackImportDeps {
  redis: RedisClient;
  /** The `{hash tag}` key prefix shared by every process. */
  keyPrefix: string;
  outbox: RecordOutbox;
  models: Models;
  logger: Logger;
  now?: () => Date;
}

export interface ImportReport {
  /** Calls handed to the record outbox by this run. */
  imported: number;
  malformed: number;
  /** Calls still in progress at the end of the file. */
  inProgress: number;
  /** Why nothing was read. */
  skipped?: 'locked' | 'no-file' | 'lost-lock';
}

export const FALLBACK_QUEUE = 'hotline-fallback';

const checkpointSchema = z.object({
  inode: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  pending: z.array(z.string()),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

/**
 * Renewed at every step (one chunk stored: Redis writes only), so it need only outlast one step. A
 * process killed while importing holds it until it lapses, and every CTI being killed is when
 * these calls exist: at 60 s a returning process imported the outage's calls a minute late.
 */
const LOCK_MS = 10_000;
const SAVE_IF_LOCKED = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2]) redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1 end return 0";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 1";

export class FallbackImport {
  private timer?: NodeJS.Timeout;
  private readonly log: Logger;
  private missingReported = false;
  private readonly lockKey: string;
  private readonly checkpointKey: string;
  private readonly passes = new OnePassAtATime(async () => {
    await this.run().catch((err: Error) => this.log.error({ err: err.message }, 'fallback import failed; next try later'));
  });

  constructor(
    private readonly d: FallbackImportDeps,
    private readonly s: FallbackImportSettings,
  ) {
    this.log = d.logger.child({ component: 'fallback-import' });
    this.lockKey = `${d.keyPrefix}:fallback-import:lock`;
    this.checkpointKey = `${d.keyPrefix}:fallback-import:checkpoint`;
  }

  /** Imports now, then every `everyMs`. */
  start(): void {
    this.log.info({ queueLog: this.s.queueLogPath, everyMs: this.s.everyMs }, 'importing calls of the dialplan fallback from queue_log');
    this.kick();
    this.timer = setInterval(() => this.kick(), this.s.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  kick(): void {
    this.passes.trigger();
  }

  /** One import of everything new in queue_log. */
  async run(): Promise<ImportReport> {
    const token = randomUUID();
    if ((await this.d.redis.set(this.lockKey, token, 'PX', LOCK_MS, 'NX')) !== 'OK') return { imported: 0, malformed: 0, inProgress: 0, skipped: 'locked' };
    const report: ImportReport = { imported: 0, malformed: 0, inProgress: 0 };
    try {
      let cp = await this.checkpoint();
      for (;;) {
        const chunk = await readLogChunk(this.s.queueLogPath, cp, this.s.chunkBytes ?? 1 << 20);
        if (!chunk) {
          if (!this.missingReported) this.log.warn({ queueLog: this.s.queueLogPath }, 'queue_log not found: no fallback calls to import (is ASTERISK_QUEUE_LOG right, is the log directory mounted?)');
          this.missingReported = true;
          return { ...report, skipped: 'no-file' };
        }
        this.missingReported = false;
        if (chunk.lostRotated) this.log.warn({ queueLog: this.s.queueLogPath }, 'queue_log was rotated and the old file is gone: its unread lines are not imported');
        const inputs = [...this.parse(cp?.pending ?? [], report, false), ...this.parse(chunk.lines, report, true)];
        const newest = inputs.reduce((t, i) => Math.max(t, i.line.at.getTime()), 0);
        // Mid-file, "stale" is judged against the file's own clock: a call's end may be in the next step.
        const staleBefore = new Date((chunk.atEnd ? Math.max(newest, this.now().getTime()) : newest) - (this.s.staleMs ?? 6 * 3600_000));
        const { calls, pending } = assembleCalls(inputs, { queue: this.s.queue, staleBefore });
        await this.store(calls);
        report.imported += calls.length;
        report.inProgress = new Set(pending.map((p) => p.split('|')[1])).size;
        cp = { ...chunk.next, pending };
        const saved = await this.d.redis.eval(SAVE_IF_LOCKED, 2, this.lockKey, this.checkpointKey, token, JSON.stringify(cp), String(LOCK_MS));
        if (saved !== 1) {
          // Another process holds the lock now (this run was too slow): it goes on from the last checkpoint.
          this.log.warn('fallback import lost its lock; another process continues');
          return { ...report, skipped: 'lost-lock' };
        }
        if (chunk.atEnd) break;
      }
      if (report.imported > 0 || report.malformed > 0) this.log.info(report, 'imported calls the dialplan fallback took while no CTI process answered');
      return report;
    } finally {
      await this.d.redis.eval(RELEASE, 1, this.lockKey, token).catch(() => undefined);
    }
  }

  /** Forgets where the import stopped: the next run reads the whole file again (and changes nothing it already stored). */
  async reset(): Promise<void> {
    await this.d.redis.del(this.checkpointKey);
  }

  private async checkpoint(): Promise<Checkpoint | null> {
    const raw = await this.d.redis.get(this.checkpointKey);
    if (raw === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const cp = checkpointSchema.safeParse(json);
    if (cp.success) return cp.data;
    // Harmless: reading from the start again only repeats insert-only writes.
    this.log.warn('fallback import checkpoint unreadable: reading queue_log from its start');
    return null;
  }

  private parse(lines: string[], report: ImportReport, fresh: boolean): Array<{ raw: string; line: QueueLogLine }> {
    const out: Array<{ raw: string; line: QueueLogLine }> = [];
    for (const raw of lines) {
      if (raw.trim() === '') continue;
      const parsed = parseQueueLogLine(raw);
      if (parsed.kind === 'call') out.push({ raw, line: parsed.line });
      else if (parsed.kind === 'malformed' && fresh) {
        report.malformed++;
        this.log.warn({ line: raw.slice(0, 200), reason: parsed.reason }, 'malformed queue_log line skipped');
      }
    }
    return out;
  }

  private async store(calls: FallbackCall[]): Promise<void> {
    if (calls.length === 0) return;
    const extensions = [...new Set(calls.flatMap((c) => c.rings.map((r) => r.extension)))];
    const agents = await this.d.models.Agent.find({ extension: { $in: extensions } }, { workNumber: 1, extension: 1 }).lean();
    const workNumber = new Map(agents.flatMap((a) => (a.extension ? [[a.extension, a.workNumber] as const] : [])));
    const settings = { hotlineNumber: this.s.hotlineNumber, workNumberOf: (ext: string) => workNumber.get(ext) ?? ext };
    for (const call of calls) {
      const doc = callFields(call, settings);
      const record = callRecordKey(doc.callId);
      // Insert-only: a second import (or a second process) finds the document and changes nothing.
      await this.d.outbox.write(record, { collection: 'calls', filter: { callId: doc.callId }, set: {}, setOnInsert: { ...doc } });
      const rec = recordingFields(call);
      if (rec) await this.d.outbox.write(record, { collection: 'recordings', filter: { name: rec.name }, set: {}, setOnInsert: { ...rec } });
    }
  }

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }
}

import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { withTimeout } from '../core/async';
import type { Logger } from '../core/logger';

export interface TimedRuleOptions {
  /** Queue name, one per rule (e.g. `answer-alarm`). */
  name: string;
  connection: ConnectionOptions;
  /** Redis prefix for BullMQ keys; braces keep a rule's keys on one Cluster slot. */
  prefix: string;
  logger: Logger;
  /** How often a failing instance is tried (exponential back-off from 500 ms); 3 unless said. */
  attempts?: number;
  /**
   * Keep a completed instance this long: scheduling its id again meanwhile is a no-op. For rules
   * whose instance must run once per id even when asked after it ran (a call placed, a message sent).
   */
  keepCompletedMs?: number;
}

/**
 * The due time travels in the job's data: BullMQ keeps a job's first timestamp when its delay is
 * changed, so `timestamp + delay` is not the due time of a rescheduled job (the lag metric reads this).
 */
function stamped<T extends object>(data: T, delayMs: number): T & { dueAt: number } {
  return { ...data, dueAt: Date.now() + Math.max(0, delayMs) };
}

/**
 * One time-driven rule as a BullMQ queue of delayed jobs with deterministic ids:
 * scheduling the same instance twice is a no-op, cancelling is one `remove`, and the
 * job survives a restart of every CTI process because it lives in Redis.
 */
export class TimedRule<T extends object> {
  readonly queue: Queue<T, void, string, T, void, string>;
  private worker?: Worker<T, void, string>;
  private readonly log: Logger;

  constructor(private readonly opts: TimedRuleOptions) {
    this.queue = new Queue<T, void, string, T, void, string>(opts.name, { connection: opts.connection, prefix: opts.prefix });
    this.log = opts.logger.child({ rule: opts.name });
    // Without a listener BullMQ prints each connection error to stderr: a Redis restart gave a
    // stack trace per queue and retry. Logged once per half minute instead; the client reconnects by itself.
    let quietUntil = 0;
    this.queue.on('error', (err) => {
      if (Date.now() < quietUntil) return;
      quietUntil = Date.now() + 30_000;
      this.log.warn({ err: err.message }, 'timed rule queue: Redis connection problem');
    });
  }

  /** `rule.part1.part2`: BullMQ reserves `:` in custom ids. */
  jobId(...parts: Array<string | number>): string {
    return [this.opts.name, ...parts.map(String)].join('.');
  }

  async schedule(jobId: string, data: T, delayMs: number): Promise<void> {
    await this.queue.add(this.opts.name, stamped(data, delayMs), {
      jobId,
      delay: Math.max(0, delayMs),
      removeOnComplete: this.opts.keepCompletedMs ? { age: Math.ceil(this.opts.keepCompletedMs / 1000) } : true,
      removeOnFail: { age: 7 * 24 * 3600 },
      attempts: this.opts.attempts ?? 3,
      backoff: { type: 'exponential', delay: 500 },
    });
  }

  /** Cancels a pending instance. True if it was removed before it ran. */
  async cancel(jobId: string): Promise<boolean> {
    return (await this.queue.remove(jobId)) === 1;
  }

  /**
   * Moves a pending instance to a new due time, e.g. the silence window on every call. Each step
   * is one atomic script and the instance is never removed, so a crash at any point leaves it
   * armed (at worst with its old due time); one that is running or gone is scheduled anew.
   */
  async reschedule(jobId: string, data: T, delayMs: number): Promise<void> {
    const job = await this.queue.getJob(jobId);
    if (job && (await job.isDelayed())) {
      try {
        await job.updateData(stamped(data, delayMs));
        await job.changeDelay(Math.max(0, delayMs));
        return;
      } catch (err) {
        // It became due (or was taken by a worker) between the read and the change.
        this.log.debug({ jobId, err: (err as Error).message }, 'reschedule raced with the run');
      }
    }
    await this.schedule(jobId, data, delayMs);
  }

  /**
   * Inside a handler: the running instance is due again in `delayMs`, under the same job id (so one
   * `cancel` still stops it), e.g. a watchdog that keeps watching. Moving it is one atomic step
   * under the worker's lock, so a crash leaves it either running (retried) or delayed, never gone.
   * Throws BullMQ's DelayedError, which the handler must let through to the worker.
   */
  async again(job: Job<T, void, string>, token: string | undefined, delayMs: number): Promise<never> {
    await job.updateData(stamped(job.data, delayMs));
    await job.moveToDelayed(Date.now() + Math.max(0, delayMs), token);
    throw new DelayedError();
  }

  /** Runs due instances on this process; every CTI process runs a worker, BullMQ runs each job once. */
  process(handler: (data: T, job: Job<T, void, string>, token?: string) => Promise<void>, concurrency = 8): void {
    this.worker = new Worker<T, void, string>(
      this.opts.name,
      async (job, token) => {
        await handler(job.data, job, token);
      },
      {
        connection: this.opts.connection,
        prefix: this.opts.prefix,
        concurrency,
        // BullMQ waits 15 s after a Redis error before it fetches again (and a close waits that out):
        // a due alarm would be 15 s late after a Redis blip, and a stop could hang past its budget.
        runRetryDelay: 1000,
      },
    );
    this.worker.on('failed', (job, err) => this.log.error({ jobId: job?.id, err: err.message }, 'timed rule failed'));
    if (this.afterRun) {
      const after = this.afterRun;
      this.worker.on('completed', (job) => void after(job.data).catch((err: Error) => this.log.error({ err: err.message }, 'after-run step failed')));
    }
    this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'timed rule worker error'));
  }

  /** Runs on the process that ran an instance, after it completed and was removed (e.g. to re-arm). */
  afterRun?: (data: T) => Promise<void>;

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker) {
      // A worker whose blocking connection went through a Redis restart can wait out a long block
      // before it notices the close (seen: 30 s). A stop has a budget: after a few seconds the
      // connections are cut; a job cut short is stalled and retried elsewhere (every handler is idempotent).
      await withTimeout(worker.close(), 5000, `closing the ${this.opts.name} worker`).catch((err: Error) => {
        this.log.warn({ err: err.message }, 'timed rule worker did not close in time: disconnecting');
        // Not awaited: a disconnect behind the same stuck connection hangs as well.
        void worker.disconnect().catch(() => undefined);
      });
    }
    await withTimeout(this.queue.close(), 5000, `closing the ${this.opts.name} queue`).catch((err: Error) => {
      this.log.warn({ err: err.message }, 'timed rule queue did not close in time');
    });
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import type { RedisClient } from '../../core/connections';
import { TimedRule, type TimedRuleOptions } from '../../queue/timed-rule';

/** No call to the hotline for SILENCE_ALARM_MS (30 min): check the system itself (rule 十一). */
export interface SilenceJob {
  /** When the window started: the last real call (or start-up). */
  since: number;
}

const lua = (name: string) => readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');

type SilenceRedis = RedisClient & {
  silenceCall(lastKey: string, openKey: string, at: string): Promise<string | null>;
};

/**
 * One instance for the whole hotline (fixed job id), so exactly one alarm fires however many CTI
 * processes run, and it survives restarts. A call does not move the job: it stamps its arrival
 * in Redis (one script), and the job, when due, moves itself to a window after the latest call
 * if there was one. Moving the job on every call cost five Redis round trips per call and woke
 * every process's worker.
 */
export class SilenceAlarmRule extends TimedRule<SilenceJob> {
  readonly id: string;
  private readonly r: SilenceRedis;
  private readonly lastKey: string;

  constructor(
    opts: Omit<TimedRuleOptions, 'name'>,
    readonly delayMs: number,
    redis: RedisClient,
    /** `{prefix}`: the ACD's hash tag, so the script's keys share a Cluster slot. */
    keyPrefix: string,
  ) {
    super({ ...opts, name: 'silence-alarm' });
    this.id = this.jobId('hotline');
    this.lastKey = `${keyPrefix}:silence-last-call`;
    if (!('silenceCall' in redis)) redis.defineCommand('silenceCall', { numberOfKeys: 2, lua: lua('silence-call') });
    this.r = redis as SilenceRedis;
  }

  /** A real call arrived: the window starts again. Returns the open-alarm flag it took, if any. */
  callArrived(openKey: string, at = Date.now()): Promise<string | null> {
    return this.r.silenceCall(this.lastKey, openKey, String(at));
  }

  /** The latest real call's arrival (ms), if one was seen. */
  async lastCall(): Promise<number | null> {
    const v = await this.r.get(this.lastKey);
    return v === null ? null : Number(v);
  }

  /**
   * Inside the handler: the window that really ended. When the latest call left less than a
   * window of silence, the job is moved to a whole window after that call (BullMQ's DelayedError
   * is thrown, and must reach the worker); otherwise the silence is real and its start is
   * returned. Judged on the window's end, not on whether the job's start moved: a run retried
   * after dying between the two steps below still waits.
   */
  async windowDue(job: Job<SilenceJob, void, string>, token: string | undefined, now = Date.now()): Promise<number> {
    const last = await this.lastCall();
    const since = Math.max(job.data.since, last ?? 0);
    if (since + this.delayMs > now) {
      await job.updateData({ ...job.data, since });
      await this.again(job, token, since + this.delayMs - now);
    }
    return since;
  }

  /** As if the hotline had had no call since `since`: the window ends at `since` + its length (drills, tests). */
  async silentSince(since: number): Promise<void> {
    await this.r.set(this.lastKey, String(since));
    await this.reschedule(this.id, { since }, since + this.delayMs - Date.now());
  }

  /** Arms the window at start-up unless one is already pending (a restart loses nothing). */
  async ensureArmed(now = Date.now()): Promise<void> {
    const job = await this.queue.getJob(this.id);
    if (!job) await this.schedule(this.id, { since: now }, this.delayMs);
  }
}

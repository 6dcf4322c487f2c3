import { EventEmitter } from 'node:events';
import type { Job } from 'bullmq';
import { raiseAlarm } from '../../alarms/raise';
import type { Logger } from '../../core/logger';
import type { EventBus } from '../../events/event-bus';
import type { Models } from '../../models';
import type { RecordOutbox } from '../../queue/record-outbox';
import { TimedRule, type TimedRuleOptions } from '../../queue/timed-rule';
import type { AcdStore } from '../acd/acd-store';
import type { AriPort } from '../ari/port';
import { callRecordKey } from './call-record';

/** A caller in the queue since `queuedAt` (their first entry; re-queues keep it). */
export interface MaxWaitJob {
  callId: string;
  callerNumber: string;
  queuedAt: number;
}

/** What the owner did for a call the watchdog asked about. */
export type HealResult = 'none' | 'requeued' | 'closed' | 'adopted';

/**
 * `max-wait.<callId>`: due QUEUE_MAX_WAIT_MS after the caller first entered the queue. While the
 * caller still waits, the same instance comes back every QUEUE_MAX_WAIT_RECHECK_MS, so a call that
 * could not be helped on one look (Asterisk unreachable, its owner busy) is looked at again.
 */
export class MaxWaitRule extends TimedRule<MaxWaitJob> {
  constructor(
    opts: Omit<TimedRuleOptions, 'name'>,
    readonly limitMs: number,
    readonly recheckMs: number,
  ) {
    super({ ...opts, name: 'max-wait', attempts: opts.attempts ?? 3 });
  }
  idFor(callId: string): string {
    return this.jobId(callId);
  }
  /** A no-op when the call's watchdog is armed already (a re-queue, a call taken over). */
  arm(job: MaxWaitJob): Promise<void> {
    return this.schedule(this.idFor(job.callId), job, this.limitMs - (Date.now() - job.queuedAt));
  }
  disarm(callId: string): Promise<boolean> {
    return this.cancel(this.idFor(callId));
  }
}

/** The calls of the process running the watchdog: HotlineApp. */
export interface OwnCalls {
  /** The owner's look at one of its calls (see CallSession.heal); takes it over if it has no session for it. */
  heal(callId: string): Promise<HealResult>;
  /** The adoption path: takes over a call already claimed through `AcdStore.claimAdoption`. */
  adopt(callId: string): Promise<boolean>;
}

/** How one look ended: the call no longer waits (the instance ends), or it still does (it comes back). */
export interface MaxWaitLook {
  callId: string;
  waiting: boolean;
  /** True on the look that stored the alarm (once per call). */
  raised: boolean;
  /** What was done for a waiting call. */
  action: 'none' | 'asked-owner' | 'adopted' | 'claimed-elsewhere' | 'pbx-unreachable' | HealResult;
}

const WAITING_STATES = new Set(['queued', 'ringing']);

/** 「10 分钟」, or seconds under a minute (tests use short limits). */
export function waitText(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)} 分钟` : `${Math.max(0, Math.round(ms / 1000))} 秒`;
}

/**
 * The maximum-wait watchdog, run by whichever process's worker takes the job. A caller must never
 * wait forever because of a fault (an owner stalled, a queue entry lost, a ring whose end was never
 * seen). It decides from the Call record, read once the owner's writes have landed: a call no
 * longer queued or ringing ends the watch. A waiting one raises one `long-wait` alarm (its key is
 * the job id, so retries, rechecks and racing processes store it once), then:
 * - its owner's heartbeat mark is gone: the adoption path takes it over here, as a sweep would
 *   (queued again at its place, or closed as abandoned when the caller has gone);
 * - its owner is alive: only the owner holds the call's session, so the owner looks (at once when
 *   that is this process, else at its next beat through a request kept in Redis).
 */
export class MaxWaitWatch extends EventEmitter<{ look: [MaxWaitLook] }> {
  private readonly log: Logger;

  constructor(
    private readonly d: {
      rule: MaxWaitRule;
      acd: AcdStore;
      models: Models;
      outbox: RecordOutbox;
      bus: EventBus;
      ari: AriPort;
      calls: OwnCalls;
      node: string;
      logger: Logger;
      onAlarm?: (kind: string) => void;
    },
  ) {
    super();
    this.log = d.logger.child({ rule: 'max-wait' });
  }

  /** The worker's handler: one look, then the same instance again later while the caller waits. */
  async run(job: Job<MaxWaitJob, void, string>, token: string | undefined): Promise<void> {
    const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let look: MaxWaitLook;
    try {
      look = await this.look(job.data, String(job.id), lastTry);
    } catch (err) {
      if (!lastTry) throw err;
      // Out of retries (MongoDB or Redis trouble): a watchdog never gives up on a caller who may still wait.
      this.log.error({ callId: job.data.callId, err: (err as Error).message }, 'max-wait look failed; looking again later');
      return this.d.rule.again(job, token, this.d.rule.recheckMs);
    }
    this.emit('look', look);
    if (look.waiting) await this.d.rule.again(job, token, this.d.rule.recheckMs);
  }

  async look(job: MaxWaitJob, key: string, lastTry = true): Promise<MaxWaitLook> {
    const { acd, models, outbox, bus, ari } = this.d;
    const { callId } = job;
    await outbox.drained(callRecordKey(callId), 3000);
    const doc = await models.Call.findOne({ callId }).select('state node test callerNumber').lean();
    // Answered at the limit: the agent's Talking mark is written before the record says so.
    const talking = async () => (await acd.agents()).some((a) => a.callId === callId && a.state === 'talking');
    if (!doc || doc.test || !WAITING_STATES.has(doc.state) || (await talking())) return { callId, waiting: false, raised: false, action: 'none' };

    const now = Date.now();
    const waitedMs = now - job.queuedAt;
    const number = doc.callerNumber || job.callerNumber || '未知号码';
    const raised = await raiseAlarm(
      { outbox, bus },
      { key, kind: 'long-wait', severity: 'warning', message: `来电 ${number} 已排队等待 ${waitText(waitedMs)}`, callId, at: now },
    );
    const log = this.log.child({ callId });
    if (raised) {
      this.d.onAlarm?.('long-wait');
      log.warn({ waitedMs, state: doc.state }, 'caller waiting past the limit: alarm raised');
    }

    const owner = (await acd.liveOwner(callId)) ?? (await acd.adoptedBy(callId)) ?? doc.node;
    if (!(await acd.nodeAlive(owner))) {
      // Asterisk must be reachable to tell a waiting caller from a gone one; else the next look does it.
      if (!ari.connected) {
        if (!lastTry) throw new Error('Asterisk cannot be asked about the caller; trying again');
        return { callId, waiting: true, raised, action: 'pbx-unreachable' };
      }
      if (!(await acd.claimAdoption(callId, this.d.node, owner))) return { callId, waiting: true, raised, action: 'claimed-elsewhere' };
      const adopted = await this.d.calls.adopt(callId);
      log.warn({ owner, adopted }, 'max-wait watchdog: the owner stopped beating; call taken over');
      return { callId, waiting: true, raised, action: adopted ? 'adopted' : 'none' };
    }
    if (owner === this.d.node) return { callId, waiting: true, raised, action: await this.d.calls.heal(callId) };
    await acd.requestHeal(owner, callId);
    return { callId, waiting: true, raised, action: 'asked-owner' };
  }
}

import { trace } from '../../core/bench-trace';
import { raiseAlarm } from '../../alarms/raise';
import type { Logger } from '../../core/logger';
import type { EventBus } from '../../events/event-bus';
import type { RecordOutbox } from '../../queue/record-outbox';
import { TimedRule, type TimedRuleOptions } from '../../queue/timed-rule';
import type { AriPort } from '../ari/port';
import type { AcdStore } from './acd-store';
import type { AgentService } from './agent-service';

/** An agent's phone has rung ANSWER_ALARM_MS (20 s) without an answer (hotline post rule 五). */
export interface AnswerAlarmJob {
  callId: string;
  attempt: number;
  agentWorkNumber: string;
  agentChannelId: string;
  ringingAt: number;
  /** Optional: jobs armed before it was carried may still be waiting in Redis after an upgrade. */
  callerNumber?: string;
}

/**
 * The alarm's text as supervisors read it: who to go to (work number and name) and whom to call
 * back (the caller's number), without looking anything up.
 */
export function answerAlarmMessage(a: { agentWorkNumber: string; agentName?: string; ringMs: number; callerNumber?: string }): string {
  const who = a.agentName ? `${a.agentWorkNumber} ${a.agentName}` : a.agentWorkNumber;
  const caller = a.callerNumber ? `来电 ${a.callerNumber}` : '来电号码未知';
  return `坐席 ${who} 振铃 ${Math.round(a.ringMs / 1000)} 秒未接听，${caller}`;
}

export class AnswerAlarmRule extends TimedRule<AnswerAlarmJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>, readonly delayMs: number) {
    super({ ...opts, name: 'answer-alarm' });
  }
  idFor(callId: string, attempt: number): string {
    return this.jobId(callId, attempt);
  }
  arm(job: AnswerAlarmJob): Promise<void> {
    return this.schedule(this.idFor(job.callId, job.attempt), job, this.delayMs - (Date.now() - job.ringingAt));
  }
  disarm(callId: string, attempt: number): Promise<boolean> {
    return this.cancel(this.idFor(callId, attempt));
  }
}

/**
 * The 20-second rule, run by whichever process's worker takes the job. It wins the offer from a
 * late answer atomically (or does nothing), stores exactly one Alarm (unique key), sets the agent
 * Not Ready ("no answer"), tells supervisors and stops the ring; the owning process sees the agent
 * channel end with result `no-answer` and offers the call to the next agent.
 */
export class RingNoAnswer {
  constructor(
    private readonly deps: {
      acd: AcdStore;
      agents: AgentService;
      outbox: RecordOutbox;
      bus: EventBus;
      ari: AriPort;
      logger: Logger;
      onAlarm?: (kind: string) => void;
    },
  ) {}

  /** `lastTry`: BullMQ will not run this job again, so it decides without asking Asterisk if it must. */
  async handle(job: AnswerAlarmJob, jobId: string, lastTry = true): Promise<void> {
    const { acd, agents, outbox, bus, ari, logger } = this.deps;
    // A job left from a call that no process runs any more (a crash, a restart) raises nothing.
    if ((await acd.liveOwner(job.callId)) === undefined) {
      await acd.endOffer(job.callId, job.attempt, 'failed');
      logger.info({ callId: job.callId, attempt: job.attempt }, 'answer alarm for a call no longer live: dropped');
      return;
    }
    // Before accusing the agent, ask Asterisk: the answer may have come while the events socket was
    // down, and then the phone is Up and the owner picks the answer up when it reconnects.
    const leg = await ari.channelState(job.agentChannelId).catch(() => undefined);
    if (leg === 'Up') {
      logger.info({ callId: job.callId, agent: job.agentWorkNumber }, 'answer alarm: the phone was answered (event not seen yet); no alarm');
      return;
    }
    if (leg === undefined && !lastTry) throw new Error('Asterisk cannot be asked whether the phone was answered; trying again');
    const won = await acd.endOffer(job.callId, job.attempt, 'no-answer');
    // Lost to an answer, busy or abandon: nothing to raise. Won by an earlier attempt of this same
    // job (the offer already says no-answer): go on, every step below is idempotent.
    if (!won && (await acd.offerState(job.callId, job.attempt)) !== 'no-answer') return;
    trace('alarm', job.callId, job.attempt);
    const now = Date.now();
    const ringMs = now - job.ringingAt;
    const log = logger.child({ callId: job.callId, agent: job.agentWorkNumber, attempt: job.attempt });
    // The live profile has the name (loaded at log-in); an alarm is worth raising without it.
    const agentName = (await acd.agent(job.agentWorkNumber).catch(() => null))?.name || undefined;
    const raised = await raiseAlarm(
      { outbox, bus },
      {
        key: jobId,
        kind: 'answer-timeout',
        severity: 'warning',
        message: answerAlarmMessage({ agentWorkNumber: job.agentWorkNumber, agentName, ringMs, callerNumber: job.callerNumber }),
        callId: job.callId,
        agentWorkNumber: job.agentWorkNumber,
        ...(agentName ? { agentName } : {}),
        ...(job.callerNumber ? { callerNumber: job.callerNumber } : {}),
        ringMs,
        at: now,
      },
    );
    if (raised) this.deps.onAlarm?.('answer-timeout');
    else log.info('answer alarm already stored (job retried)');
    await agents.forCall(job.agentWorkNumber, job.callId, 'not_ready', ['ringing', 'reserved'], 'no-answer');
    log.warn({ ringMs }, 'agent did not answer in time: alarm raised, ring stopped');
    await ari.hangup(job.agentChannelId, 'no_answer');
  }
}

import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';

export interface CallbackDueJob {
  id: string;
}
export interface CallbackReplyJob {
  id: string;
  /** 1: the reply wait ended (a reminder goes out); 2: the wait after the reminder ended (closed as no reply). */
  round: 1 | 2;
}
export type CallbackSweepJob = Record<string, never>;

/** Art. 22 (一): `cb-due.<callback id>`, a phone callback's 3 days. */
export class CallbackDueRule extends TimedRule<CallbackDueJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'cb-due' });
  }
  idFor(id: string): string {
    return this.jobId(id);
  }
}

/** `cb-reply.<callback id>.<round>`: an SMS callback's wait for the customer's reply. */
export class CallbackReplyRule extends TimedRule<CallbackReplyJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'cb-reply' });
  }
  idFor(id: string, round: 1 | 2): string {
    return this.jobId(id, round);
  }
}

/** `cb-sweep`: one instance for all processes, due again after each run. */
export class CallbackSweepRule extends TimedRule<CallbackSweepJob> {
  static readonly ID = 'cb-sweep';
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: CallbackSweepRule.ID });
  }
}

export interface CallbackRules {
  due: CallbackDueRule;
  reply: CallbackReplyRule;
  sweep: CallbackSweepRule;
}

export function callbackRules(opts: Omit<TimedRuleOptions, 'name'>): CallbackRules {
  return { due: new CallbackDueRule(opts), reply: new CallbackReplyRule(opts), sweep: new CallbackSweepRule(opts) };
}

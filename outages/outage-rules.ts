import { TimedRule, type TimedRuleOptions } from '../queue/timed-rule';
import type { OutageChannel } from '../models/outage';

export interface OutagePublishJob {
  number: string;
  channel: OutageChannel;
  version: number;
}
export interface OutageBigUsersJob {
  number: string;
  /** The start the notice is about (ms): a moved start is a new job, the old one finds nothing to do. */
  startsAt: number;
}

/**
 * `outage-pub.<number>.<channel>.<version>`: one version of a notice to one publisher. Kept once
 * done, so asking again (a retried step, the other process) sends nothing twice; a publisher that
 * fails is tried again with back-off.
 */
export class OutagePublishRule extends TimedRule<OutagePublishJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name' | 'attempts' | 'keepCompletedMs'>) {
    super({ ...opts, name: 'outage-pub', attempts: 8, keepCompletedMs: 7 * 24 * 3600_000 });
  }
  idFor(j: OutagePublishJob): string {
    return this.jobId(j.number, j.channel, j.version);
  }
}

/** `outage-big.<number>.<start ms>`: the big water users of the areas, told 24 h before the start (Art. 18). */
export class OutageBigUsersRule extends TimedRule<OutageBigUsersJob> {
  constructor(opts: Omit<TimedRuleOptions, 'name' | 'keepCompletedMs'>) {
    super({ ...opts, name: 'outage-big', keepCompletedMs: 7 * 24 * 3600_000 });
  }
  idFor(j: OutageBigUsersJob): string {
    return this.jobId(j.number, j.startsAt);
  }
}

/** `outage-sweep`: one instance for all processes, due again after each run. */
export class OutageSweepRule extends TimedRule<Record<string, never>> {
  constructor(opts: Omit<TimedRuleOptions, 'name'>) {
    super({ ...opts, name: 'outage-sweep' });
  }
}

export interface OutageRules {
  publish: OutagePublishRule;
  bigUsers: OutageBigUsersRule;
  sweep: OutageSweepRule;
}

export function outageRules(opts: Omit<TimedRuleOptions, 'name'>): OutageRules {
  return { publish: new OutagePublishRule(opts), bigUsers: new OutageBigUsersRule(opts), sweep: new OutageSweepRule(opts) };
}

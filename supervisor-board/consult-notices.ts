import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '../core/connections';
import type { Logger } from '../core/logger';
import type { DomainEvent } from '../events/domain-events';
import type { AcdStore } from '../cti/acd/acd-store';
import type { BoardConsultNotice, CustomerView } from '../contracts';

/** Applying a step idempotently and order-proof, and clearing a call's notices: lua/consult-*.lua. */
const lua = (name: string) => readFileSync(join(__dirname, 'lua', `${name}.lua`), 'utf8');

type NoticeRedis = RedisClient & {
  boardConsultApply(key: string, wn: string, callId: string, at: string, rank: string, json: string): Promise<string | null>;
  boardConsultEnded(key: string, callId: string, at: string): Promise<string[]>;
};

type TransferEvent = Extract<DomainEvent, { type: 'call.transfer' }>;

const RANK: Record<BoardConsultNotice['stage'], number> = { ringing: 1, consulting: 2, 'handed-over': 3 };
const CLEARED = 4;

/** Who the caller is, as the agent's screen-pop finds them (agent-console/pops.ts PopBuilder.customer). */
export interface CustomerLookup {
  customer(of: { callerNumber: string; customerAccount?: string | undefined }): Promise<CustomerView | null>;
}

/** What a board of `workNumber` is to show now (null: nothing). */
export interface ConsultChange {
  workNumber: string;
  notice: BoardConsultNotice | null;
}

/**
 * A consulted supervisor's notice, per supervisor in one Redis hash so a board that connects to any
 * process (or reloads) gets it back. Every process applies every event; the scripts make that
 * idempotent and order-proof.
 */
export class ConsultNotices {
  private readonly r: NoticeRedis;
  private readonly key: string;

  constructor(
    redis: RedisClient,
    /** `{prefix}`: the ACD's hash tag. */
    prefix: string,
    private readonly d: { acd: Pick<AcdStore, 'agent'>; customers: CustomerLookup; logger: Logger },
  ) {
    if (!('boardConsultApply' in redis)) {
      redis.defineCommand('boardConsultApply', { numberOfKeys: 1, lua: lua('consult-apply') });
      redis.defineCommand('boardConsultEnded', { numberOfKeys: 1, lua: lua('consult-ended') });
    }
    this.r = redis as NoticeRedis;
    this.key = `${prefix}:board:consults`;
  }

  /** The notice a board of `workNumber` shows on connecting. */
  async current(workNumber: string): Promise<BoardConsultNotice | null> {
    const raw = await this.r.hget(this.key, workNumber);
    if (!raw) return null;
    const c = JSON.parse(raw) as { notice?: string };
    return c.notice ? (JSON.parse(c.notice) as BoardConsultNotice) : null;
  }

  /** The boards to tell, if the event concerns a consulted supervisor. */
  async apply(e: DomainEvent): Promise<ConsultChange[]> {
    if (e.type === 'call.ended') {
      const cleared = await this.r.boardConsultEnded(this.key, e.callId, String(e.at));
      return cleared.map((workNumber) => ({ workNumber, notice: null }));
    }
    if (e.type !== 'call.transfer' || e.kind !== 'consult') return [];
    if (e.stage === 'returned' || e.stage === 'failed') {
      const res = await this.r.boardConsultApply(this.key, e.target, e.callId, String(e.at), String(CLEARED), '');
      return res === null ? [] : [{ workNumber: e.target, notice: null }];
    }
    // Only a supervisor's consult carries the caller (transfer.ts): an agent has their screen-pop.
    if (!e.callerNumber) return [];
    const notice = await this.notice(e, e.callerNumber, e.stage === 'completed' ? 'handed-over' : e.stage);
    const res = await this.r.boardConsultApply(this.key, e.target, e.callId, String(e.at), String(RANK[notice.stage]), JSON.stringify(notice));
    return res === null ? [] : [{ workNumber: e.target, notice }];
  }

  private async notice(e: TransferEvent, callerNumber: string, stage: BoardConsultNotice['stage']): Promise<BoardConsultNotice> {
    const [from, customer] = await Promise.all([
      this.d.acd.agent(e.agentWorkNumber).catch(() => null),
      this.d.customers.customer({ callerNumber, customerAccount: e.customerAccount }).catch((err: Error) => {
        this.d.logger.warn({ callId: e.callId, err: err.message }, 'customer of a consult not read: the notice shows the number only');
        return null;
      }),
    ]);
    return { callId: e.callId, stage, from: e.agentWorkNumber, fromName: from?.name ?? '', callerNumber, customer, at: e.at };
  }
}

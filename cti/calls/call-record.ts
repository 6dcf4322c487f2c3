import type { Models } from '../../models';

/** The Call document as it is created, when the caller arrives. */
export interface NewCallRecord {
  callId: string;
  node: string;
  callerChannelId: string;
  callerNumber: string;
  dialledNumber: string;
  state: 'arrived';
  arrivedAt: Date;
  test: boolean;
}

/** Where Call documents are stored. */
export interface CallStore {
  create(doc: NewCallRecord): Promise<unknown>;
  updateOne(callId: string, set: Record<string, unknown>): Promise<unknown>;
}

/** The logger call the writer makes (a pino Logger fits). */
export interface RecordLog {
  error(fields: object, msg: string): void;
}

export function callStore(Call: Models['Call']): CallStore {
  return {
    create: (doc) => Call.create(doc),
    updateOne: (callId, set) => Call.updateOne({ callId }, { $set: set }).exec(),
  };
}

/**
 * One call's durable record, written behind the call. Writes are chained so the Call document
 * never sees an older state after a newer one, and are not awaited on the call's path. Under
 * back-pressure (a slow database) the patches waiting behind an in-flight write merge into one,
 * so a call costs a few writes, not one per step. A failed write is logged and the chain goes on.
 */
export class CallRecord {
  private writes: Promise<unknown> = Promise.resolve();
  private pending?: Record<string, unknown>;

  constructor(
    private readonly store: CallStore,
    private readonly callId: string,
    private readonly log: RecordLog,
  ) {}

  /** Starts the chain: call once, before any save. */
  create(doc: NewCallRecord): void {
    this.writes = this.store.create(doc).catch((err: Error) => this.log.error({ err: err.message }, 'call record create failed'));
  }

  /**
   * Sets these fields (undefined ones are left out). Values are stored as they are when the write
   * runs, so a mutable value (the offers list) is never written stale.
   */
  save(patch: Record<string, unknown>): void {
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (this.pending) {
      Object.assign(this.pending, clean);
      return;
    }
    this.pending = clean;
    this.writes = this.writes
      .then(() => {
        const next = this.pending!;
        this.pending = undefined;
        return this.store.updateOne(this.callId, next);
      })
      .catch((err: Error) => this.log.error({ err: err.message }, 'call record update failed'));
  }

  /** Another write that belongs to this call (its Recording), stored in the same order. */
  append(write: () => PromiseLike<unknown>, failure: string): void {
    this.writes = this.writes.then(() => write()).catch((err: Error) => this.log.error({ err: err.message }, failure));
  }

  /** Resolves once every write asked for so far has reached the database (or failed). */
  async flushed(): Promise<void> {
    await this.writes;
  }
}

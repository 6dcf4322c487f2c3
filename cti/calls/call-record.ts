import type { RecordOutbox } from '../../queue/record-outbox';

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
  /** `hold`: kept durable but applied with the call's next write that is not held (RecordOutbox). */
  updateOne(callId: string, set: Record<string, unknown>, opts?: { hold?: boolean }): Promise<unknown>;
  /** Resolves when what was handed over has reached the database, or after a bounded wait. */
  settled?(callId: string): Promise<unknown>;
}

/** The logger call the writer makes (a pino Logger fits). */
export interface RecordLog {
  error(fields: object, msg: string): void;
}

/** The outbox record that holds a call's writes, in order. */
export const callRecordKey = (callId: string) => `call:${callId}`;

/**
 * The outbox record of one of a hotline call's recordings. Its creation is held there and lands
 * merged with its end (RecordingFinished, whichever process hears it): one Recording write per
 * recording instead of two. Apart from the call's list, so the call's own writes do not carry it.
 */
export const recordingRecordKey = (name: string) => `recording:${name}`;

/**
 * Call documents through the record outbox: a write is in Redis when the call goes on, and reaches
 * MongoDB whenever MongoDB can take it (also after this process died: any process drains it).
 */
export function outboxCallStore(outbox: RecordOutbox, settleMs = 5000): CallStore {
  return {
    create: (doc) => outbox.write(callRecordKey(doc.callId), { collection: 'calls', filter: { callId: doc.callId }, set: {}, setOnInsert: { ...doc } }),
    updateOne: (callId, set, opts) => outbox.write(callRecordKey(callId), { collection: 'calls', filter: { callId }, set }, opts),
    settled: (callId) => outbox.drained(callRecordKey(callId), settleMs),
  };
}

/**
 * One call's durable record, written behind the call. Writes are chained so the Call document
 * never sees an older state after a newer one, and are not awaited on the call's path. Under
 * back-pressure (a slow database) the patches waiting behind an in-flight write merge into one.
 * The steps between arrival, answer and end are saved with `hold`: durable in Redis at once, they
 * reach MongoDB merged into the next milestone's write, so an answered call costs three Call
 * writes (arrival, answer, end). A failed write is logged and the chain goes on.
 */
export class CallRecord {
  private writes: Promise<unknown> = Promise.resolve();
  private pending?: Record<string, unknown>;
  private pendingHold = false;

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
  save(patch: Record<string, unknown>, opts: { hold?: boolean } = {}): void {
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (this.pending) {
      Object.assign(this.pending, clean);
      // Merged with a write that must land now, the whole patch lands now.
      this.pendingHold = this.pendingHold && !!opts.hold;
      return;
    }
    this.pending = clean;
    this.pendingHold = !!opts.hold;
    this.writes = this.writes
      .then(() => {
        const next = this.pending!;
        const hold = this.pendingHold;
        this.pending = undefined;
        return this.store.updateOne(this.callId, next, { hold });
      })
      .catch((err: Error) => this.log.error({ err: err.message }, 'call record update failed'));
  }

  /** Another write that belongs to this call (its Recording), stored in the same order. */
  append(write: () => PromiseLike<unknown>, failure: string): void {
    this.writes = this.writes.then(() => write()).catch((err: Error) => this.log.error({ err: err.message }, failure));
  }

  /** Resolves once every write asked for so far is in the store's hands (the outbox: in its list, in order). */
  async handedOver(): Promise<void> {
    await this.writes;
  }

  /** Resolves once every write asked for so far has been handed over and, bounded, reached the database. */
  async flushed(): Promise<void> {
    await this.writes;
    await this.store.settled?.(this.callId);
  }
}

import type { Logger } from '../core/logger';
import type { Models } from '.';

/** A write of the record outbox (queue/record-outbox.ts), as data. */
interface OutboxWrite {
  collection: string;
  filter: Record<string, unknown>;
  set: Record<string, unknown>;
  setOnInsert?: Record<string, unknown>;
}

/** Errors no retry can cure: the write is logged and dropped rather than blocking its record forever. */
function permanent(err: unknown): boolean {
  const e = err as { name?: string; code?: number };
  return e.name === 'ValidationError' || e.name === 'CastError' || e.name === 'StrictModeError' || e.code === 11000;
}

/**
 * Applies one outbox write to its collection: an upsert, so the first write to reach MongoDB
 * creates the document whatever order a crash left them in. A transient failure (MongoDB down)
 * throws, and the outbox tries again later.
 */
export function applyWrite(models: Models, logger: Logger): (w: OutboxWrite) => Promise<void> {
  const byName = { calls: models.Call, recordings: models.Recording, alarms: models.Alarm, callbacks: models.Callback } as const;
  return async (w) => {
    const model = byName[w.collection as keyof typeof byName];
    if (!model) {
      logger.error({ collection: w.collection }, 'outbox write for an unknown collection dropped');
      return;
    }
    if (Object.keys(w.set).length === 0 && !Object.keys(w.setOnInsert ?? {}).length) return;
    const onInsert = w.setOnInsert && Object.keys(w.setOnInsert).length ? { $setOnInsert: w.setOnInsert } : {};
    try {
      await (model as typeof models.Call).updateOne(w.filter, { ...(Object.keys(w.set).length ? { $set: w.set } : {}), ...onInsert }, { upsert: true });
    } catch (err) {
      if (!permanent(err)) throw err;
      logger.error({ err, collection: w.collection, filter: w.filter }, 'record write refused by the database: dropped');
    }
  };
}

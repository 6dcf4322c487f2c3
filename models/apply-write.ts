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
  const byName = collections(models);
  return async (w) => {
    const model = byName[w.collection as keyof typeof byName];
    if (!model) {
      logger.error({ collection: w.collection }, 'outbox write for an unknown collection dropped');
      return;
    }
    const update = updateOf(w);
    if (!update) return;
    try {
      await (model as typeof models.Call).updateOne(w.filter, update, { upsert: true });
    } catch (err) {
      if (!permanent(err)) throw err;
      logger.error({ err, collection: w.collection, filter: w.filter }, 'record write refused by the database: dropped');
    }
  };
}

/**
 * Applies a pass of outbox writes: one ordered `bulkWrite` per collection, since each command
 * costs the CTI a driver round trip whatever it carries. If a batch is refused (a write the
 * schema rejects, or the database gone), its writes are applied one by one as above, so one bad
 * write is dropped alone and a database that is down throws; applying again what the batch
 * already applied is harmless (every write is a $set).
 */
export function applyWrites(models: Models, logger: Logger): (ws: OutboxWrite[]) => Promise<void> {
  const byName = collections(models);
  const one = applyWrite(models, logger);
  return async (ws) => {
    const byCollection = new Map<string, Array<{ w: OutboxWrite; update: Record<string, unknown> }>>();
    for (const w of ws) {
      const update = updateOf(w);
      if (!update) continue;
      const list = byCollection.get(w.collection) ?? [];
      list.push({ w, update });
      byCollection.set(w.collection, list);
    }
    for (const [collection, list] of byCollection) {
      const model = byName[collection as keyof typeof byName];
      if (!model || list.length === 1) {
        for (const { w } of list) await one(w);
        continue;
      }
      const ops = list.map(({ w, update }) => ({ updateOne: { filter: w.filter, update, upsert: true } }));
      try {
        await (model as typeof models.Call).bulkWrite(ops as Parameters<typeof models.Call.bulkWrite>[0], { ordered: true });
      } catch (err) {
        logger.warn({ err: (err as Error).message, collection, writes: list.length }, 'batched record writes refused: applying them one by one');
        for (const { w } of list) await one(w);
      }
    }
  };
}

function collections(models: Models) {
  return { calls: models.Call, recordings: models.Recording, alarms: models.Alarm, callbacks: models.Callback } as const;
}

/** The MongoDB update of one outbox write; none when it sets nothing. */
function updateOf(w: OutboxWrite): Record<string, unknown> | null {
  const hasSet = Object.keys(w.set).length > 0;
  const hasInsert = !!w.setOnInsert && Object.keys(w.setOnInsert).length > 0;
  if (!hasSet && !hasInsert) return null;
  return { ...(hasSet ? { $set: w.set } : {}), ...(hasInsert ? { $setOnInsert: w.setOnInsert } : {}) };
}

import { SharedRead } from '../../core/shared-read';
import type { Models } from '../../models';
import type { Language } from '../../models/enums';
import type { AcdStore } from './acd-store';

/** How fresh the count of agents on duty must be: a rounded "about N minutes" needs no more. */
const STAFFED_TTL_MS = 5_000;
/**
 * Only the last day's calls count: the read then takes the arrival index and sorts a day's answered
 * calls, where it sorted every answered call ever stored (no index serves `endedAt`).
 */
const HANDLE_WINDOW_MS = 24 * 3600_000;

/**
 * "About N minutes" for a queued caller: position × average handle time ÷ agents on duty who
 * speak the caller's language. The handle time is the mean of the last 50 answered calls
 * (answer → end) of the last day, read at most once a minute; 3 minutes without data. Both are
 * read once for all the callers being told at a time: with hundreds waiting, one read of every
 * agent per announcement made a long queue cost more the longer it grew.
 */
export class WaitEstimator {
  private readonly handle: SharedRead<number>;
  private readonly staffed: SharedRead<Record<Language, number>>;

  constructor(
    private readonly models: Models,
    private readonly acd: AcdStore,
    private readonly defaultHandleMs = 180_000,
    cacheMs = 60_000,
  ) {
    this.handle = new SharedRead(() => this.averageHandleMs(), cacheMs);
    this.staffed = new SharedRead(async () => {
      const on = (await this.acd.agentsKnown()).filter((a) => a.state !== 'offline');
      return { yue: on.filter((a) => a.languages.includes('yue')).length, cmn: on.filter((a) => a.languages.includes('cmn')).length };
    }, STAFFED_TTL_MS);
  }

  async minutes(language: Language, position: number): Promise<number> {
    const [handle, staffed] = await Promise.all([this.handle.get(), this.staffed.get()]);
    return Math.max(1, Math.ceil((position * handle) / Math.max(1, staffed[language]) / 60_000));
  }

  private async averageHandleMs(): Promise<number> {
    const recent = await this.models.Call.find({
      arrivedAt: { $gte: new Date(Date.now() - HANDLE_WINDOW_MS) },
      outcome: 'answered',
      test: false,
      direction: { $ne: 'outbound' },
      answeredAt: { $exists: true },
      endedAt: { $exists: true },
    })
      .sort({ endedAt: -1 })
      .limit(50)
      .select({ answeredAt: 1, endedAt: 1 })
      .lean();
    const spans = recent.map((c) => new Date(c.endedAt!).getTime() - new Date(c.answeredAt!).getTime()).filter((x) => x > 0);
    return spans.length ? spans.reduce((a, b) => a + b, 0) / spans.length : this.defaultHandleMs;
  }
}

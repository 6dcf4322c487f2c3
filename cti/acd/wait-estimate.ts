import type { Models } from '../../models';
import type { Language } from '../../models/enums';
import type { AcdStore } from './acd-store';

/**
 * "About N minutes" for a queued caller: position × average handle time ÷ agents on duty who
 * speak the caller's language. The handle time is the mean of the last 50 answered calls
 * (answer → end), read at most once a minute; 3 minutes until there is data.
 */
export class WaitEstimator {
  private cached?: { at: number; ms: number };

  constructor(
    private readonly models: Models,
    private readonly acd: AcdStore,
    private readonly defaultHandleMs = 180_000,
    private readonly cacheMs = 60_000,
  ) {}

  async minutes(language: Language, position: number): Promise<number> {
    const handle = await this.averageHandleMs();
    const staffed = (await this.acd.agents()).filter((a) => a.state !== 'offline' && a.languages.includes(language)).length;
    return Math.max(1, Math.ceil((position * handle) / Math.max(1, staffed) / 60_000));
  }

  private async averageHandleMs(): Promise<number> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.ms;
    const recent = await this.models.Call.find({ outcome: 'answered', test: false, direction: { $ne: 'outbound' }, answeredAt: { $exists: true }, endedAt: { $exists: true } })
      .sort({ endedAt: -1 })
      .limit(50)
      .select({ answeredAt: 1, endedAt: 1 })
      .lean();
    const spans = recent.map((c) => new Date(c.endedAt!).getTime() - new Date(c.answeredAt!).getTime()).filter((x) => x > 0);
    const ms = spans.length ? spans.reduce((a, b) => a + b, 0) / spans.length : this.defaultHandleMs;
    this.cached = { at: Date.now(), ms };
    return ms;
  }
}

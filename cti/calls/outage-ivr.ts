import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { withTimeout } from '../../core/async';
import type { Logger } from '../../core/logger';
import { SharedReads } from '../../core/shared-read';
import type { Models } from '../../models';
import type { Language } from '../../models/enums';
import { OUTAGE_ACTIVE_STATUSES } from '../../models/outage';
import type { TextSpeaker } from '../prompts/speak';

/** What the caller is told of an outage of their area. */
export interface AreaOutage {
  number: string;
  version: number;
  kind: 'planned' | 'unplanned';
  status: 'published' | 'in_progress';
  areaDescription: string;
  startsAt: number;
  expectedEndAt: number;
  reason: string | null;
}

export interface OutageIvrOptions {
  /** Where the spoken outages are written (Asterisk's sounds, as the notice calls' speech). */
  dir: string;
  /** That folder in `sound:` URIs. */
  media: string;
  /** How long an area's outages are reused before they are read again. */
  cacheMs?: number;
  /** How long the greeting may wait for the read before the caller is queued without it. */
  readTimeoutMs?: number;
}

const spokenTime = (ms: number): string => DateTime.fromMillis(ms, { zone: 'Asia/Shanghai' }).toFormat("M'月'd'日'H'点'mm'分'").replace(/00分$/, '');

/** 「您好，您所在的东风路一带，因供水管网施工，正在停水，预计12月6日18点30分恢复供水。」 */
export function outageSpeech(o: AreaOutage): string {
  const why = o.reason || (o.kind === 'unplanned' ? '供水管道抢修' : '供水设施施工');
  const when = o.status === 'in_progress' || o.startsAt <= Date.now() ? '正在停水' : `将于${spokenTime(o.startsAt)}起停水`;
  return `您好，您所在的${o.areaDescription}，因${why}，${when}，预计${spokenTime(o.expectedEndAt)}恢复供水。`;
}

/**
 * The outage-aware greeting: the outage (published or under way) of a known caller's area, read
 * with a short cache so a burst of calls from one area asks MongoDB once, and its words spoken
 * by the prompts' TTS in the caller's language into a file per outage, version and language
 * (every process writing the same one writes the same bytes, see TextSpeaker).
 */
export class OutageIvr {
  private readonly byArea: SharedReads<AreaOutage | null>;

  constructor(
    private readonly models: Pick<Models, 'Outage'>,
    private readonly speaker: Pick<TextSpeaker, 'speak'>,
    private readonly opts: OutageIvrOptions,
    private readonly logger: Logger,
  ) {
    this.byArea = new SharedReads((area) => this.read(area), opts.cacheMs ?? 5000);
  }

  /** The area's current outage, if any; null also when the read is slow or fails (the caller is queued as usual). */
  async forArea(area: string): Promise<AreaOutage | null> {
    try {
      return await withTimeout(this.byArea.get(area), this.opts.readTimeoutMs ?? 1000, 'area outage read');
    } catch (err) {
      this.logger.warn({ area, err: (err as Error).message }, 'outage of the caller\'s area not read: no announcement');
      return null;
    }
  }

  private async read(area: string): Promise<AreaOutage | null> {
    const now = new Date();
    const [o] = await this.models.Outage.find({ areaCodes: area, status: { $in: [...OUTAGE_ACTIVE_STATUSES] }, expectedEndAt: { $gt: now } })
      .sort({ startsAt: 1 })
      .limit(1)
      .lean();
    if (!o) return null;
    return {
      number: o.number,
      version: o.version ?? 0,
      kind: o.kind as AreaOutage['kind'],
      status: o.status as AreaOutage['status'],
      areaDescription: o.areaDescription,
      startsAt: o.startsAt.getTime(),
      expectedEndAt: o.expectedEndAt.getTime(),
      reason: o.reason ?? null,
    };
  }

  static fileName(o: AreaOutage, lang: Language): string {
    const hash = createHash('sha256').update(outageSpeech(o)).digest('hex').slice(0, 10);
    return `${o.number}-v${o.version}-${lang}-${hash}`;
  }

  /** The `sound:` URI of the outage's words in `lang`, made if missing; null when the TTS fails. */
  async media(o: AreaOutage, lang: Language): Promise<string | null> {
    const name = OutageIvr.fileName(o, lang);
    try {
      if (!existsSync(join(this.opts.dir, `${name}.wav`))) await this.speaker.speak(outageSpeech(o), lang, join(this.opts.dir, `${name}.wav`));
    } catch (err) {
      this.logger.error({ outage: o.number, err: (err as Error).message }, 'outage words could not be spoken (TTS): the generic prompt is played');
      return null;
    }
    return `sound:${this.opts.media.replace(/\/+$/, '')}/${name}`;
  }
}

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
  /** The areas an unknown caller may key in (OUTAGE_IVR_AREAS); none: unknown callers are not asked. */
  areas?: ReadonlyArray<{ digit: string; code: string; name: string }>;
}

/** What an unknown caller is offered: the areas with an outage now, each with its key. */
export interface AreaMenu {
  choices: ReadonlyArray<{ digit: string; code: string; name: string }>;
}

/** 「如查询停水，请按您所在片区的号码：东城区请按1，西城区请按2。其他业务请稍候。」 */
export function areaMenuSpeech(m: AreaMenu): string {
  return `如查询停水，请按您所在片区的号码：${m.choices.map((c) => `${c.name}请按${c.digit}`).join('，')}。其他业务请稍候。`;
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
  private readonly affected: SharedReads<string[]>;

  constructor(
    private readonly models: Pick<Models, 'Outage'>,
    private readonly speaker: Pick<TextSpeaker, 'speak'>,
    private readonly opts: OutageIvrOptions,
    private readonly logger: Logger,
  ) {
    this.byArea = new SharedReads((area) => this.read(area), opts.cacheMs ?? 5000);
    this.affected = new SharedReads(() => this.readAffectedAreas(), opts.cacheMs ?? 5000);
  }

  /** For a caller whose area is unknown: the configured areas that have an outage now; null when none (nothing is asked). */
  async areaMenu(): Promise<AreaMenu | null> {
    const areas = this.opts.areas ?? [];
    if (!areas.length) return null;
    let affected: string[];
    try {
      affected = await withTimeout(this.affected.get('all'), this.opts.readTimeoutMs ?? 1000, 'affected areas read');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'areas with an outage not read: no area menu');
      return null;
    }
    const choices = areas.filter((a) => affected.includes(a.code));
    return choices.length ? { choices } : null;
  }

  private async readAffectedAreas(): Promise<string[]> {
    const codes = await this.models.Outage.distinct('areaCodes', { status: { $in: [...OUTAGE_ACTIVE_STATUSES] }, expectedEndAt: { $gt: new Date() } });
    return codes.map(String);
  }

  /** The menu's words in `lang`, made if missing; null when the TTS fails (then nothing is asked). */
  async menuMedia(m: AreaMenu, lang: Language): Promise<string | null> {
    const text = areaMenuSpeech(m);
    return this.spoken(`areas-${lang}-${createHash('sha256').update(text).digest('hex').slice(0, 10)}`, text, lang, 'area menu');
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
  media(o: AreaOutage, lang: Language): Promise<string | null> {
    return this.spoken(OutageIvr.fileName(o, lang), outageSpeech(o), lang, `outage ${o.number}`);
  }

  private async spoken(name: string, text: string, lang: Language, what: string): Promise<string | null> {
    try {
      if (!existsSync(join(this.opts.dir, `${name}.wav`))) await this.speaker.speak(text, lang, join(this.opts.dir, `${name}.wav`));
    } catch (err) {
      this.logger.error({ what, err: (err as Error).message }, 'words could not be spoken (TTS)');
      return null;
    }
    return `sound:${this.opts.media.replace(/\/+$/, '')}/${name}`;
  }
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/logger';
import { CATEGORY_LABEL, type WorkOrderCategory } from '../../models/enums';
import type { TextSpeaker } from '../prompts/speak';

export interface NoticeSpeechOptions {
  /** Where the CTI writes the files: Asterisk's `<sounds>/hotline-notices`, or a mount of it. */
  dir: string;
  /** The same folder in Asterisk's `sound:` URIs (relative to its sounds directory, or absolute). */
  media: string;
}

/** 「类别，报漏。地址，…。」: what the notice call says of the order beyond its number. */
export function spokenText(o: { category?: WorkOrderCategory; address: string; spoken?: string }): string {
  // An outage notice carries its own words.
  if (o.spoken) return o.spoken;
  // Digits inside the address (门牌号) are read as numbers by espeak-ng's Mandarin voice: fine for 12号.
  const address = o.address.replace(/\s+/g, ' ').trim();
  return `${o.category ? `类别，${CATEGORY_LABEL[o.category]}。` : ''}地址，${address}。`;
}

/**
 * The free-text part of the notice prompt (category and address), spoken per order by the same
 * TTS as the catalogue into a folder Asterisk plays from (`sound:hotline-notices/<name>`), so the
 * same media URI works on a real Asterisk and in the simulator. The name carries a hash of the
 * text: an edited address gets a new file, and every CTI process making the same one writes the
 * same bytes under the same name (written beside it and renamed, see TextSpeaker).
 */
export class NoticeSpeech {
  constructor(
    private readonly speaker: Pick<TextSpeaker, 'speak'>,
    private readonly opts: NoticeSpeechOptions,
    private readonly logger: Logger,
  ) {}

  static fileName(o: { number: string; category?: WorkOrderCategory; address: string; spoken?: string }): string {
    const hash = createHash('sha256').update(spokenText(o)).digest('hex').slice(0, 12);
    return `${o.number.replace(/[^A-Za-z0-9-]/g, '')}-${hash}`;
  }

  /** The `sound:` URI of the order's spoken part, made if missing; null when it cannot be made. */
  async media(o: { number: string; category?: WorkOrderCategory; address: string; spoken?: string }): Promise<string | null> {
    const name = NoticeSpeech.fileName(o);
    const file = join(this.opts.dir, `${name}.wav`);
    try {
      if (!existsSync(file)) await this.speaker.speak(spokenText(o), 'cmn', file);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, order: o.number }, 'notice call: the address could not be spoken (TTS); the call goes on without it');
      return null;
    }
    return `sound:${this.opts.media.replace(/\/+$/, '')}/${name}`;
  }
}

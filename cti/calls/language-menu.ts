import type { Models } from '../../models';
import type { Language } from '../../models/enums';
import { withTimeout } from '../../core/async';
import { customerByPhone } from '../../models/customer';
import { promptMedia } from '../prompts/catalogue';
import type { MediaPlayer } from './media';

/** How a call's language was settled: known customer, remembered choice, key press, default. */
export type LanguageSource = 'customer' | 'remembered' | 'dtmf' | 'default';

/** What is known about a caller's number. */
export interface CallerDirectory {
  customer(number: string): Promise<{ accountNumber: string; preferredLanguage?: Language | null; areaCode?: string | null } | null>;
  /** The language this number chose by key press on an earlier call. */
  rememberedLanguage(number: string): Promise<Language | undefined>;
  remember(number: string, language: Language): Promise<unknown>;
}

/** The logger call the menu makes (a pino Logger fits). */
export interface MenuLog {
  info(fields: object, msg: string): void;
  warn?(fields: object, msg: string): void;
}

/** A language on file for the caller's number. */
export interface KnownLanguage {
  language: Language;
  source: 'customer' | 'remembered';
}

export interface LanguageMenuOptions {
  channelId: string;
  /** Empty when the caller ID is withheld: nothing is looked up or remembered. */
  callerNumber: string;
  defaultLanguage: Language;
  /** Aborted when the caller hangs up: the greeting stops. */
  callerGone: AbortSignal;
  media: Pick<MediaPlayer, 'playAll'>;
  directory: CallerDirectory;
  log: MenuLog;
}

export function callerDirectory(models: Pick<Models, 'Customer' | 'CallerPreference'>): CallerDirectory {
  return {
    customer: (number) => customerByPhone(models.Customer, number),
    rememberedLanguage: async (number) => (await models.CallerPreference.findOne({ number }).lean().exec())?.language,
    remember: (number, language) =>
      models.CallerPreference.updateOne({ number }, { $set: { language } }, { upsert: true, runValidators: true }).exec(),
  };
}

/**
 * The caller's language. A known caller hears a greeting in their language. Anyone else hears
 * Cantonese then Mandarin, during which key 1 picks Cantonese and 2 Mandarin (barge-in); no key
 * → the default language. A key chosen is remembered for the number.
 */
export class LanguageMenu {
  /** Set once settled; a known caller's is set before their greeting plays. */
  language?: Language;
  source?: LanguageSource;
  customerAccount?: string;
  /** The known customer's supply area: an outage there is announced after the greeting. */
  customerArea?: string;
  /** Set while the bilingual menu plays. */
  private keyChoice?: (lang: Language) => void;
  /** 1 or 2 pressed after answer but before the menu started playing: it still counts. */
  private earlyChoice?: Language;

  constructor(private readonly o: LanguageMenuOptions) {}

  /** The language on file for the caller's number, if any (runs while the call is answered). */
  async lookup(): Promise<KnownLanguage | undefined> {
    const { callerNumber, directory } = this.o;
    if (!callerNumber) return undefined;
    let customer: Awaited<ReturnType<CallerDirectory['customer']>> = null;
    let remembered: Awaited<ReturnType<CallerDirectory['rememberedLanguage']>>;
    try {
      // Bounded: with MongoDB down the caller is greeted as unknown, not kept waiting or cut off.
      [customer, remembered] = await withTimeout(Promise.all([directory.customer(callerNumber), directory.rememberedLanguage(callerNumber)]), 1500, 'caller lookup');
    } catch (err) {
      this.o.log.warn?.({ err: (err as Error).message }, 'caller lookup failed: greeted as an unknown caller');
      return undefined;
    }
    if (customer) this.customerAccount = customer.accountNumber;
    if (customer?.areaCode) this.customerArea = customer.areaCode;
    if (customer?.preferredLanguage) {
      this.source = 'customer';
      return { language: customer.preferredLanguage, source: 'customer' };
    }
    if (remembered) {
      this.source = 'remembered';
      return { language: remembered, source: 'remembered' };
    }
    return undefined;
  }

  /** Greets the caller and settles the language; `known` (from lookup()) skips the menu. */
  async choose(known: KnownLanguage | undefined): Promise<{ language: Language; source: LanguageSource }> {
    const { channelId, callerNumber, callerGone, media } = this.o;
    if (known) {
      this.language = known.language;
      await media.playAll(channelId, [promptMedia('greeting-welcome', known.language)], callerGone);
      return known;
    }
    const bargeIn = new AbortController();
    let chosen: Language | undefined = this.earlyChoice;
    if (chosen) bargeIn.abort();
    const onCallerGone = () => bargeIn.abort();
    callerGone.addEventListener('abort', onCallerGone, { once: true });
    this.keyChoice = (lang) => {
      chosen = lang;
      bargeIn.abort();
    };
    await media.playAll(
      channelId,
      [
        promptMedia('greeting-welcome', 'yue'),
        promptMedia('greeting-choose', 'yue'),
        promptMedia('greeting-welcome', 'cmn'),
        promptMedia('greeting-choose', 'cmn'),
      ],
      bargeIn.signal,
    );
    this.keyChoice = undefined;
    callerGone.removeEventListener('abort', onCallerGone);
    if (chosen) {
      this.language = chosen;
      this.source = 'dtmf';
      if (callerNumber) {
        await this.o.directory.remember(callerNumber, chosen).catch((err: Error) => this.o.log.warn?.({ err: err.message }, 'language choice not remembered'));
      }
      return { language: chosen, source: 'dtmf' };
    }
    this.language = this.o.defaultLanguage;
    this.source = 'default';
    return { language: this.language, source: 'default' };
  }

  /**
   * A key press; returns whether it meant anything. 1 or 2 picks the language while the menu
   * plays, or before it starts if `beforeQueue` (the call has not gone past the greeting).
   */
  key(digit: string, beforeQueue: boolean): boolean {
    const pick = digit === '1' ? 'yue' : digit === '2' ? 'cmn' : undefined;
    if (this.keyChoice && pick) {
      this.o.log.info({ digit, language: pick }, 'caller chose a language');
      this.keyChoice(pick);
      return true;
    }
    if (pick && !this.language && beforeQueue) {
      this.o.log.info({ digit, language: pick }, 'caller chose a language before the menu');
      this.earlyChoice ??= pick;
      return true;
    }
    return false;
  }
}

import { expect } from 'chai';
import { LanguageMenu, type CallerDirectory } from '../../cti/calls/language-menu';
import type { PlayResult } from '../../cti/calls/media';
import { promptMedia } from '../../cti/prompts/catalogue';
import type { Language } from '../../models/enums';
import { deferred, settled } from './deferred';

const CALLER = '91234567';
const MENU = [
  promptMedia('greeting-welcome', 'yue'),
  promptMedia('greeting-choose', 'yue'),
  promptMedia('greeting-welcome', 'cmn'),
  promptMedia('greeting-choose', 'cmn'),
];

interface Play {
  media: string[];
  /** The signal was already aborted when the play was asked for: nothing was heard. */
  skipped: boolean;
  signal: AbortSignal;
  /** Plays to the end. */
  end(): void;
}

/** A player that plays until the test ends it or the signal stops it (barge-in, hang-up). */
class FakeMedia {
  readonly plays: Play[] = [];
  private next = deferred<Play>();

  playAll(_channelId: string, media: string[], signal: AbortSignal): Promise<PlayResult> {
    return new Promise<PlayResult>((resolve) => {
      const play: Play = { media, skipped: signal.aborted, signal, end: () => resolve('done') };
      this.plays.push(play);
      this.next.resolve(play);
      this.next = deferred<Play>();
      if (signal.aborted) resolve('aborted');
      else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
  }

  /** The play in progress, or the next one asked for. */
  playing(): Promise<Play> {
    const last = this.plays.at(-1);
    return last ? Promise.resolve(last) : this.next.promise;
  }
}

class Directory implements CallerDirectory {
  readonly remembered: Array<[string, Language]> = [];
  constructor(
    private readonly customers: Record<string, { accountNumber: string; preferredLanguage?: Language }> = {},
    private readonly preferences: Record<string, Language> = {},
  ) {}

  async customer(number: string) {
    return this.customers[number] ?? null;
  }

  async rememberedLanguage(number: string) {
    return this.preferences[number];
  }

  async remember(number: string, language: Language) {
    this.remembered.push([number, language]);
  }
}

/** For a withheld number: nothing may be looked up or stored. */
class NoDirectory implements CallerDirectory {
  customer(): never {
    throw new Error('looked up a withheld number');
  }
  rememberedLanguage(): never {
    throw new Error('looked up a withheld number');
  }
  remember(): never {
    throw new Error('remembered a withheld number');
  }
}

function menu(o: { directory?: CallerDirectory; callerNumber?: string; callerGone?: AbortSignal } = {}) {
  const media = new FakeMedia();
  const directory = o.directory ?? new Directory();
  const m = new LanguageMenu({
    channelId: 'ch1',
    callerNumber: o.callerNumber ?? CALLER,
    defaultLanguage: 'yue',
    callerGone: o.callerGone ?? new AbortController().signal,
    media,
    directory,
    log: { info: () => undefined },
  });
  return { m, media };
}

describe('language menu', () => {
  for (const [digit, language] of [
    ['1', 'yue'],
    ['2', 'cmn'],
  ] as const) {
    it(`key ${digit} during the bilingual menu picks ${language}, cuts the menu short and is remembered`, async () => {
      const directory = new Directory();
      const { m, media } = menu({ directory });
      const known = await m.lookup();
      expect(known).to.equal(undefined);
      const chosen = m.choose(known);
      const play = await media.playing();
      expect(play.media).to.deep.equal(MENU);
      expect(m.key(digit, true)).to.equal(true);
      expect(play.signal.aborted, 'barge-in stops the prompts').to.equal(true);
      expect(await chosen).to.deep.equal({ language, source: 'dtmf' });
      expect(m.language).to.equal(language);
      expect(m.source).to.equal('dtmf');
      expect(directory.remembered).to.deep.equal([[CALLER, language]]);
    });
  }

  it('settles on the default language when no key is pressed, and remembers nothing', async () => {
    const directory = new Directory();
    const { m, media } = menu({ directory });
    const chosen = m.choose(await m.lookup());
    (await media.playing()).end();
    expect(await chosen).to.deep.equal({ language: 'yue', source: 'default' });
    expect(m.source).to.equal('default');
    expect(directory.remembered).to.deep.equal([]);
  });

  it('counts a key pressed after answer but before the menu started, and then plays no menu', async () => {
    const directory = new Directory();
    const { m, media } = menu({ directory });
    const known = await m.lookup();
    expect(m.key('2', true)).to.equal(true);
    expect(m.key('1', true), 'the first early key wins').to.equal(true);
    expect(await m.choose(known)).to.deep.equal({ language: 'cmn', source: 'dtmf' });
    expect(media.plays.map((p) => p.skipped)).to.deep.equal([true]);
    expect(directory.remembered).to.deep.equal([[CALLER, 'cmn']]);
  });

  it('ignores an early key once the call is past the greeting', async () => {
    const { m, media } = menu();
    expect(m.key('2', false)).to.equal(false);
    const chosen = m.choose(await m.lookup());
    (await media.playing()).end();
    expect(await chosen).to.deep.equal({ language: 'yue', source: 'default' });
  });

  it('ignores keys other than 1 and 2', async () => {
    const { m, media } = menu();
    expect(m.key('0', true)).to.equal(false);
    const chosen = m.choose(undefined);
    const play = await media.playing();
    expect(m.key('3', true)).to.equal(false);
    expect(m.key('#', true)).to.equal(false);
    expect(play.signal.aborted).to.equal(false);
    expect(m.key('2', true)).to.equal(true);
    expect(await chosen).to.deep.equal({ language: 'cmn', source: 'dtmf' });
  });

  it('greets a customer with a preferred language in it and skips the menu, ignoring keys', async () => {
    const directory = new Directory({ [CALLER]: { accountNumber: '1234567', preferredLanguage: 'cmn' } }, { [CALLER]: 'yue' });
    const { m, media } = menu({ directory });
    const known = await m.lookup();
    expect(known).to.deep.equal({ language: 'cmn', source: 'customer' });
    expect(m.customerAccount).to.equal('1234567');
    const chosen = m.choose(known);
    const play = await media.playing();
    expect(play.media).to.deep.equal([promptMedia('greeting-welcome', 'cmn')]);
    expect(m.language, 'set before the greeting plays').to.equal('cmn');
    expect(m.key('1', true)).to.equal(false);
    expect(await settled(chosen), 'a key does not cut the greeting').to.equal(false);
    play.end();
    expect(await chosen).to.deep.equal({ language: 'cmn', source: 'customer' });
    expect(directory.remembered).to.deep.equal([]);
  });

  it('uses the language a caller chose on an earlier call when the customer record has none', async () => {
    const directory = new Directory({ [CALLER]: { accountNumber: '7654321' } }, { [CALLER]: 'cmn' });
    const { m } = menu({ directory });
    expect(await m.lookup()).to.deep.equal({ language: 'cmn', source: 'remembered' });
    expect(m.source).to.equal('remembered');
    expect(m.customerAccount).to.equal('7654321');
  });

  it('looks nothing up and remembers nothing for a withheld number', async () => {
    const { m, media } = menu({ directory: new NoDirectory(), callerNumber: '' });
    const known = await m.lookup();
    expect(known).to.equal(undefined);
    const chosen = m.choose(known);
    await media.playing();
    m.key('2', true);
    expect(await chosen).to.deep.equal({ language: 'cmn', source: 'dtmf' });
  });

  it('stops the menu when the caller hangs up', async () => {
    const gone = new AbortController();
    const { m, media } = menu({ callerGone: gone.signal });
    const chosen = m.choose(undefined);
    const play = await media.playing();
    gone.abort();
    expect(play.signal.aborted).to.equal(true);
    expect(await chosen).to.deep.equal({ language: 'yue', source: 'default' });
  });
});

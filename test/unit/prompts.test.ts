import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AGENT_INTRO_TARGET_MS,
  agentIntroMedia,
  ANNOUNCEMENT_RATE,
  DEFAULT_SPEECH_RATE,
  DIGIT_KEYS,
  mediaDurationMs,
  digitsMedia,
  greetingMedia,
  LANGUAGES,
  loadPromptDurations,
  numberKeys,
  numberMedia,
  parseWavHeader,
  PROMPT_KEYS,
  promptMedia,
  PROMPTS,
  queuePositionMedia,
  queueWaitMedia,
  type PromptKey,
} from '../../cti/prompts';

const URI = /^sound:hotline\/(yue|cmn)\/[a-z0-9]+(-[a-z0-9]+)*$/;

describe('prompt catalogue', () => {
  it('has text in both languages for every key, and nothing else', () => {
    expect(new Set(PROMPT_KEYS).size).to.equal(PROMPT_KEYS.length);
    expect(Object.keys(PROMPTS).sort()).to.deep.equal([...PROMPT_KEYS].sort());
    for (const key of PROMPT_KEYS) {
      expect(Object.keys(PROMPTS[key].text).sort(), key).to.deep.equal([...LANGUAGES].sort());
      for (const lang of LANGUAGES) {
        expect(PROMPTS[key].text[lang].trim(), `${key}/${lang}`).to.not.equal('');
        // Arabic numerals are read unevenly inside Chinese text by espeak-ng.
        expect(PROMPTS[key].text[lang], `${key}/${lang}`).to.not.match(/[0-9]/);
      }
      expect(PROMPTS[key].purpose, key).to.be.a('string').and.not.equal('');
    }
  });

  it('holds the prompts the call flow needs, digits 0–9 included', () => {
    const needed = [
      'greeting-welcome', 'greeting-choose', 'queue-hold', 'queue-position-prefix', 'queue-position-suffix',
      'queue-wait-prefix', 'queue-wait-suffix', 'agent-intro-prefix', 'agent-intro-suffix', 'goodbye',
      'please-call-again', 'test-call',
      ...Array.from({ length: 10 }, (_, d) => `digit-${d}`),
    ];
    expect(PROMPT_KEYS).to.include.members(needed);
  });

  it('says the opening words of the regulation and the language menu', () => {
    expect(PROMPTS['agent-intro-prefix'].text.cmn).to.contain('供水服务热线');
    expect(PROMPTS['agent-intro-suffix'].text.cmn).to.contain('号为您服务');
    expect(PROMPTS['goodbye'].text.cmn).to.contain('感谢您的来电');
    expect(PROMPTS['greeting-choose'].text.yue).to.contain('講廣東話').and.contain('按一');
    expect(PROMPTS['greeting-choose'].text.cmn).to.contain('说普通话').and.contain('按二');
  });

  it('gives well-formed media URIs without file extensions', () => {
    for (const key of PROMPT_KEYS) {
      for (const lang of LANGUAGES) {
        const uri = promptMedia(key, lang);
        expect(uri).to.match(URI);
        expect(uri).to.equal(`sound:hotline/${lang}/${key}`);
        expect(uri).to.not.match(/\.(wav|gsm|ulaw|alaw|sln)$/);
      }
    }
  });

  it('reads an agent work number digit by digit between the intro halves', () => {
    expect(agentIntroMedia('1001', 'cmn')).to.deep.equal([
      'sound:hotline/cmn/agent-intro-prefix',
      'sound:hotline/cmn/digit-1',
      'sound:hotline/cmn/digit-0',
      'sound:hotline/cmn/digit-0',
      'sound:hotline/cmn/digit-1',
      'sound:hotline/cmn/agent-intro-suffix',
    ]);
    expect(agentIntroMedia('07', 'yue')).to.deep.equal([
      'sound:hotline/yue/agent-intro-prefix',
      'sound:hotline/yue/digit-0',
      'sound:hotline/yue/digit-7',
      'sound:hotline/yue/agent-intro-suffix',
    ]);
  });

  it('keeps the work-number announcement short: no 您好 before it, spoken faster than the other prompts', () => {
    // The caller waits through it after the agent answered (issue 11: 6.5 s, the prefix alone 3 s).
    expect(PROMPTS['agent-intro-prefix'].text.cmn).to.equal('供水服务热线');
    expect(PROMPTS['agent-intro-prefix'].text.yue).to.equal('供水服務熱線');
    for (const key of ['agent-intro-prefix', 'agent-intro-suffix', ...DIGIT_KEYS] as const) {
      expect(PROMPTS[key].rate, key).to.equal(ANNOUNCEMENT_RATE);
    }
    expect(ANNOUNCEMENT_RATE).to.be.greaterThan(DEFAULT_SPEECH_RATE);
    // Everything else keeps the calm default: greetings, queue messages, goodbye.
    for (const key of ['greeting-welcome', 'greeting-choose', 'queue-hold', 'goodbye', 'please-call-again'] as const) {
      expect(PROMPTS[key].rate, key).to.equal(undefined);
    }
    expect(AGENT_INTRO_TARGET_MS).to.equal(3500);
  });

  it('rejects work numbers that are not digits', () => {
    expect(() => agentIntroMedia('10a1', 'cmn')).to.throw(RangeError);
    expect(() => agentIntroMedia('', 'cmn')).to.throw(RangeError);
    expect(() => digitsMedia(' 1', 'yue')).to.throw(RangeError);
  });

  describe('numbers as Chinese numerals', () => {
    const said = (n: number, counting = false) =>
      numberKeys(n, { counting })
        .map((k: PromptKey) => PROMPTS[k].text.cmn)
        .join('');
    const cases: Array<[number, string]> = [
      [0, '零'], [7, '七'], [10, '十'], [12, '十二'], [20, '二十'], [21, '二十一'], [99, '九十九'],
      [100, '一百'], [105, '一百零五'], [110, '一百一十'], [111, '一百一十一'], [250, '二百五十'],
      [1000, '一千'], [1001, '一千零一'], [1010, '一千零一十'], [1100, '一千一百'], [9999, '九千九百九十九'],
    ];
    for (const [n, text] of cases) {
      it(`${n} → ${text}`, () => expect(said(n)).to.equal(text));
    }
    it('says 两 for a lone two before a measure word, 二 as an ordinal', () => {
      expect(said(2, true)).to.equal('两');
      expect(said(2)).to.equal('二');
      expect(said(12, true)).to.equal('十二');
    });
    it('falls back to digit by digit above 9999 and rejects non-integers', () => {
      expect(said(12345)).to.equal('一二三四五');
      expect(() => numberKeys(-1)).to.throw(RangeError);
      expect(() => numberKeys(1.5)).to.throw(RangeError);
      expect(() => numberKeys(Number.NaN)).to.throw(RangeError);
    });
    it('gives media URIs in the requested language', () => {
      expect(numberMedia(15, 'yue')).to.deep.equal(['sound:hotline/yue/number-ten', 'sound:hotline/yue/digit-5']);
    });
  });

  it('builds the queue announcements', () => {
    expect(queuePositionMedia(2, 'cmn')).to.deep.equal([
      'sound:hotline/cmn/queue-position-prefix',
      'sound:hotline/cmn/digit-2',
      'sound:hotline/cmn/queue-position-suffix',
    ]);
    expect(queueWaitMedia(1.2, 'yue')).to.deep.equal([
      'sound:hotline/yue/queue-wait-prefix',
      'sound:hotline/yue/number-two-counting',
      'sound:hotline/yue/queue-wait-suffix',
    ]);
    expect(queueWaitMedia(0, 'cmn')[1]).to.equal('sound:hotline/cmn/digit-1');
  });

  it('opens with the welcome and the menu in both languages', () => {
    expect(greetingMedia('yue')).to.deep.equal([
      'sound:hotline/yue/greeting-welcome',
      'sound:hotline/yue/greeting-choose',
      'sound:hotline/cmn/greeting-choose',
    ]);
  });
});

describe('prompt durations and wav headers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prompt-durations-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const entry = (key: string, lang: string, durationMs: number) => ({
    key,
    lang,
    file: `${lang}/${key}.wav`,
    source: 'tts',
    voice: lang,
    text: '零',
    hash: 'a'.repeat(64),
    durationMs,
    bytes: 100,
  });

  it('maps media URIs to milliseconds from the manifest', () => {
    mkdirSync(join(dir, 'hotline'));
    writeFileSync(
      join(dir, 'hotline', 'manifest.json'),
      JSON.stringify({
        version: 1,
        format: { sampleRate: 8000, channels: 1, bitsPerSample: 16 },
        prompts: {
          'hotline/yue/goodbye': entry('goodbye', 'yue', 2510),
          'hotline/cmn/digit-0': entry('digit-0', 'cmn', 380),
        },
      }),
    );
    const durations = loadPromptDurations(dir);
    expect([...durations]).to.deep.equal([
      ['sound:hotline/yue/goodbye', 2510],
      ['sound:hotline/cmn/digit-0', 380],
    ]);
    // The hotline folder itself (as installed into Asterisk) works too.
    expect(loadPromptDurations(join(dir, 'hotline')).get('sound:hotline/yue/goodbye')).to.equal(2510);
  });

  it('adds up a sequence played back to back, or says it cannot', () => {
    const d = new Map([
      ['sound:hotline/cmn/agent-intro-prefix', 1300],
      ['sound:hotline/cmn/digit-1', 280],
      ['sound:hotline/cmn/digit-0', 400],
      ['sound:hotline/cmn/agent-intro-suffix', 940],
    ]);
    expect(mediaDurationMs(d, agentIntroMedia('1001', 'cmn'))).to.equal(1300 + 280 + 400 + 400 + 280 + 940);
    expect(mediaDurationMs(d, agentIntroMedia('1002', 'cmn'))).to.equal(undefined);
    expect(mediaDurationMs(d, [])).to.equal(0);
  });

  it('is empty without a manifest and throws on a malformed one', () => {
    expect(loadPromptDurations(dir).size).to.equal(0);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: 1, prompts: 'nope' }));
    expect(() => loadPromptDurations(dir)).to.throw(/malformed/);
    writeFileSync(join(dir, 'manifest.json'), '{');
    expect(() => loadPromptDurations(dir)).to.throw(/not valid JSON/);
  });

  it('parses a wav header with an extra chunk before data', () => {
    const fmt = Buffer.alloc(24);
    fmt.write('fmt ', 0, 'ascii');
    fmt.writeUInt32LE(16, 4);
    fmt.writeUInt16LE(1, 8);
    fmt.writeUInt16LE(1, 10);
    fmt.writeUInt32LE(8000, 12);
    fmt.writeUInt32LE(16000, 16);
    fmt.writeUInt16LE(2, 20);
    fmt.writeUInt16LE(16, 22);
    const list = Buffer.alloc(8 + 3 + 1);
    list.write('LIST', 0, 'ascii');
    list.writeUInt32LE(3, 4); // odd size: padded to a word
    const data = Buffer.alloc(8 + 8000);
    data.write('data', 0, 'ascii');
    data.writeUInt32LE(8000, 4);
    const body = Buffer.concat([Buffer.from('WAVE'), fmt, list, data]);
    const head = Buffer.alloc(8);
    head.write('RIFF', 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    const info = parseWavHeader(Buffer.concat([head, body]));
    expect(info).to.deep.equal({
      audioFormat: 1,
      channels: 1,
      sampleRate: 8000,
      bitsPerSample: 16,
      dataBytes: 8000,
      durationMs: 500,
    });
    expect(() => parseWavHeader(Buffer.from('not a wav file at all'))).to.throw(/RIFF/);
  });
});

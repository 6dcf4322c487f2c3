import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AGENT_INTRO_TARGET_MS, agentIntroMedia, LANGUAGES, loadPromptDurations, mediaDurationMs, PROMPT_KEYS, promptMedia } from '../../cti/prompts';
import { people } from '../../scripts/seed-data';

const REPO = resolve(__dirname, '..', '..');
const SCRIPT = join(REPO, 'scripts', 'gen-prompts.ts');
const TSX_CLI = require.resolve('tsx/cli');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function gen(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [TSX_CLI, SCRIPT, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Independent of the product's parser on purpose: the test must not trust the code it checks. */
function wavFormat(file: string) {
  const b = readFileSync(file);
  expect(b.toString('ascii', 0, 4), `${file} RIFF`).to.equal('RIFF');
  expect(b.toString('ascii', 8, 12), `${file} WAVE`).to.equal('WAVE');
  let off = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      fmt = {
        format: b.readUInt16LE(off + 8),
        channels: b.readUInt16LE(off + 10),
        rate: b.readUInt32LE(off + 12),
        bits: b.readUInt16LE(off + 22),
      };
    }
    if (id === 'data') {
      expect(fmt, `${file} fmt before data`).to.not.equal(undefined);
      return { ...fmt!, dataBytes: Math.min(size, b.length - off - 8) };
    }
    off += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

function sox(args: string[]): void {
  const r = spawnSync('sox', args, { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
}

describe('scripts/gen-prompts.ts (real espeak-ng and sox)', function () {
  this.timeout(180_000);
  let tmp: string;
  let out: string;
  let overrides: string;

  before(function () {
    for (const tool of ['espeak-ng', 'sox']) {
      const r = spawnSync(tool, ['--version']);
      if (r.error) throw new Error(`${tool} is not installed: apt-get install -y espeak-ng sox`);
    }
    tmp = mkdtempSync(join(tmpdir(), 'gen-prompts-'));
    out = join(tmp, 'sounds');
    overrides = join(tmp, 'overrides');
    mkdirSync(overrides);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const file = (lang: string, key: string) => join(out, 'hotline', lang, `${key}.wav`);
  const manifest = () =>
    JSON.parse(readFileSync(join(out, 'hotline', 'manifest.json'), 'utf8')) as {
      prompts: Record<string, { source: string; voice?: string; durationMs: number }>;
    };
  const args = () => ['--out', out, '--overrides', overrides];

  it('generates every prompt as 8 kHz mono 16-bit PCM wav with a duration', () => {
    const r = gen(args());
    expect(r.status, r.stderr).to.equal(0);
    for (const lang of LANGUAGES) {
      for (const key of PROMPT_KEYS) {
        const f = file(lang, key);
        expect(existsSync(f), f).to.equal(true);
        const info = wavFormat(f);
        expect(info, f).to.include({ format: 1, rate: 8000, channels: 1, bits: 16 });
        expect(info.dataBytes, `${f} has audio`).to.be.greaterThan(1600); // > 0.1 s
        expect(r.stdout).to.contain(`generated hotline/${lang}/${key} `);
      }
    }
    const total = LANGUAGES.length * PROMPT_KEYS.length;
    expect(r.stdout).to.contain(`${total} prompts`).and.contain(`${total} generated`);
  });

  it('writes a manifest whose durations the simulator can load', () => {
    const durations = loadPromptDurations(out);
    expect(durations.size).to.equal(LANGUAGES.length * PROMPT_KEYS.length);
    for (const lang of LANGUAGES) {
      for (const key of PROMPT_KEYS) {
        const ms = durations.get(promptMedia(key, lang));
        expect(ms, `${lang}/${key}`).to.be.a('number').and.greaterThan(100);
        const bytes = wavFormat(file(lang, key)).dataBytes;
        expect(ms).to.be.closeTo((bytes / 16000) * 1000, 1);
      }
    }
  });

  it('announces a work number within about 3.5 s, so the caller soon hears the agent', () => {
    const durations = loadPromptDurations(out);
    const agents = people.filter((p) => p.role === 'agent').map((p) => p.workNumber);
    expect(agents.length).to.be.greaterThan(0);
    for (const lang of LANGUAGES) {
      for (const wn of agents) {
        const ms = mediaDurationMs(durations, agentIntroMedia(wn, lang));
        expect(ms, `${lang} ${wn}`).to.be.a('number').and.at.most(AGENT_INTRO_TARGET_MS);
      }
      // The slowest four digits (零 is the longest in Mandarin) stay close to it as well.
      const worst = Math.max(...['0000', '3333', '7777', '9999'].map((wn) => mediaDurationMs(durations, agentIntroMedia(wn, lang)) ?? Infinity));
      expect(worst, `${lang} worst case`).to.be.at.most(AGENT_INTRO_TARGET_MS + 300);
    }
  });

  it('speaks Mandarin with the pinyin voice when espeak-ng has it, Cantonese with yue', () => {
    const voices = spawnSync('espeak-ng', ['--voices'], { encoding: 'utf8' }).stdout;
    const m = manifest();
    for (const key of PROMPT_KEYS) {
      expect(m.prompts[`hotline/yue/${key}`]!.voice).to.equal('yue');
      if (/\scmn-latn-pinyin\s/i.test(voices)) {
        expect(m.prompts[`hotline/cmn/${key}`]!.voice).to.equal('cmn-latn-pinyin');
      }
    }
  });

  it('skips everything on a second run', () => {
    const before = statSync(file('cmn', 'goodbye')).mtimeMs;
    const r = gen(args());
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.not.contain('generated hotline/');
    expect(r.stdout).to.contain(' 0 generated').and.contain(`${LANGUAGES.length * PROMPT_KEYS.length} unchanged`);
    expect(statSync(file('cmn', 'goodbye')).mtimeMs).to.equal(before);
  });

  it('uses a studio override of any format instead of the generated prompt, and back', () => {
    mkdirSync(join(overrides, 'yue'), { recursive: true });
    // 44.1 kHz stereo, 1.25 s: the generator must convert it.
    sox(['-n', '-r', '44100', '-c', '2', '-b', '16', join(overrides, 'yue', 'goodbye.wav'), 'synth', '1.25', 'sine', '440', 'gain', '-6']);

    let r = gen(args());
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('generated hotline/yue/goodbye').and.contain('studio override');
    expect(r.stdout).to.contain(' 1 generated');
    const info = wavFormat(file('yue', 'goodbye'));
    expect(info).to.include({ format: 1, rate: 8000, channels: 1, bits: 16 });
    expect((info.dataBytes / 16000) * 1000).to.be.closeTo(1250, 5);
    expect(manifest().prompts['hotline/yue/goodbye']).to.include({ source: 'override' });
    expect(manifest().prompts['hotline/cmn/goodbye']).to.include({ source: 'tts' });
    expect(loadPromptDurations(out).get('sound:hotline/yue/goodbye')).to.be.closeTo(1250, 5);

    r = gen(args());
    expect(r.stdout).to.contain(' 0 generated');

    rmSync(join(overrides, 'yue', 'goodbye.wav'));
    r = gen(args());
    expect(r.stdout).to.contain('generated hotline/yue/goodbye (').and.contain(' 1 generated');
    expect(manifest().prompts['hotline/yue/goodbye']).to.include({ source: 'tts', voice: 'yue' });
  });

  it('warns about override files that match no catalogue key', () => {
    mkdirSync(join(overrides, 'cmn'), { recursive: true });
    sox(['-n', '-r', '8000', '-c', '1', join(overrides, 'cmn', 'no-such-prompt.wav'), 'synth', '0.2', 'sine', '300']);
    const r = gen(args());
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('no-such-prompt.wav').and.contain('ignored');
    rmSync(join(overrides, 'cmn', 'no-such-prompt.wav'));
  });

  it('fails clearly when espeak-ng or sox is missing', () => {
    let r = gen(args(), { ESPEAK_NG: join(tmp, 'no-espeak-ng') });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('espeak-ng').and.contain('apt-get install');
    r = gen(args(), { SOX: join(tmp, 'no-sox') });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('sox').and.contain('apt-get install');
  });
});

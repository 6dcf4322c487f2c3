import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import {
  DEFAULT_SPEECH_RATE,
  DIGIT_KEYS,
  isLanguage,
  isPromptKey,
  LANGUAGES,
  PROMPT_KEYS,
  PROMPTS,
  soundName,
  SOUND_ROOT,
  type Language,
  type PromptKey,
} from './catalogue';
import { MANIFEST_FILE, MANIFEST_VERSION, readManifest, type ManifestEntry, type PromptManifest } from './manifest';
import { isPromptFormat, PROMPT_FORMAT, readWavInfo } from '../../core/wav';

/**
 * Builds every catalogue prompt as an 8 kHz mono 16-bit wav: espeak-ng speaks the text, sox
 * converts, trims and levels it; a studio recording in the overrides folder wins over TTS.
 * Incremental: a prompt is rebuilt only when what it is made from changes (manifest hash).
 */

/** Bump when the pipeline changes in a way the hash inputs below do not capture. */
const PIPELINE_VERSION = 1;

/** espeak-ng voices in order of preference. */
export const VOICE_PREFERENCES: Readonly<Record<Language, readonly string[]>> = {
  yue: ['yue', 'zh-yue'],
  // Debian 12's espeak-ng 1.51 `cmn` voice reads many 汉字 with English rules; the pinyin
  // variant reads them correctly.
  cmn: ['cmn-latn-pinyin', 'cmn', 'zh'],
};

/** espeak-ng's `-s`: the catalogue's rate for the prompt, else the default. */
const speechRate = (key: PromptKey) => String(PROMPTS[key].rate ?? DEFAULT_SPEECH_RATE);

const isDigit = (key: PromptKey) => (DIGIT_KEYS as readonly string[]).includes(key);
const isIntroHalf = (key: PromptKey) => key === 'agent-intro-prefix' || key === 'agent-intro-suffix';

/**
 * Leading/trailing silence is trimmed and replaced by a fixed pad so that prompts played back
 * to back (prefix, digits, suffix) keep an even rhythm; digits and the announcement's halves
 * get a shorter pad: the announcement is one sentence, and the caller waits through it.
 */
function soxEffects(key: PromptKey, source: 'tts' | 'override'): string[] {
  if (source === 'override') return []; // the studio already edited timing and level
  const trim = ['silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse'];
  const pad = isDigit(key) ? ['pad', '0.02', '0.05'] : isIntroHalf(key) ? ['pad', '0.03', '0.08'] : ['pad', '0.05', '0.15'];
  return [...trim, 'gain', '-n', '-3', ...pad];
}

const SOX_OUTPUT = [
  '-t', 'wav',
  '-r', String(PROMPT_FORMAT.sampleRate),
  '-c', String(PROMPT_FORMAT.channels),
  '-b', String(PROMPT_FORMAT.bitsPerSample),
  '-e', 'signed-integer',
];

export class PromptToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptToolError';
  }
}

export class PromptGenerationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptGenerationError';
  }
}

export interface GenerateOptions {
  /** Output root, e.g. `var/sounds`; files land in `<outDir>/hotline/<lang>/<key>.wav`. */
  outDir: string;
  /** Studio recordings, `<overridesDir>/<lang>/<key>.wav`; any rate/channels, sox converts. */
  overridesDir?: string;
  /** Rebuild everything even when unchanged. */
  force?: boolean;
  espeakBin?: string;
  soxBin?: string;
  concurrency?: number;
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

export interface GenerateReport {
  outDir: string;
  manifestPath: string;
  voices: Record<Language, string>;
  generated: string[];
  unchanged: string[];
  /** Sound names that come from a studio override (generated or unchanged). */
  overridden: string[];
  removed: string[];
  warnings: string[];
}

interface Tools {
  espeak: string;
  sox: string;
  espeakVersion: string;
}

function probe(bin: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { ok: false, out: '' };
  return { ok: true, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Checks both tools up front so a missing one fails with one clear message, not 48 errors. */
export function checkTools(espeakBin = 'espeak-ng', soxBin = 'sox'): Tools {
  const espeak = probe(espeakBin, ['--version']);
  const sox = probe(soxBin, ['--version']);
  const missing: string[] = [];
  if (!espeak.ok) missing.push(`espeak-ng (${espeakBin})`);
  if (!sox.ok) missing.push(`sox (${soxBin})`);
  if (missing.length > 0) {
    throw new PromptToolError(
      `missing ${missing.join(' and ')}: install with \`apt-get install -y espeak-ng sox\` ` +
        `(or set ESPEAK_NG / SOX to the binaries)`,
    );
  }
  // "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/..." → keep the version, not the path.
  const espeakVersion = espeak.out.split('Data at')[0]!.trim();
  return { espeak: espeakBin, sox: soxBin, espeakVersion };
}

/** Voice identifiers (language column and file column) listed by `espeak-ng --voices`. */
export function listVoices(espeakBin = 'espeak-ng'): Set<string> {
  const r = probe(espeakBin, ['--voices']);
  const voices = new Set<string>();
  for (const line of r.out.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5) continue;
    voices.add(cols[1]!.toLowerCase());
    voices.add(cols[4]!.toLowerCase());
    voices.add(cols[4]!.split('/').pop()!.toLowerCase());
  }
  return voices;
}

export function chooseVoices(
  available: Set<string>,
  warn: (line: string) => void,
): Record<Language, string> {
  const chosen = {} as Record<Language, string>;
  for (const lang of LANGUAGES) {
    const prefs = VOICE_PREFERENCES[lang];
    const voice = prefs.find((v) => available.has(v.toLowerCase()));
    if (!voice) {
      throw new PromptToolError(`espeak-ng has no voice for ${lang} (tried ${prefs.join(', ')})`);
    }
    if (voice !== prefs[0]) {
      warn(
        `espeak-ng voice ${prefs[0]} not available, falling back to ${voice} for ${lang}` +
          (lang === 'cmn' ? ': it reads many 汉字 with English rules; provide studio overrides' : ''),
      );
    }
    chosen[lang] = voice;
  }
  return chosen;
}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${bin} ${args.join(' ')} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface Job {
  key: PromptKey;
  lang: Language;
  sound: string;
  file: string; // absolute output path
  relFile: string; // relative to the hotline folder
  source: 'tts' | 'override';
  voice?: string;
  override?: string; // absolute
  hash: string;
}

function findOverrides(dir: string | undefined, warn: (line: string) => void): Map<string, string> {
  const found = new Map<string, string>();
  if (!dir || !existsSync(dir)) return found;
  for (const lang of readdirSync(dir)) {
    const langDir = join(dir, lang);
    if (!statSync(langDir).isDirectory()) continue;
    if (!isLanguage(lang)) {
      warn(`override folder ${langDir} is not a language (${LANGUAGES.join(', ')}); ignored`);
      continue;
    }
    for (const name of readdirSync(langDir)) {
      const key = name.replace(/\.wav$/i, '');
      if (!/\.wav$/i.test(name) || !isPromptKey(key)) {
        warn(`override ${join(langDir, name)} is not <key>.wav for a catalogue key; ignored`);
        continue;
      }
      found.set(`${lang}/${key}`, join(langDir, name));
    }
  }
  return found;
}

/** Runs `work` over `items`, at most `size` at a time; after the first failure starts no more. */
async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
}

export async function generatePrompts(options: GenerateOptions): Promise<GenerateReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    (options.warn ?? ((l: string) => console.warn(`warning: ${l}`)))(line);
  };

  const tools = checkTools(options.espeakBin, options.soxBin);
  const voices = chooseVoices(listVoices(tools.espeak), warn);

  const root = join(options.outDir, SOUND_ROOT);
  const manifestFile = join(root, MANIFEST_FILE);
  let previous: PromptManifest | undefined;
  if (existsSync(manifestFile)) {
    try {
      previous = readManifest(manifestFile);
    } catch (err) {
      warn(`${(err as Error).message}; rebuilding every prompt`);
    }
  }

  const overrides = findOverrides(options.overridesDir, warn);
  const jobs: Job[] = [];
  for (const lang of LANGUAGES) {
    for (const key of PROMPT_KEYS) {
      const sound = soundName(key, lang);
      const relFile = `${lang}/${key}.wav`;
      const override = overrides.get(`${lang}/${key}`);
      const pipeline = { v: PIPELINE_VERSION, out: SOX_OUTPUT, fx: soxEffects(key, override ? 'override' : 'tts') };
      const hash = override
        ? sha256(JSON.stringify({ ...pipeline, override: sha256(readFileSync(override)) }))
        : sha256(
            JSON.stringify({ ...pipeline, text: PROMPTS[key].text[lang], voice: voices[lang], speed: speechRate(key), espeak: tools.espeakVersion }),
          );
      jobs.push({
        key,
        lang,
        sound,
        file: join(root, relFile),
        relFile,
        source: override ? 'override' : 'tts',
        ...(override ? { override } : { voice: voices[lang] }),
        hash,
      });
    }
  }

  for (const lang of LANGUAGES) mkdirSync(join(root, lang), { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'hotline-prompts-'));
  const entries: Record<string, ManifestEntry> = {};
  const generated: string[] = [];
  const unchanged: string[] = [];

  try {
    await pool(jobs, options.concurrency ?? Math.max(1, Math.min(8, cpus().length)), async (job) => {
      const old = previous?.prompts[job.sound];
      const upToDate =
        !options.force && old?.hash === job.hash && existsSync(job.file) && statSync(job.file).size === old.bytes;
      if (!upToDate) {
        const tag = `${job.lang}-${job.key}`;
        let input = job.override;
        if (!input) {
          const textFile = join(scratch, `${tag}.txt`);
          input = join(scratch, `${tag}.raw.wav`);
          writeFileSync(textFile, PROMPTS[job.key].text[job.lang]);
          await run(tools.espeak, ['-v', job.voice!, '-s', speechRate(job.key), '-b', '1', '-f', textFile, '-w', input]);
        }
        // Written beside the target and renamed, so a copy into Asterisk never sees half a file.
        const partial = join(dirname(job.file), `.${job.key}.${process.pid}.partial.wav`);
        try {
          await run(tools.sox, [input, ...SOX_OUTPUT, partial, ...soxEffects(job.key, job.source)]);
          renameSync(partial, job.file);
        } catch (err) {
          rmSync(partial, { force: true });
          const what = job.override ? `override ${job.override}` : `text for ${job.sound}`;
          throw new PromptGenerationError(`cannot build ${job.sound} from ${what}: ${(err as Error).message}`);
        }
      }
      const info = readWavInfo(job.file);
      if (!isPromptFormat(info)) {
        throw new PromptGenerationError(`${job.file} is not 8 kHz mono 16-bit PCM after conversion`);
      }
      entries[job.sound] = {
        key: job.key,
        lang: job.lang,
        file: job.relFile,
        source: job.source,
        ...(job.voice ? { voice: job.voice } : {}),
        text: PROMPTS[job.key].text[job.lang],
        ...(job.override && options.overridesDir ? { override: relative(options.overridesDir, job.override) } : {}),
        hash: job.hash,
        durationMs: info.durationMs,
        bytes: statSync(job.file).size,
      };
      const note = job.source === 'override' ? `studio override ${job.override}` : `voice ${job.voice}`;
      if (upToDate) {
        unchanged.push(job.sound);
        log(`skip      ${job.sound} (unchanged, ${info.durationMs} ms)`);
      } else {
        generated.push(job.sound);
        log(`generated ${job.sound} (${info.durationMs} ms, ${note})`);
      }
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  // Only files this generator made before are removed: the folder may hold nothing else of ours.
  const removed: string[] = [];
  for (const [sound, entry] of Object.entries(previous?.prompts ?? {})) {
    if (entries[sound]) continue;
    rmSync(join(root, entry.file), { force: true });
    removed.push(sound);
    log(`removed   ${sound} (no longer in the catalogue)`);
  }

  const ordered: Record<string, ManifestEntry> = {};
  for (const job of jobs) ordered[job.sound] = entries[job.sound]!;
  const manifest: PromptManifest = { version: MANIFEST_VERSION, format: { ...PROMPT_FORMAT }, prompts: ordered };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  if (!existsSync(manifestFile) || readFileSync(manifestFile, 'utf8') !== text) {
    const partial = `${manifestFile}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, manifestFile);
  }
  // A crashed earlier run may have left partial files behind; a fresh one may be another
  // generator's work in progress.
  for (const lang of LANGUAGES) {
    for (const name of readdirSync(join(root, lang))) {
      const file = join(root, lang, name);
      if (name.endsWith('.partial.wav') && Date.now() - statSync(file).mtimeMs > 10 * 60_000) unlinkSync(file);
    }
  }

  const overridden = jobs.filter((j) => j.source === 'override').map((j) => j.sound);
  log(
    `${jobs.length} prompts in ${root}: ${generated.length} generated, ${unchanged.length} unchanged, ` +
      `${overridden.length} from studio overrides, ${removed.length} removed; voices yue=${voices.yue} cmn=${voices.cmn}`,
  );
  return { outDir: options.outDir, manifestPath: manifestFile, voices, generated, unchanged, overridden, removed, warnings };
}

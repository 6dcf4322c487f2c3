import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PROMPT_FORMAT, readWavInfo } from '../../core/wav';
import { DEFAULT_SPEECH_RATE, type Language } from './catalogue';
import { checkTools, chooseVoices, listVoices } from './generate';

const run = promisify(execFile);

/**
 * Free text spoken at run time (a work order's category and address on the notice call) with the
 * same tools, voices and 8 kHz mono 16-bit format as the catalogue's prompts, so Asterisk plays it
 * like any prompt. The file is written beside its target and renamed: Asterisk (or another CTI
 * process making the same file) never sees half of it.
 */
export class TextSpeaker {
  private voices?: Record<Language, string>;

  constructor(private readonly tools: { espeak?: string; sox?: string } = {}) {}

  private voice(lang: Language): string {
    if (!this.voices) {
      const t = checkTools(this.tools.espeak, this.tools.sox);
      this.voices = chooseVoices(listVoices(t.espeak), () => undefined);
    }
    return this.voices[lang];
  }

  /** Writes `file` (a `.wav`); returns its length in ms. Throws when a tool is missing or fails. */
  async speak(text: string, lang: Language, file: string): Promise<number> {
    const voice = this.voice(lang);
    const scratch = mkdtempSync(join(tmpdir(), 'hotline-speak-'));
    const partial = join(dirname(file), `.${process.pid}.${Date.now()}.partial.wav`);
    try {
      mkdirSync(dirname(file), { recursive: true });
      const textFile = join(scratch, 'text.txt');
      const raw = join(scratch, 'raw.wav');
      writeFileSync(textFile, text);
      await run(this.tools.espeak ?? 'espeak-ng', ['-v', voice, '-s', String(DEFAULT_SPEECH_RATE), '-b', '1', '-f', textFile, '-w', raw], { timeout: 20_000 });
      await run(
        this.tools.sox ?? 'sox',
        [
          raw,
          ...['-t', 'wav', '-r', String(PROMPT_FORMAT.sampleRate), '-c', String(PROMPT_FORMAT.channels), '-b', String(PROMPT_FORMAT.bitsPerSample), '-e', 'signed-integer'],
          partial,
          ...['gain', '-n', '-3', 'pad', '0.05', '0.15'],
        ],
        { timeout: 20_000 },
      );
      renameSync(partial, file);
      return readWavInfo(file).durationMs;
    } finally {
      rmSync(partial, { force: true });
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}

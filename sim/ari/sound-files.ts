import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { readWavInfo } from '../../core/wav';

/**
 * Sounds Asterisk reads from disk at play time, as a real box would: `sound:<folder>/<name>` for
 * a listed folder is `<dir>/<folder>/<name>.wav` under the simulated sounds directory, and an
 * absolute `sound:/path/name` is `/path/name.wav`. A file that is there plays for its real length;
 * one that is not fails the playback (PlaybackFinished `failed`), as Asterisk does. Other sounds
 * are left to the simulator's duration table (undefined).
 */
export interface SoundFilesOptions {
  /** The simulated Asterisk sounds directory (e.g. where NOTICE_SOUNDS_DIR's parent is). */
  dir: string;
  /** Folders under `dir` whose sounds are read from disk (e.g. `hotline-notices`). */
  folders: string[];
}

export function soundFileDuration(opts: SoundFilesOptions): (uri: string) => number | null | undefined {
  return (uri) => {
    if (!uri.startsWith('sound:')) return undefined;
    const name = uri.slice('sound:'.length);
    if (name.includes('://')) return undefined;
    const onDisk = isAbsolute(name) || opts.folders.some((f) => name.startsWith(`${f.replace(/\/+$/, '')}/`));
    if (!onDisk || normalize(name).split('/').includes('..')) return undefined;
    const file = isAbsolute(name) ? `${name}.wav` : join(opts.dir, `${name}.wav`);
    if (!existsSync(file)) return null;
    try {
      return readWavInfo(file).durationMs;
    } catch {
      return null;
    }
  };
}

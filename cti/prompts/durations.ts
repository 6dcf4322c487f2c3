import { manifestPath, readManifest } from './manifest';

/**
 * Playback length of every generated prompt, keyed by ARI media URI
 * (`sound:hotline/yue/goodbye` → 1480). `dir` is the generator's `--out` folder (`var/sounds`)
 * or the `hotline` folder itself.
 *
 * Returns an empty map when no manifest exists (prompts not generated yet), so a simulator
 * can fall back to its default duration; throws when a manifest exists but is malformed,
 * because silently using wrong durations would hide a broken generator.
 */
export function loadPromptDurations(dir: string): Map<string, number> {
  const file = manifestPath(dir);
  const durations = new Map<string, number>();
  if (!file) return durations;
  const manifest = readManifest(file);
  for (const [sound, entry] of Object.entries(manifest.prompts)) {
    durations.set(`sound:${sound}`, entry.durationMs);
  }
  return durations;
}

/**
 * How long a sequence of prompts plays back to back (Asterisk plays a media list without gaps of
 * its own), e.g. the work-number announcement; undefined when a prompt has no known duration.
 */
export function mediaDurationMs(durations: ReadonlyMap<string, number>, media: readonly string[]): number | undefined {
  let total = 0;
  for (const m of media) {
    const ms = durations.get(m);
    if (ms === undefined) return undefined;
    total += ms;
  }
  return total;
}

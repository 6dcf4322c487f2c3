import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SOUND_ROOT } from './catalogue';

/**
 * `<out>/hotline/manifest.json`, written by the generator next to the sounds so it travels with
 * them into Asterisk's sounds directory. It makes regeneration incremental (hash) and tells the
 * ARI simulator how long each prompt plays.
 */
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

const entrySchema = z.object({
  // Plain strings, not the catalogue's enums: a manifest written before a key was dropped
  // must still load so the generator can remove that key's file.
  key: z.string().min(1),
  lang: z.string().min(1),
  /** Relative to the manifest's folder, e.g. `yue/goodbye.wav`. */
  file: z.string().min(1),
  source: z.enum(['tts', 'override']),
  /** espeak-ng voice for `tts`; absent for studio overrides. */
  voice: z.string().optional(),
  text: z.string(),
  /** Override file relative to the overrides folder. */
  override: z.string().optional(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  durationMs: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  format: z.object({
    sampleRate: z.number().int(),
    channels: z.number().int(),
    bitsPerSample: z.number().int(),
  }),
  /** Keyed by Asterisk sound name, e.g. `hotline/yue/goodbye`. */
  prompts: z.record(z.string(), entrySchema),
});

export type ManifestEntry = z.infer<typeof entrySchema>;
export type PromptManifest = z.infer<typeof manifestSchema>;

/**
 * Finds the manifest for either the generator's `--out` folder (`var/sounds`) or the
 * `hotline` folder itself (as copied into Asterisk's sounds directory).
 */
export function manifestPath(dir: string): string | undefined {
  for (const candidate of [join(dir, SOUND_ROOT, MANIFEST_FILE), join(dir, MANIFEST_FILE)]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function readManifest(file: string): PromptManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`prompt manifest ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`prompt manifest ${file} is malformed: ${problems}`);
  }
  return parsed.data;
}

/**
 * npx tsx scripts/gen-prompts.ts [--out var/sounds] [--overrides prompts/overrides] [--force] [--quiet]
 *
 * Builds every hotline prompt into <out>/hotline/<lang>/<key>.wav (8 kHz mono 16-bit) plus
 * <out>/hotline/manifest.json. Exit codes: 0 done, 1 a prompt failed, 2 usage or missing tools.
 */
import { resolve } from 'node:path';
import { generatePrompts, PromptToolError } from '../cti/prompts/generate';

const USAGE = `usage: npx tsx scripts/gen-prompts.ts [--out DIR] [--overrides DIR] [--force] [--quiet]
  --out DIR        output root (default var/sounds); files go to DIR/hotline/<lang>/<key>.wav
  --overrides DIR  studio recordings DIR/<lang>/<key>.wav replace generated prompts
                   (default prompts/overrides)
  --force          rebuild every prompt even when unchanged
  --quiet          don't list the prompts that are unchanged
env: ESPEAK_NG, SOX  paths of the binaries (default espeak-ng, sox)`;

interface Args {
  out: string;
  overrides: string;
  force: boolean;
  quiet: boolean;
}

function parseArgs(argv: string[]): Args {
  const repo = resolve(__dirname, '..');
  const args: Args = { out: resolve(repo, 'var/sounds'), overrides: resolve(repo, 'prompts/overrides'), force: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (!v) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--out':
        args.out = value();
        break;
      case '--overrides':
        args.overrides = value();
        break;
      case '--force':
        args.force = true;
        break;
      case '--quiet':
        args.quiet = true;
        break;
      case '-h':
      case '--help':
        console.log(USAGE);
        process.exit(0);
      default:
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return args;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`gen-prompts: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    await generatePrompts({
      outDir: resolve(args.out),
      overridesDir: resolve(args.overrides),
      force: args.force,
      log: (line) => {
        if (!(args.quiet && line.startsWith('skip '))) console.log(line);
      },
      espeakBin: process.env.ESPEAK_NG || 'espeak-ng',
      soxBin: process.env.SOX || 'sox',
      warn: (line) => console.warn(`gen-prompts: warning: ${line}`),
    });
    return 0;
  } catch (err) {
    console.error(`gen-prompts: ${(err as Error).message}`);
    return err instanceof PromptToolError ? 2 : 1;
  }
}

main().then((code) => process.exit(code));

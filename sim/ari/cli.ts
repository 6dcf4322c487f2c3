/**
 * Standalone ARI simulator for the demo and manual runs:
 *   tsx sim/ari/cli.ts --port 8088 --rate 0.2
 * Options: --port N (default 8088, 0 = ephemeral), --rate calls/s (0 = no generated calls),
 * --mode broadcast|stasis (default broadcast, apps ^hotline-.*), --app hotline (stasis mode),
 * --exten 952525, --time-scale 1, --recordings DIR, --talk MIN-MAX (ms), --user cti --password cti.
 * Phones 1001-1010 answer after 1-4 s.
 */
import { PbxModel } from '../pbx';
import { AriSimulator } from './server';
import type { DialplanRoute } from './types';

function args(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(a.slice(2), next);
      i++;
    } else out.set(a.slice(2), 'true');
  }
  return out;
}

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const port = Number(a.get('port') ?? 8088);
  const rate = Number(a.get('rate') ?? 0);
  const exten = a.get('exten') ?? '952525';
  const mode = a.get('mode') ?? 'broadcast';
  const dialplan: DialplanRoute =
    mode === 'stasis'
      ? { exten, mode: 'stasis', app: a.get('app') ?? 'hotline' }
      : { exten, mode: 'broadcast', appPattern: a.get('pattern') ?? '^hotline-.*', timeoutMs: Number(a.get('claim-ms') ?? 2000) };
  const extensions = Array.from({ length: 10 }, (_, i) => String(1001 + i));
  const pbx = new PbxModel({ extensions, trunkName: 'pstn' });
  for (const ext of extensions) pbx.setPhone(ext, { behaviour: { kind: 'answer', afterMs: 1000 + Math.round(Math.random() * 3000) } });
  const [talkLo, talkHi] = (a.get('talk') ?? '30000-120000').split('-').map(Number);
  const sim = new AriSimulator({
    port,
    pbx,
    dialplan,
    timeScale: Number(a.get('time-scale') ?? 1),
    username: a.get('user') ?? 'cti',
    password: a.get('password') ?? 'cti',
    ...(a.get('recordings') ? { recordingsDir: a.get('recordings') as string } : {}),
  });
  const { url } = await sim.start();
  process.stdout.write(`ARI simulator (Asterisk 22 ${mode}) on ${url}  phones 1001-1010  ext ${exten}\n`);
  sim.on('ws', (w) => process.stdout.write(`ws ${w.what} ${w.apps.join(',')}${w.status ? ` ${w.status}` : ''}\n`));
  let load: ReturnType<AriSimulator['startLoad']> | null = null;
  if (rate > 0) {
    load = sim.startLoad({
      callsPerSecond: rate,
      durationMs: Number.POSITIVE_INFINITY,
      dtmfDigits: ['1', '2'],
      talkMs: [talkLo ?? 30_000, talkHi ?? talkLo ?? 120_000],
    });
    const report = setInterval(() => {
      if (load) process.stdout.write(`load ${JSON.stringify(load.stats)}\n`);
    }, 10_000);
    report.unref();
  }
  const shutdown = (): void => {
    load?.stop();
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

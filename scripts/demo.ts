import { join } from 'node:path';
import pretty from 'pino-pretty';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { loadPromptDurations } from '../cti/prompts/durations';
import { keepServingOnUnhandledRejection, startCti } from '../main';
import { AmiSimulator } from '../sim/ami/server';
import { AriSimulator } from '../sim/ari/server';
import { PbxModel } from '../sim/pbx';
import { seedDemoCallbacks } from './demo-callbacks';
import { DEMO_EXTENSIONS, setUpDemoPhones, SUPERVISOR_EXTENSIONS, YOUR_EXTENSION } from './demo-phones';
import { customers, DEMO_PASSWORD } from './seed-data';

/**
 * `npm run demo`: the simulated PBX (ARI on the ARI_URL port, AMI on AMI_PORT) with generated
 * calls, and a CTI process on top of it, all on 127.0.0.1. Agents 1002–1010 sit at simulated
 * phones that answer after 2–8 s (1010 sometimes never, so the 20-second alarm shows); agent
 * 1001 is left for you: their phone rings until you press 接听 in the agent console.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, DEMO: 'true' });
  // A person watches this log: one readable line per event, not JSON (the product itself logs JSON).
  const logger = createLogger(config, pretty({ sync: true, singleLine: true, colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,node' }));
  keepServingOnUnhandledRejection(logger);
  const rate = Number(process.env.DEMO_CALLS_PER_MINUTE ?? 6) / 60;
  const extensions = [...DEMO_EXTENSIONS];
  const pbx = new PbxModel({ extensions: [...extensions, ...SUPERVISOR_EXTENSIONS], trunkName: 'carrier' });
  const phones = setUpDemoPhones(pbx);

  const durations = loadPromptDurations(join('var', 'sounds'));
  const ari = new AriSimulator({
    port: Number(new URL(config.ARI_URL).port || 8088),
    username: config.ARI_USERNAME,
    password: config.ARI_PASSWORD,
    pbx,
    dialplan: { exten: config.HOTLINE_NUMBER, mode: 'broadcast', appPattern: `^${config.ARI_APP}-.*`, timeoutMs: 2000 },
    recordingsDir: config.RECORDINGS_DIR,
    soundDurationMs: (uri) => durations.get(uri) ?? 800,
    trunkEndpoint: config.NOTICE_TRUNK_ENDPOINT,
    // Each notice's spoken address: played for the length of the file the CTI wrote.
    soundFiles: { dir: join('var', 'sounds'), folders: ['hotline-notices'] },
  });
  // Numbers called through the trunk: the departments' duty phones (notice calls) answer after 3 s
  // and press 1 once the notice was heard; a customer called back (拨打) talks 25 s, then hangs up.
  ari.setCallee('*', { kind: 'answer', afterMs: 3000, hangupAfterMs: 25_000, dtmf: [{ digit: '1', afterMs: 14_000 }] });
  const ami = new AmiSimulator({
    port: config.AMI_PORT,
    username: config.AMI_USERNAME,
    secret: config.AMI_SECRET,
    pbx,
    registrationRefreshMs: 60_000,
    // The carrier as asterisk-conf/pjsip.conf sets it up: endpoint, outbound_auth, a qualified static contact.
    trunk: { endpoint: 'carrier', outboundAuth: { name: 'carrier-auth', username: 'demo952525', password: 'demo-only' }, qualifiedContact: 'sip:127.0.0.1:5095' },
  });
  const { url: ariUrl } = await ari.start();
  await ami.start();
  logger.info({ ari: ariUrl, ami: `127.0.0.1:${config.AMI_PORT}` }, 'simulated PBX up (Asterisk 22, phones 1001-1010)');

  // 接听 in 1001's console answers 1001's ringing leg on this simulator.
  const node = await startCti(config, { logger, demoAnswerLeg: (channelId) => ari.agentAnswer(channelId) });
  const calls = node.calls!;
  for (const wn of extensions) {
    await calls.agents.login(wn);
    if (wn !== YOUR_EXTENSION) await calls.agents.change(wn, 'ready');
  }
  // Answer times vary from call to call.
  ari.on('call', () => phones.reroll());
  // 1010 goes Not Ready after a ring-out; a supervisor would put them back after a word: do it after a minute.
  // Not 1001: the person at that console goes Ready again themselves, as the console tells them.
  calls.bus.subscribe((e) => {
    // 拨打 rings the agent's own phone first: the person at the console has none, so it is picked up for them.
    if (e.type === 'callback.call' && e.stage === 'agent') {
      setTimeout(() => {
        try {
          ari.agentAnswer(`${e.callId}-a`);
        } catch {
          // Gone meanwhile.
        }
      }, 1500).unref();
    }
    if (e.type === 'agent.state' && e.state === 'not_ready' && e.reason === 'no-answer' && e.agentWorkNumber !== YOUR_EXTENSION) {
      setTimeout(() => void calls.agents.change(e.agentWorkNumber, 'ready').catch(() => undefined), 60_000).unref();
    }
  });

  const callbacks = await seedDemoCallbacks(node);
  if (callbacks) logger.info({ callbacks }, 'demo: complaints resolved, their phone callbacks wait on the agent console (回访任务, 拨打)');

  const known = customers().slice(0, 60).map((c) => c.phones[0]!);
  const strangers = Array.from({ length: 40 }, (_, i) => `1880000${String(i).padStart(4, '0')}`);
  const load = ari.startLoad({
    callsPerSecond: rate,
    durationMs: Number.POSITIVE_INFINITY,
    callerPool: [...known, ...strangers],
    dtmfDigits: ['1', '2', '1'],
    dtmfAfterMs: [500, 4000],
    talkMs: [15_000, 60_000],
    patienceMs: 90_000,
  });
  logger.info({ callsPerMinute: rate * 60, consoles: node.url }, `demo running: ${node.url}  (Ctrl-C to stop)`);
  // Plain text after the log lines: where to go and who to be, the last thing on the screen.
  process.stdout.write(
    [
      '',
      `  hotline-cti demo is running: ${node.url}`,
      `  log in (password ${DEMO_PASSWORD}):`,
      '    agent 1001 (yours: go 就绪 Ready; a call rings until you press 接听 in the console)   agents 1002-1010 sit at simulated phones',
      '    supervisor board 2001     admin 9001     departments: duty users x01 (engineering 3001, business 3101), leaders x11 (3311, 3111)',
      `  simulated PBX: ARI ${ariUrl}, AMI 127.0.0.1:${config.AMI_PORT}; ${Math.round(rate * 60)} calls a minute (DEMO_CALLS_PER_MINUTE)`,
      '  Ctrl-C stops it.',
      '',
    ].join('\n'),
  );

  const stop = async () => {
    load.stop();
    await node.stop();
    await ari.stop();
    await ami.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

/**
 * `npm run bench`: the call path measured end to end on this machine, against an in-run baseline
 * (issue 13). Private Redis and FerretDB, the simulated Asterisk in its own process, one or more
 * CTI processes (main.ts), N agent consoles and M supervisor boards as real Socket.IO clients;
 * calls at R per second. Prints a table and writes var/bench/<time>.json. Nothing is asserted.
 *   npm run bench -- --quick        (see options.ts for every option)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { alarmErrors, firstRings, popLatencies, popSplit, queueToOriginate, readTraces } from './analysis';
import type { AgentsApi, BaselineApi, BoardsApi, FloorApi, RunResult, RunSpec, SimApi } from './api';
import { ctiCounters, eventLoopDelay, redisCounts, redisDelta, sumDelta } from './counters';
import { startCti, type CtiChild } from './cti';
import { parseOptions, USAGE, type BenchOptions } from './options';
import { formatReport, growthOf, writeJson, type BenchResults, type Latency, type ProcessUsage, type StepResult } from './report';
import { forkTs } from './rpc';
import { defaultBackend, freePort, startServices } from './services';
import { now, percentile, summarize } from './stats';
import { UsageSampler, type UsageMark } from './usage';
import { seedBench } from './users';

const ROOT = resolve(__dirname, '../..');
const ALARM_MS = 20_000;
const t0 = now();
const log = (s: string): void => void process.stderr.write(`[bench ${((now() - t0) / 1000).toFixed(1).padStart(6)} s] ${s}\n`);
const mb = (b: number | null): number | null => (b === null ? null : b / 1024 / 1024);

type Cleanup = { name: string; run: () => Promise<void> };

async function bench(o: BenchOptions, dir: string, cleanups: Cleanup[], stopping: () => boolean): Promise<BenchResults> {
  const setupMs: Record<string, number> = {};
  const lap = (name: string, since: number): void => {
    setupMs[name] = Math.round(now() - since);
  };

  let t = now();
  log(`starting Redis and FerretDB (${o.db}) in ${dir}`);
  const services = await startServices({ root: ROOT, varDir: join(dir, 'var'), db: o.db, log });
  cleanups.push({ name: 'services', run: () => services.stop() });
  lap('services', t);

  t = now();
  const jwtSecret = randomBytes(32).toString('hex');
  log(`seeding ${o.agents} agents and ${o.boards} supervisors`);
  const users = await seedBench(services.mongoUrl, { agents: o.agents, supervisors: o.boards, jwtSecret });
  lap('seed', t);

  const sim = forkTs<SimApi>('simulator', join(__dirname, 'sim-process.ts'), { cwd: ROOT, logFile: join(dir, 'simulator.log') });
  cleanups.push({ name: 'simulator', run: () => sim.stop() });
  const agents = forkTs<AgentsApi>('agent-consoles', join(__dirname, 'agents-process.ts'), { cwd: ROOT, logFile: join(dir, 'agent-consoles.log') });
  cleanups.push({ name: 'agent consoles', run: () => agents.stop() });
  const boards = forkTs<BoardsApi>('boards', join(__dirname, 'boards-process.ts'), { cwd: ROOT, logFile: join(dir, 'boards.log') });
  cleanups.push({ name: 'boards', run: () => boards.stop() });
  const floor = forkTs<FloorApi>('floor', join(__dirname, 'floor-process.ts'), { cwd: ROOT, logFile: join(dir, 'floor.log') });
  cleanups.push({ name: 'floor probe', run: () => floor.stop() });
  const { ariUrl, amiPort } = await sim.call('init', { extensions: users.agents.map((a) => a.workNumber), answerMs: o.answerMs, promptMs: o.promptMs }, 60_000);

  // The transport alone, before any CTI runs: same clients, same options, nothing else on the machine.
  t = now();
  const clients = o.agents + o.boards;
  const baselineRate = Math.max(o.rate, 50);
  const baselineCount = Math.round(baselineRate * (o.mode === 'quick' ? 4 : 20));
  log(`baseline: ${clients} plain Socket.IO clients, ${baselineCount} messages at ${baselineRate}/s`);
  const base = forkTs<BaselineApi>('baseline-server', join(__dirname, 'baseline-server.ts'), { cwd: ROOT, logFile: join(dir, 'baseline-server.log') });
  cleanups.push({ name: 'baseline server', run: () => base.stop() });
  const { url: baseUrl } = await base.call('start', { port: await freePort() }, 30_000);
  await agents.call('baselineConnect', { url: baseUrl, clients, concurrency: 50 }, 300_000);
  const { sent } = await base.call('emit', { rooms: clients, rate: baselineRate, count: baselineCount, payloadBytes: 1500 }, 600_000);
  const baseLat: number[] = [];
  for (const until = now() + 5000; baseLat.length < sent && now() < until; ) {
    baseLat.push(...(await agents.call('baselineTake', {})).latencies);
    if (baseLat.length < sent) await new Promise((r) => setTimeout(r, 50));
  }
  await agents.call('baselineClose', {});
  await base.stop();
  const baseline = { ...summarize(baseLat), missing: sent - baseLat.length, sent, clients };
  lap('baseline', t);

  t = now();
  log(`starting ${o.nodes} CTI process(es)`);
  const ctiEnv: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    REDIS_URL: services.redisUrl,
    MONGO_URL: services.mongoUrl,
    ARI_URL: ariUrl,
    ARI_USERNAME: 'cti',
    ARI_PASSWORD: 'cti',
    AMI_HOST: '127.0.0.1',
    AMI_PORT: String(amiPort),
    AMI_USERNAME: 'cti',
    AMI_SECRET: 'cti',
    ANSWER_ALARM_MS: String(ALARM_MS),
    AFTER_CALL_WORK_MS: String(o.acwMs),
    DEMO: 'false',
    JWT_SECRET: jwtSecret,
    SMS_GATEWAY: 'log',
    RECORDINGS_DIR: join(dir, 'recordings'),
    ASTERISK_MONITOR_DIR: join(dir, 'monitor'),
    NOTICE_SOUNDS_DIR: join(dir, 'notice-sounds'),
  };
  const ids = Array.from({ length: o.nodes }, (_, i) => String.fromCharCode(97 + i));
  const execArgv = o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'prof')}`] : [];
  const started = await Promise.allSettled(ids.map(async (nodeId) => startCti({ root: ROOT, dir, nodeId, httpPort: await freePort(), env: ctiEnv, execArgv })));
  const ctis: CtiChild[] = [];
  for (const s of started) if (s.status === 'fulfilled') ctis.push(s.value);
  for (const c of ctis) {
    cleanups.push({ name: `CTI ${c.nodeId}`, run: () => c.stop() });
    void c.exited.then((code) => {
      if (!stopping()) log(`!! CTI ${c.nodeId} exited (${code}) during the run; its log: ${c.logFile}\n${c.logTail(10)}`);
    });
  }
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  lap('ctiStart', t);

  const watched: Record<string, { pid: number; tree?: boolean }> = {};
  for (const c of ctis) watched[`cti-${c.nodeId}`] = { pid: c.pid };
  watched.simulator = { pid: sim.process.pid! };
  watched['agent-consoles'] = { pid: agents.process.pid! };
  watched.boards = { pid: boards.process.pid! };
  for (const [name, pid] of Object.entries(services.pids())) watched[name] = { pid, tree: name === 'postgres' };
  const usage = new UsageSampler(watched);
  usage.start();
  cleanups.push({ name: 'sampler', run: async () => usage.stop() });

  t = now();
  log(`connecting ${o.agents} agent consoles and ${o.boards} boards over ${o.nodes} process(es)`);
  const spread = <T extends { workNumber: string; token: string }>(list: T[]) => list.map((u, i) => ({ workNumber: u.workNumber, token: u.token, url: ctis[i % ctis.length]!.url }));
  // Agent n's console is on process n mod K; its desk phone has the agent's number.
  const nodeOfAgent = new Map(users.agents.map((u, i) => [u.workNumber, ctis[i % ctis.length]!.nodeId]));
  const [ac, bc] = await Promise.all([
    agents.call('connect', { logins: spread(users.agents), concurrency: 25 }, 600_000),
    o.boards ? boards.call('connect', { logins: spread(users.supervisors), concurrency: 10 }, 300_000) : Promise.resolve({ connected: 0, ms: 0 }),
  ]);
  if (ac.ready < o.agents) log(`!! only ${ac.ready} of ${o.agents} agents are Ready`);
  log(`consoles: ${ac.connected} agents (${ac.ready} Ready) in ${(ac.ms / 1000).toFixed(1)} s (connect p50 ${ac.connectMs.p50?.toFixed(0)} ms, Ready p50 ${ac.readyMs.p50?.toFixed(0)} ms), ${bc.connected} boards`);
  lap('consoles', t);

  const spec = (label: string, rate: number, calls: number, extra: Partial<RunSpec> = {}): RunSpec => ({
    label,
    rate,
    calls,
    talkMs: o.talkMs,
    // Barge-in: the caller chooses a language early in the menu prompt.
    dtmfMs: Math.min(100, o.promptMs),
    alarmCalls: 0,
    alarmEveryMs: 100,
    // A call not answered 10 s after the last one was placed is lost for this purpose.
    drainMs: 10_000 + o.talkMs + o.answerMs,
    // A call left ringing: the alarm, a second agent's ring and answer, the 报工号 prompts, the talk.
    ringOutMs: ALARM_MS + 2 * o.answerMs + 10 * o.promptMs + o.talkMs,
    knownCallerShare: 0.5,
    ...extra,
  });
  const runCalls = async (s: RunSpec): Promise<RunResult> => {
    if (stopping()) throw new Error('stopped');
    const r = await sim.call('run', s, (s.calls / s.rate) * 1000 + s.alarmCalls * s.alarmEveryMs + s.ringOutMs + s.drainMs + 120_000);
    log(`${s.label}: ${r.placed} calls placed at ${s.rate}/s, ${r.bridged} answered, ${r.lost} lost${r.lost ? ` ${JSON.stringify(r.lostReasons)}` : ''} (${((r.endT - r.startT) / 1000).toFixed(1)} s)`);
    if (r.lostSample.length) log(`  lost callers (channel, state, last heard): ${r.lostSample.slice(0, 5).map((x) => `${x.caller} ${x.state} ${x.lastHeard}`).join('; ')}`);
    return r;
  };
  const takeBoards = async (r: RunResult | null) => {
    if (!o.boards) return null;
    const b = await boards.call('take', { rings: r ? firstRings(r.rings) : [] }, 120_000);
    const l = b.latest;
    if (l) log(`  latest board (${(l.ageMs / 1000).toFixed(1)} s old): agents ${JSON.stringify(l.agentCounts)}, ${l.waiting} waiting, ${l.inProgress} in progress`);
    return b;
  };

  // Warm-up (not measured): the first calls load scripts, open pooled connections, warm the JIT.
  await runCalls(spec('warm-up', 10, o.mode === 'quick' ? 10 : 40));
  await agents.call('takePops', {});
  await takeBoards(null);

  const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
  cleanups.push({ name: 'redis client', run: async () => void redis.disconnect() });
  const runStart = await usage.mark();
  let mainMark: [UsageMark, UsageMark] | null = null;
  let mainResult: BenchResults['main'] = null;
  const steps: StepResult[] = [];
  let soak: BenchResults['soak'] = null;

  const mainPeak: Record<string, number | null> = {};
  if (o.mode !== 'soak') {
    const calls = Math.round(o.rate * o.duration);
    log(`main phase: ${calls} calls at ${o.rate}/s, ${o.alarmCalls} of them ringing out for the 20 s alarm`);
    const m0 = await usage.mark();
    const r0 = await redisCounts(redis);
    const k0 = await Promise.all(ctis.map((c) => ctiCounters(c.url).catch(() => null)));
    // Read (and so reset) now: the next reading covers the main phase alone.
    await Promise.all(ctis.map((c) => eventLoopDelay(c.url).catch(() => null)));
    await floor.call('start', { redisUrl: services.redisUrl, everyMs: 10 });
    // 20 s to finish after the last call (a step has 10 s: a backlog that long is not sustained anyway).
    const main = await runCalls(spec('main', o.rate, calls, { alarmCalls: o.alarmCalls, drainMs: 20_000 + o.talkMs + o.answerMs }));
    const m1 = await usage.mark();
    const probe = await floor.call('take', { atLeast: 0 });
    // The kernel's high-water mark only grows: read now, it is the peak up to the end of the
    // rated phase; the step-up after it pushes the processes past their load on purpose.
    for (const name of Object.keys(watched)) mainPeak[name] = mb(usage.peak(name));
    const loops = await Promise.all(ctis.map(async (c) => [`cti-${c.nodeId}`, await eventLoopDelay(c.url).catch(() => null)] as const));
    const k1 = await Promise.all(ctis.map((c) => ctiCounters(c.url).catch(() => null)));
    const mainS = Math.max(0.001, (main.endT - main.startT) / 1000);
    const gc = Object.fromEntries(
      ctis.map((c, i) => {
        const spent = sumDelta([k0[i]?.gcSeconds ?? null], [k1[i]?.gcSeconds ?? null]);
        if (!spent) return [`cti-${c.nodeId}`, null];
        const total = Object.values(spent).reduce((a, b) => a + b, 0) * 1000;
        return [`cti-${c.nodeId}`, { msPerS: total / mainS, majorMsPerS: ((spent.major ?? 0) * 1000) / mainS }];
      }),
    );
    const r1 = await redisCounts(redis);
    mainMark = [m0, m1];
    const taken = await agents.call('takePops', {});
    const board = await takeBoards(main);
    const points = readTraces(ctis.map((c) => ({ node: c.nodeId, file: c.traceFile })));
    const win = { from: main.startT, to: main.endT };
    const pop = popLatencies(main.rings, taken.pops);
    const popS: Latency = { ...summarize(pop.latencies), missing: pop.missing };
    const q2o = queueToOriginate(points, win);
    const split = popSplit(points, main.rings, taken.pops, (ext) => nodeOfAgent.get(ext));
    // Kept with --keep: every ring, pop and trace point of the phase, to look into one call.
    writeFileSync(join(dir, 'main-phase.json'), JSON.stringify({ ...main, pops: taken.pops }));
    const alarms = alarmErrors(
      points.filter((p) => p.t >= win.from && p.t <= win.to),
      main.rings,
      main.alarmLegs,
      ALARM_MS,
    );
    const rd = redisDelta(r0, r1);
    const writes = sumDelta(k0.map((k) => k?.mongoWrites ?? null), k1.map((k) => k?.mongoWrites ?? null));
    const commands = sumDelta(k0.map((k) => k?.mongoCommands ?? null), k1.map((k) => k?.mongoCommands ?? null));
    const perPlaced = (x: number): number => x / Math.max(1, main.placed);
    const perAnswered = (x: number): number => x / Math.max(1, main.bridged);
    mainResult = {
      rate: o.rate,
      placed: main.placed,
      answered: main.bridged,
      lost: main.lost,
      lostReasons: main.lostReasons,
      pop: popS,
      popServer: split ? summarize(split.server) : null,
      popHeard: split?.heard.length ? summarize(split.heard) : null,
      popTransport: split ? summarize(split.transport) : null,
      popToBaselineP99: popS.p99 !== null && baseline.p99 ? popS.p99 / baseline.p99 : null,
      queueToOriginate: q2o.total.length ? summarize(q2o.total) : null,
      floor: { timerLag: summarize(probe.timerLag), redisRtt: summarize(probe.redisRtt) },
      queueSplit: q2o.script.length ? { toPass: summarize(q2o.toPass), script: summarize(q2o.script), toRequest: summarize(q2o.toRequest) } : null,
      alarmError: alarms ? { ...summarize(alarms.errors), missing: alarms.missing } : null,
      board: board ? { ...summarize(board.latencies), missing: board.missing, notShown: board.notShown } : null,
      redisCommandsPerCall: Number.isFinite(rd.total) ? rd.total / Math.max(1, main.placed) : null,
      redisTopPerCall: Object.fromEntries(
        Object.entries(rd.byCommand)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 10)
          .map(([k, v]) => [k, v / Math.max(1, main.placed)]),
      ),
      mongoWritesPerAnsweredCall: writes ? perAnswered(Object.values(writes).reduce((a, b) => a + b, 0)) : null,
      mongoWritesByCollection: writes ? Object.fromEntries(Object.entries(writes).map(([k, v]) => [k, perAnswered(v)])) : null,
      mongoCommandsPerCall: commands ? perPlaced(Object.values(commands).reduce((a, b) => a + b, 0)) : null,
      mongoTopPerCall: commands
        ? Object.fromEntries(
            Object.entries(commands)
              .sort((a, b) => b[1] - a[1])
              .slice(0, 12)
              .map(([k, v]) => [k, perPlaced(v)]),
          )
        : {},
      eventLoopDelay: Object.fromEntries(loops),
      gc,
      agentsReReady: taken.reReady,
      consoleDisconnects: taken.disconnects,
    };

    for (const rate of o.steps) {
      const r = await runCalls(spec(`step ${rate}/s`, rate, Math.max(1, Math.round(rate * o.stepS))));
      const { pops } = await agents.call('takePops', {});
      await takeBoards(null);
      const pl = popLatencies(r.rings, pops);
      // A ring that never got its pop counts as infinitely late: it cannot make the p99 look better.
      const withMissing = [...pl.latencies.sort((a, b) => a - b), ...Array<number>(pl.missing).fill(Infinity)];
      const p99 = percentile(withMissing, 99);
      const ok = r.lost === 0 && p99 !== null && p99 < 100;
      steps.push({ rate, placed: r.placed, lost: r.lost, pop: { ...summarize(pl.latencies), missing: pl.missing }, ok });
      log(`step ${rate}/s: pop p99 ${p99 === null ? 'n/a' : p99.toFixed(1)} ms → ${ok ? 'sustained' : 'not sustained'}`);
      if (!ok) break;
    }
  } else {
    const SEGMENTS = 10;
    const per = Math.ceil(o.calls / SEGMENTS);
    const rss = (): Record<string, number | null> => Object.fromEntries(ctis.map((c) => [`cti-${c.nodeId}`, mb(usage.rss(`cti-${c.nodeId}`))]));
    const liveHeap = async (): Promise<Record<string, number | null>> =>
      Object.fromEntries(
        await Promise.all(
          ctis.map(async (c) => {
            const bytes = (await ctiCounters(c.url).catch(() => null))?.heapLiveBytes;
            return [`cti-${c.nodeId}`, mb(bytes ?? null)] as const;
          }),
        ),
      );
    const m0 = await usage.mark();
    const start = { rss: rss(), heap: await liveHeap() };
    let middle: typeof start = { rss: {}, heap: {} };
    let firstTenth: typeof start | null = null;
    let placed = 0;
    let lost = 0;
    const latencies: number[] = [];
    let missing = 0;
    const segments: NonNullable<BenchResults['soak']>['segments'] = [];
    for (let i = 0; i < SEGMENTS && placed < o.calls; i++) {
      const r = await runCalls(spec(`soak ${i + 1}/${SEGMENTS}`, o.rate, Math.min(per, o.calls - placed)));
      placed += r.placed;
      lost += r.lost;
      const { pops } = await agents.call('takePops', {});
      await takeBoards(null);
      const pl = popLatencies(r.rings, pops);
      latencies.push(...pl.latencies);
      missing += pl.missing;
      await usage.mark();
      const segP99 = percentile([...pl.latencies].sort((a, b) => a - b), 99);
      const now = { rss: rss(), heap: await liveHeap() };
      segments.push({ calls: placed, lost: r.lost, popP99: segP99, rssMb: now.rss, liveHeapMb: now.heap });
      // Per segment, so a cost that grows with the calls behind it shows as a trend.
      const heapSaid = Object.values(now.heap).map((v) => (v === null ? 'n/a' : v.toFixed(0))).join('/');
      log(`soak: ${placed} calls, this segment's pop p99 ${segP99 === null ? 'n/a' : segP99.toFixed(1)} ms, RSS ${JSON.stringify(now.rss)}, live heap ${heapSaid} MB`);
      if (i === 0) firstTenth = now;
      if (i === Math.floor(SEGMENTS / 2) - 1) middle = now;
    }
    const end = { rss: rss(), heap: await liveHeap() };
    mainMark = [m0, await usage.mark()];
    const growths = (pick: (x: typeof start) => Record<string, number | null>) =>
      Object.fromEntries(Object.keys(pick(start)).map((k) => [k, growthOf(pick(start)[k], pick(middle)[k], pick(end)[k], firstTenth ? pick(firstTenth)[k] : null)]));
    soak = {
      calls: placed,
      lost,
      pop: { ...summarize(latencies), missing },
      segments,
      rssMb: growths((x) => x.rss),
      liveHeapMb: growths((x) => x.heap),
    };
  }

  const runEnd = await usage.mark();
  const mainCpu = mainMark ? UsageSampler.cpuPercent(mainMark[0], mainMark[1]) : {};
  const runCpu = UsageSampler.cpuPercent(runStart, runEnd);
  const processes: Record<string, ProcessUsage> = {};
  for (const name of Object.keys(watched)) processes[name] = { cpuMainPct: mainCpu[name] ?? null, cpuRunPct: runCpu[name] ?? null, peakRssMainMb: mainPeak[name] ?? null, peakRssMb: mb(usage.peak(name)) };
  const sustained = steps.filter((s) => s.ok).map((s) => s.rate);
  return {
    startedAt: new Date(performance.timeOrigin).toISOString(),
    options: o,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memGb: Math.round(totalmem() / 1024 ** 3), node: process.version, os: `${platform()} ${release()}` },
    setupMs,
    consoles: { agents: ac.connected, ready: ac.ready, boards: bc.connected, connectMs: ac.connectMs, readyMs: ac.readyMs },
    baseline,
    main: mainResult,
    steps,
    maxSustainedRate: sustained.length ? Math.max(...sustained) : null,
    processes,
    soak,
    wallS: (now() - t0) / 1000,
  };
}

async function main(): Promise<void> {
  let o: BenchOptions | 'help';
  try {
    o = parseOptions(process.argv.slice(2), defaultBackend(ROOT));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (o === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(ROOT, 'var/bench', `run-${stamp}`);
  mkdirSync(dir, { recursive: true });
  const cleanups: Cleanup[] = [];
  let cleaning: Promise<void> | null = null;
  // Last started, first stopped: consoles, then the CTI processes, the simulator, the services.
  const opts = o;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (let c = cleanups.pop(); c; c = cleanups.pop()) {
        const name = c.name;
        await c.run().catch((err: unknown) => log(`stopping ${name}: ${(err as Error).message}`));
      }
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx's
    // wrapper), and a second signal without a handler would kill it halfway through the clean-up.
    process.on(sig, () => {
      if (cleaning) return;
      log(`${sig}: stopping everything the bench started`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    const results = await bench(o, dir, cleanups, () => cleaning !== null);
    log('stopping');
    await cleanup();
    const file = join(ROOT, 'var/bench', `${stamp}.json`);
    writeJson(file, results);
    process.stdout.write(`${formatReport(results)}\n`);
    process.stdout.write(`JSON: ${file}${o.keep ? `\nlogs, traces and data: ${dir}` : ''}\n`);
  } catch (err) {
    // Interrupted: what failed was the signal's doing; its handler finishes the clean-up and exits.
    if (cleaning) return;
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    log(`logs kept in ${dir}`);
    o.keep = true;
    await cleanup();
    process.exitCode = 1;
  }
}

void main();

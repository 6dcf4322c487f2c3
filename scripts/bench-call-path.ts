/**
 * Call-path benchmark: N simulated calls at R calls/s through K CTI processes on the real Redis
 * and FerretDB, 10 agents whose phones answer at once. Prints the CTI's own latencies from the
 * Call records (nothing here is asserted; it measures).
 *   npx tsx scripts/bench-call-path.ts [--calls 300] [--rate 20] [--nodes 2]
 */
import { PbxHarness } from '../test/helpers/pbx-harness';
import { waitFor } from '../test/helpers/wait';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

function row(name: string, xs: number[]): string {
  return `${name.padEnd(38)} n=${String(xs.length).padStart(4)}  p50=${pct(xs, 50).toFixed(1).padStart(7)}  p95=${pct(xs, 95).toFixed(1).padStart(7)}  p99=${pct(xs, 99).toFixed(1).padStart(7)}  max=${Math.max(...xs).toFixed(1).padStart(7)} ms`;
}

/** For each answered call, how long its agent waited (wrap-up + idle) before being offered the next one. */
function gapsToNextOffer(calls: Array<{ agentWorkNumber?: string | null; endedAt?: Date | null; offers: Array<{ agentWorkNumber: string; offeredAt: Date }> }>): number[] {
  const offers = calls.flatMap((c) => c.offers.map((o) => ({ agent: o.agentWorkNumber, at: new Date(o.offeredAt).getTime() })));
  return calls.flatMap((c) => {
    const end = c.endedAt ? new Date(c.endedAt).getTime() : NaN;
    const next = offers.filter((o) => o.agent === c.agentWorkNumber && o.at >= end).sort((a, b) => a.at - b.at)[0];
    return next ? [next.at - end] : [];
  });
}

async function main(): Promise<void> {
  const calls = arg('calls', 300);
  const rate = arg('rate', 20);
  const nodes = arg('nodes', 2);
  process.env.TEST_LOG_LEVEL = 'silent';
  const h = await PbxHarness.start({ nodes, soundMs: 0, env: { ANSWER_ALARM_MS: '20000', AFTER_CALL_WORK_MS: '1', LANGUAGE_FALLBACK_MS: '60000' } });
  for (const e of Array.from({ length: 10 }, (_, i) => String(1001 + i))) h.pbx.setPhone(e, { behaviour: { kind: 'answer', afterMs: 0 } });
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  const handles = [];
  for (let i = 0; i < calls; i++) {
    handles.push(h.ari.placeCall({ callerNumber: `1390000${String(i).padStart(4, '0')}`, dtmf: [{ digit: i % 2 ? '1' : '2', afterMs: 0 }], hangupAfterBridgedMs: 20 }));
    await new Promise((r) => setTimeout(r, 1000 / rate));
  }
  await Promise.all(handles.map((c) => c.ended));
  const ids = handles.map((c) => c.id);
  const docs = await waitFor(async () => {
    const d = await h.node.models.Call.find({ callerChannelId: { $in: ids } }).lean();
    return d.length === calls && d.every((c) => c.state === 'ended') && d;
  }, { timeoutMs: 120_000, what: 'calls closed' });
  const wall = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const t = (d: Date | null | undefined) => (d ? new Date(d).getTime() : NaN);
  const answered = docs.filter((d) => d.outcome === 'answered');
  const out = [
    `hotline-cti call-path benchmark: ${calls} calls at ${rate}/s, ${nodes} CTI processes, 10 agents, simulated Asterisk (one Node process for all)`,
    `outcomes: ${JSON.stringify(docs.reduce<Record<string, number>>((m, d) => ({ ...m, [d.outcome!]: (m[d.outcome!] ?? 0) + 1 }), {}))}`,
    `wall ${wall.toFixed(1)} s, ${(calls / wall).toFixed(1)} calls/s completed, process CPU ${((cpu.user + cpu.system) / 1000 / 1000).toFixed(1)} s`,
    row('arrival → answered by the app', docs.map((d) => t(d.greetingAt) - t(d.arrivedAt))),
    row('queued → agent offered (ACD + Redis)', answered.map((d) => t(d.offers[0]?.offeredAt) - t(d.queuedAt))),
    row('offered → agent phone ringing', answered.map((d) => t(d.offers[0]?.ringingAt) - t(d.offers[0]?.offeredAt))),
    row('agent answer → bridged (6 prompt plays)', answered.map((d) => t(d.talkingAt) - t(d.answeredAt))),
    row('agent answer → call ended (talk 20 ms)', answered.map((d) => t(d.endedAt) - t(d.answeredAt))),
    row("call ended → that agent's next offer", gapsToNextOffer(answered)),
  ];
  console.log(out.join('\n'));
  await h.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

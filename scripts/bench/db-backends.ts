/**
 * FerretDB's SQLite backend against its PostgreSQL backend on the CTI's own database work per
 * call (scripts/bench/db-workload.ts), each started privately through scripts/services.sh in
 * var/bench-db/<variant>. Prints ops/s, calls/s, the database's CPU per call, and p50/p99 per
 * kind of operation, backends side by side; writes the numbers to var/bench-db/result-<time>.json.
 *   npx tsx scripts/bench/db-backends.ts [--calls 100] [--concurrency 1,16] [--variants sqlite,pg,pg-sync]
 *     [--history 2000] [--work-orders 300]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { z } from 'zod';
import { createModels, syncIndexes } from '../../models';
import { DbInstance, VARIANTS, type Variant } from './db-instance';
import { callWorkload, emptyTimings, OP_KINDS, seedBenchData, type DropCounter, type Timings } from './db-workload';

const WARM_UP_CALLS = 10;

const list = <T extends z.ZodTypeAny>(item: T) =>
  z.string().transform((s, ctx) => {
    const parsed = z.array(item).safeParse(s.split(',').filter(Boolean));
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.message });
      return z.NEVER;
    }
    return parsed.data as z.infer<T>[];
  });

const Options = z.object({
  calls: z.coerce.number().int().positive().default(100),
  concurrency: list(z.coerce.number().int().positive()).default([1, 16]),
  variants: list(z.enum(VARIANTS)).default(['sqlite', 'pg']),
  history: z.coerce.number().int().nonnegative().default(2000),
  'work-orders': z.coerce.number().int().nonnegative().default(300),
});
type Options = z.infer<typeof Options>;

interface RunResult {
  variant: Variant;
  concurrency: number;
  calls: number;
  wallSeconds: number;
  opsPerSecond: number;
  callsPerSecond: number;
  dbCpuMsPerCall: number;
  dropped: number;
  ops: Record<string, { n: number; p50: number; p99: number; max: number }>;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** `calls` calls through `concurrency` workers, each call's operations in order. */
async function drive(oneCall: (t: Timings, i: number) => Promise<void>, calls: number, concurrency: number, t: Timings, first: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) await oneCall(t, first + next++);
    }),
  );
}

async function benchVariant(variant: Variant, opts: Options): Promise<RunResult[]> {
  const t0 = performance.now();
  const db = await DbInstance.start(variant);
  const conn = mongoose.createConnection(db.mongoUrl, { serverSelectionTimeoutMS: 5000, retryWrites: false });
  try {
    await conn.asPromise();
    const models = createModels(conn);
    await syncIndexes(models);
    const people = await seedBenchData(models, { historyCalls: opts.history, workOrders: opts['work-orders'] });
    process.stderr.write(`[bench-db] ${variant}: started and seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const drops: DropCounter = { dropped: 0 };
    const oneCall = callWorkload(models, people, drops);
    await drive(oneCall, WARM_UP_CALLS, 1, emptyTimings(), 0);
    const results: RunResult[] = [];
    let first = WARM_UP_CALLS;
    for (const concurrency of opts.concurrency) {
      const t = emptyTimings();
      drops.dropped = 0;
      const cpu0 = db.cpuSeconds();
      const w0 = performance.now();
      await drive(oneCall, opts.calls, concurrency, t, first);
      const wallSeconds = (performance.now() - w0) / 1000;
      const cpu = db.cpuSeconds() - cpu0;
      first += opts.calls;
      const ops = OP_KINDS.filter((k) => k !== 'pop.total').reduce((n, k) => n + t[k].length, 0);
      results.push({
        variant,
        concurrency,
        calls: opts.calls,
        wallSeconds,
        opsPerSecond: ops / wallSeconds,
        callsPerSecond: opts.calls / wallSeconds,
        dbCpuMsPerCall: (cpu * 1000) / opts.calls,
        dropped: drops.dropped,
        ops: Object.fromEntries(OP_KINDS.map((k) => [k, { n: t[k].length, p50: pct(t[k], 50), p99: pct(t[k], 99), max: Math.max(...t[k]) }])),
      });
      process.stderr.write(`[bench-db] ${variant} c=${concurrency}: ${(opts.calls / wallSeconds).toFixed(1)} calls/s\n`);
    }
    // Every write must have landed: a benchmark of dropped writes would flatter the backend.
    const ended = await models.Call.countDocuments({ node: 'bench', state: 'ended', outcome: 'answered' });
    const recordings = await models.Recording.countDocuments({ state: 'done' });
    const expected = WARM_UP_CALLS + opts.calls * opts.concurrency.length;
    if (ended !== expected || recordings !== expected) throw new Error(`${variant}: ${ended} ended calls and ${recordings} recordings stored, ${expected} expected`);
    return results;
  } finally {
    await conn.close().catch(() => undefined);
    await db.stop();
  }
}

function report(results: RunResult[], opts: Options): string {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const cell = (s: string) => s.padStart(17);
  const lines = [
    `FerretDB 1.24.2 backends: ${opts.calls} calls per run (1 Call upsert + 5 $set + 1 Recording upsert + 4 pop reads each), ` +
      `${opts.history} past calls, ${opts['work-orders']} work orders; latencies in ms (p50 / p99)`,
  ];
  for (const c of opts.concurrency) {
    const row = opts.variants.map((v) => results.find((r) => r.variant === v && r.concurrency === c)!);
    lines.push('', `concurrency ${c}`.padEnd(20) + row.map((r) => cell(r.variant)).join(''));
    lines.push('ops/s'.padEnd(20) + row.map((r) => cell(f(r.opsPerSecond, 0))).join(''));
    lines.push('calls/s'.padEnd(20) + row.map((r) => cell(f(r.callsPerSecond))).join(''));
    lines.push('DB CPU ms/call'.padEnd(20) + row.map((r) => cell(f(r.dbCpuMsPerCall))).join(''));
    for (const k of OP_KINDS) lines.push(k.padEnd(20) + row.map((r) => cell(`${f(r.ops[k]!.p50)} / ${f(r.ops[k]!.p99)}`)).join(''));
    if (row.some((r) => r.dropped)) lines.push('dropped writes'.padEnd(20) + row.map((r) => cell(String(r.dropped))).join(''));
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { calls: { type: 'string' }, concurrency: { type: 'string' }, variants: { type: 'string' }, history: { type: 'string' }, 'work-orders': { type: 'string' } },
  });
  const opts = Options.parse(values);
  const results: RunResult[] = [];
  // One at a time: on 2 cores two databases at once would measure each other.
  for (const v of opts.variants) results.push(...(await benchVariant(v, opts)));
  console.log(report(results, opts));
  const dir = join(__dirname, '..', '..', 'var', 'bench-db');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `result-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ opts, results }, null, 2));
  console.log(`\n(written to ${file})`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

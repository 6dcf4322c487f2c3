import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MAX_AGENTS } from './users';

export const USAGE = `npm run bench -- [--quick | --soak] [options]
  (default)  full run: 1,000 agent consoles, 50 boards, 20 calls/s for 60 s, then the throughput steps
  --quick    under 2 minutes: 200 agents, 10 boards, 20 calls/s for 15 s, short steps
  --soak     100,000 calls at --rate (RSS at start, middle and end); --calls changes the number
options:
  --agents N        agent consoles (and phones)         --boards M       supervisor boards
  --rate R          calls/s of the main phase           --duration S     main phase length (s)
  --nodes K         CTI processes (1-4, default 2)      --db sqlite|pg   FerretDB backend (default: the services')
  --answer-ms MS    phone answers after this ring time  --talk-ms MS     talk time per call
  --acw-ms MS       after-call work (AFTER_CALL_WORK_MS) --prompt-ms MS  length of every prompt
  --alarm-calls N   calls whose first phone never answers (20 s alarm), placed during the main phase
  --steps 10,20,…   throughput steps (calls/s)          --step-s S       length of each step (s)
  --calls N         soak: number of calls               --cpu-prof       CTI processes run with --cpu-prof
  --keep            keep var/bench/run-*/ (services' data, logs, traces) after the run`;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const optionsSchema = z.object({
  mode: z.enum(['full', 'quick', 'soak']),
  agents: int(1, MAX_AGENTS),
  boards: int(0, 1000),
  rate: z.coerce.number().positive().max(1000),
  duration: z.coerce.number().positive().max(24 * 3600),
  nodes: int(1, 4),
  db: z.enum(['sqlite', 'pg']),
  answerMs: int(0, 15_000),
  talkMs: int(0, 600_000),
  acwMs: int(1, 600_000),
  promptMs: int(0, 10_000),
  alarmCalls: int(0, 1000),
  steps: z.array(z.coerce.number().positive().max(1000)),
  stepS: z.coerce.number().positive().max(3600),
  calls: int(1, 10_000_000),
  cpuProf: z.boolean(),
  keep: z.boolean(),
});
export type BenchOptions = z.infer<typeof optionsSchema>;

const DEFAULTS: Record<BenchOptions['mode'], Omit<BenchOptions, 'mode' | 'db' | 'nodes' | 'cpuProf' | 'keep'>> = {
  full: { agents: 1000, boards: 50, rate: 20, duration: 60, answerMs: 500, talkMs: 2000, acwMs: 1000, promptMs: 300, alarmCalls: 20, steps: [10, 20, 30, 40, 50, 60, 80], stepS: 15, calls: 0 },
  // Short talk and wrap-up: 200 agents must carry the top step (agents busy ≈ answer + 报工号 + talk + wrap-up).
  quick: { agents: 200, boards: 10, rate: 20, duration: 15, answerMs: 300, talkMs: 500, acwMs: 300, promptMs: 100, alarmCalls: 20, steps: [10, 20, 30, 40, 50, 60, 80], stepS: 4, calls: 0 },
  soak: { agents: 1000, boards: 50, rate: 20, duration: 0, answerMs: 500, talkMs: 2000, acwMs: 1000, promptMs: 300, alarmCalls: 0, steps: [], stepS: 0, calls: 100_000 },
};

/** Command-line options over the mode's defaults; a bad value stops the run naming every problem. */
export function parseOptions(argv: string[], defaultDb: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      soak: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      agents: { type: 'string' },
      boards: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      nodes: { type: 'string' },
      db: { type: 'string' },
      'answer-ms': { type: 'string' },
      'talk-ms': { type: 'string' },
      'acw-ms': { type: 'string' },
      'prompt-ms': { type: 'string' },
      'alarm-calls': { type: 'string' },
      steps: { type: 'string' },
      'step-s': { type: 'string' },
      calls: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.quick && values.soak) throw new Error('--quick and --soak exclude each other');
  const mode = values.soak ? 'soak' : values.quick ? 'quick' : 'full';
  const d = DEFAULTS[mode];
  const given = <T>(v: string | undefined, def: T): string | T => (v === undefined ? def : v);
  const parsed = optionsSchema.safeParse({
    mode,
    agents: given(values.agents, d.agents),
    boards: given(values.boards, d.boards),
    rate: given(values.rate, d.rate),
    duration: given(values.duration, d.duration || 1),
    nodes: given(values.nodes, 2),
    db: given(values.db, defaultDb),
    answerMs: given(values['answer-ms'], d.answerMs),
    talkMs: given(values['talk-ms'], d.talkMs),
    acwMs: given(values['acw-ms'], d.acwMs),
    promptMs: given(values['prompt-ms'], d.promptMs),
    alarmCalls: given(values['alarm-calls'], d.alarmCalls),
    steps: values.steps === undefined ? d.steps : values.steps.split(',').filter(Boolean),
    stepS: given(values['step-s'], d.stepS || 1),
    calls: given(values.calls, d.calls || 1),
    cpuProf: values['cpu-prof'],
    keep: values.keep,
  });
  if (!parsed.success) throw new Error(`bad options:\n${parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return parsed.data;
}

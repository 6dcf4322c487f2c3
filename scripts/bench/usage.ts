import { readFileSync, readdirSync } from 'node:fs';
import pidusage from 'pidusage';
import { now } from './stats';

/** A process and its descendants (PostgreSQL serves each connection from a child process). */
function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        out.push(...readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return out;
}

/**
 * Proportional set size (Linux): resident memory with each shared page divided among the
 * processes sharing it, so a process tree's sum does not count PostgreSQL's shared buffers once
 * per backend. null off Linux.
 */
function pss(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The kernel's peak resident set (VmHWM) of a live process, in bytes; null off Linux. */
function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface UsageMark {
  t: number;
  /** CPU time used so far (user + system), ms, per watched name. */
  cpuMs: Record<string, number>;
}

/**
 * CPU time and memory of the bench's processes, sampled each second with pidusage. CPU over a
 * phase is the difference of two marks (% of one core); peak RSS is the kernel's own high-water
 * mark where /proc has it, else the largest sample.
 */
export class UsageSampler {
  private readonly rssPeak = new Map<string, number>();
  private readonly rssLast = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly watched: Record<string, { pid: number; tree?: boolean }>) {}

  start(everyMs = 1000): void {
    this.timer = setInterval(() => void this.sample().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  private async sample(): Promise<Record<string, number>> {
    const cpu: Record<string, number> = {};
    for (const [name, w] of Object.entries(this.watched)) {
      const pids = w.tree ? tree(w.pid) : [w.pid];
      // One pid at a time: a process that ended meanwhile must not void the others' figures.
      const stats = await Promise.all(pids.map((pid) => pidusage(pid).catch(() => undefined)));
      let total = 0;
      let rss = 0;
      // A tree counts its live processes only: FerretDB keeps its PostgreSQL connections (and so
      // their backend processes) open, so little CPU leaves with an ended one.
      stats.forEach((s, i) => {
        if (!s) return;
        total += s.ctime;
        rss += (w.tree ? pss(pids[i]!) : null) ?? s.memory;
      });
      cpu[name] = total;
      if (rss > 0) {
        this.rssLast.set(name, rss);
        this.rssPeak.set(name, Math.max(this.rssPeak.get(name) ?? 0, rss));
      }
    }
    return cpu;
  }

  async mark(): Promise<UsageMark> {
    return { t: now(), cpuMs: await this.sample() };
  }

  /** % of one core between two marks, per name. */
  static cpuPercent(a: UsageMark, b: UsageMark): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of Object.keys(b.cpuMs)) out[name] = (100 * ((b.cpuMs[name] ?? 0) - (a.cpuMs[name] ?? 0))) / (b.t - a.t);
    return out;
  }

  /** Resident set now (last sample), bytes. */
  rss(name: string): number | null {
    return this.rssLast.get(name) ?? null;
  }

  /** Peak resident set so far, bytes: VmHWM for a single live process, else the largest sample (a tree: of its summed PSS). */
  peak(name: string): number | null {
    const w = this.watched[name];
    const hwm = w && !w.tree ? peakRss(w.pid) : null;
    return hwm ?? this.rssPeak.get(name) ?? null;
  }

  stop(): void {
    clearInterval(this.timer);
    pidusage.clear();
  }
}

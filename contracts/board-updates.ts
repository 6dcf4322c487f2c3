import type { AgentDayRow, BoardAgent, BoardSnapshot, BoardUpdate, KeyedChanges } from './board';

/**
 * The board's refreshes as differences, on both ends: the server sends each refresh's per-agent
 * lists as what changed since the one before (a floor of a thousand agents changes a few rows a
 * second), every console applies them. Free of zod, so the browser bundles it.
 */

const byWorkNumber = (r: { workNumber: string }) => r.workNumber;

/**
 * Rows are flat records (their values primitives or lists of primitives), built afresh each
 * refresh: compared field by field. Their JSON was compared before, two serialisations per row
 * per refresh (a thousand agents' rows, on every process, every second).
 */
function sameRow(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const k of keys) {
    const u = x[k];
    const v = y[k];
    if (u === v) continue;
    if (!Array.isArray(u) || !Array.isArray(v) || u.length !== v.length || u.some((e, i) => e !== v[i])) return false;
  }
  return true;
}

function keyedChanges<T extends { workNumber: string }>(before: readonly T[], after: readonly T[]): KeyedChanges<T> {
  const old = new Map(before.map((r) => [byWorkNumber(r), r]));
  const changed = after.filter((r) => {
    const was = old.get(r.workNumber);
    return !was || !sameRow(was, r);
  });
  const now = new Set(after.map(byWorkNumber));
  const removed = [...old.keys()].filter((k) => !now.has(k));
  return { changed, removed };
}

/** The board's agents: by work number (code-unit order, as the ACD store lists them). */
export const agentOrder = (a: { workNumber: string }, b: { workNumber: string }): number => (a.workNumber < b.workNumber ? -1 : a.workNumber > b.workNumber ? 1 : 0);
/** The day's per-agent table: most answered first. */
export const agentDayOrder = (a: Omit<AgentDayRow, 'name'>, b: Omit<AgentDayRow, 'name'>): number => b.answered - a.answered || a.workNumber.localeCompare(b.workNumber);

function applyKeyed<T extends { workNumber: string }>(rows: readonly T[], c: KeyedChanges<T>, order: (a: T, b: T) => number): T[] {
  const out = new Map(rows.map((r) => [r.workNumber, r]));
  for (const k of c.removed) out.delete(k);
  for (const r of c.changed) out.set(r.workNumber, r);
  // The server's order is kept, so a console shows the same list as a fresh snapshot would.
  return [...out.values()].sort(order);
}

/** `next` as an update to a console that holds `prev` (the refresh just before it). */
export function boardUpdate(prev: BoardSnapshot, next: BoardSnapshot): BoardUpdate {
  return { ...next, agents: keyedChanges<BoardAgent>(prev.agents, next.agents), byAgent: keyedChanges<AgentDayRow>(prev.byAgent, next.byAgent) };
}

/**
 * The board after update `u`; 'gap' when `u` does not follow `board` (a refresh was missed: ask
 * for the whole board again), 'stale' when `board` is already at or past it.
 */
export function applyBoardUpdate(board: BoardSnapshot, u: BoardUpdate): BoardSnapshot | 'gap' | 'stale' {
  if (u.seq <= board.seq) return 'stale';
  if (u.seq !== board.seq + 1) return 'gap';
  return { ...u, agents: applyKeyed(board.agents, u.agents, agentOrder), byAgent: applyKeyed(board.byAgent, u.byAgent, agentDayOrder) };
}

/**
 * Child process of `npm run bench`: M supervisor boards (socket.io-client, namespace /supervisor),
 * in a process of their own because each board (its snapshot, then updates carrying the per-agent
 * lists' changes) must be parsed and applied, as a browser would, without delaying the agents'
 * pops. It keeps, per board, when each update arrived, when the server computed it (`serverNow`)
 * and which calls it shows.
 */
import { CLIENT_OPTIONS, connected } from './socket-connect';
import { io, type Socket } from 'socket.io-client';
import type { BoardSnapshot, SupervisorClientToServer, SupervisorServerToClient } from '../../contracts';
import { applyBoardUpdate } from '../../contracts/board-updates';
import type { BoardStats, BoardsApi, ConsoleLogin } from './api';
import { pool } from './pool';
import { serve } from './rpc';
import { now } from './stats';

type BoardSocket = Socket<SupervisorServerToClient, SupervisorClientToServer>;

interface Seen {
  recvT: number;
  serverNow: number;
  calls: Set<string>;
}

const boards: Array<{ socket: BoardSocket; seen: Seen[] }> = [];
/** The latest board received (any process): what the bench prints after a phase to say how the ACD stands. */
let latest: { recvT: number; board: BoardSnapshot } | null = null;

function callsShown(b: BoardSnapshot): Set<string> {
  const ids = new Set<string>();
  for (const a of b.agents) if (a.callId) ids.add(a.callId);
  for (const c of b.inProgress) ids.add(c.callId);
  for (const c of b.queue) ids.add(c.callId);
  for (const c of b.recentCalls) ids.add(c.callId);
  return ids;
}

function connectOne(login: ConsoleLogin): Promise<BoardSocket> {
  const socket: BoardSocket = io(`${login.url}/supervisor`, { ...CLIENT_OPTIONS, auth: { token: login.token } });
  const board = { socket, seen: [] as Seen[] };
  let held: BoardSnapshot | null = null;
  const show = (b: BoardSnapshot) => {
    const recvT = now();
    held = b;
    board.seen.push({ recvT, serverNow: b.serverNow, calls: callsShown(b) });
    if (!latest || b.serverNow >= latest.board.serverNow) latest = { recvT, board: b };
  };
  socket.on('board:snapshot', show);
  socket.on('board:update', (u) => {
    if (!held) return;
    const next = applyBoardUpdate(held, u);
    if (next === 'stale') return;
    if (next === 'gap') {
      // Not expected on one connection (updates leave in order), but handled as a console does.
      held = null;
      socket.emit('board:resync', (res) => {
        if (res.ok) show(res.data);
      });
      return;
    }
    show(next);
  });
  return connected(socket, `${login.url}/supervisor`).then((s) => {
    boards.push(board);
    return s;
  });
}

async function connect(p: { logins: ConsoleLogin[]; concurrency: number }): Promise<{ connected: number; ms: number }> {
  const t0 = now();
  await pool(p.logins, p.concurrency, async (login) => {
    await connectOne(login);
  });
  return { connected: boards.length, ms: now() - t0 };
}

/** First index whose recvT ≥ t (updates are kept in arrival order). */
function firstAfter(seen: Seen[], t: number): number {
  let lo = 0;
  let hi = seen.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (seen[mid]!.recvT < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function take(p: { rings: Array<[string, number]> }): Promise<BoardStats> {
  const l = latest;
  const out: BoardStats = {
    latencies: [],
    missing: 0,
    notShown: 0,
    snapshots: 0,
    latest: l
      ? {
          ageMs: now() - l.recvT,
          agentCounts: l.board.agentCounts,
          waiting: l.board.waiting.yue.count + l.board.waiting.cmn.count,
          inProgress: l.board.inProgress.length,
        }
      : null,
  };
  for (const b of boards) {
    out.snapshots += b.seen.length;
    for (const [callId, t] of p.rings) {
      // The update that reflects the ring is the first one the server computed after it (serverNow
      // is its Date.now(), so compared at whole milliseconds).
      let hit: Seen | undefined;
      for (let i = firstAfter(b.seen, t); i < b.seen.length; i++) {
        const s = b.seen[i]!;
        if (s.serverNow >= Math.floor(t)) {
          hit = s;
          break;
        }
      }
      if (!hit) {
        out.missing++;
        continue;
      }
      out.latencies.push(hit.recvT - t);
      if (!hit.calls.has(callId)) out.notShown++;
    }
    b.seen = [];
  }
  return out;
}

serve<BoardsApi>({ connect, take }, async () => {
  for (const b of boards.splice(0)) b.socket.close();
});

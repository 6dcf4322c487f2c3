import type { Summary } from './stats';

/**
 * What the bench asks of each child process, and what comes back (scripts/bench/rpc.ts carries
 * it). Times are wall-clock ms with sub-millisecond resolution (stats.ts `now()`), comparable
 * across the processes of one machine.
 */

export interface SimInit {
  /** One simulated desk phone per agent, same numbers as the agents' extensions. */
  extensions: string[];
  /** A phone answers this long after it starts ringing. */
  answerMs: number;
  /** Every prompt the CTI plays lasts this long (greeting, menu, 报工号). */
  promptMs: number;
}

export interface RunSpec {
  label: string;
  /** Calls per second, spread evenly. */
  rate: number;
  calls: number;
  /** Talk time once the caller is bridged with the agent. */
  talkMs: number;
  /** The caller presses 1 or 2 this long after the CTI answers (barge-in). */
  dtmfMs: number;
  /** Callers (placed among the others, one every `alarmEveryMs`) whose first agent phone never answers. */
  alarmCalls: number;
  alarmEveryMs: number;
  /** After the last call is placed, how long the calls may take to end before the rest count as lost. */
  drainMs: number;
  /**
   * The CTI's answer alarm time: a call left ringing may take this long after its first ring,
   * plus `drainMs`, however late it rang.
   */
  ringOutMs: number;
  /** Share of calls from the seeded customers' numbers (the rest are new numbers). */
  knownCallerShare: number;
}

/** One agent phone (extension) starting to ring: its channel id is `${callId}-${attempt}` (cti/calls/offer.ts). */
export type Ring = [leg: string, t: number, extension: string];

export interface RunResult {
  label: string;
  placed: number;
  /** Calls whose caller was bridged with an agent: answered. */
  bridged: number;
  lost: number;
  lostReasons: Record<string, number>;
  /** A few lost callers: channel id, channel state, what they heard last (MOH: still queued). */
  lostSample: Array<{ caller: string; state: string; lastHeard: string }>;
  rings: Ring[];
  /** Agent legs (attempt 1) of the calls whose phone was left ringing for the answer alarm. */
  alarmLegs: string[];
  startT: number;
  placedUntilT: number;
  endT: number;
  maxActive: number;
}

export type SimApi = {
  init: { params: SimInit; result: { ariUrl: string; amiPort: number } };
  run: { params: RunSpec; result: RunResult };
};

export interface ConsoleLogin {
  workNumber: string;
  token: string;
  /** The CTI process this console connects to. */
  url: string;
}

/** A `pop:show` received: `${callId}-${attempt}` and when. */
export type PopSeen = [leg: string, t: number];

export type AgentsApi = {
  /** Connects every agent console, then sets each Ready (agent:set-state). */
  connect: {
    params: { logins: ConsoleLogin[]; concurrency: number };
    /** connectMs: handshake (token check, the agent's profile loaded) → connected; readyMs: agent:set-state ready → its ack. */
    result: { connected: number; ready: number; ms: number; connectMs: Summary; readyMs: Summary };
  };
  /** Pops received since the last take. */
  takePops: { params: Record<string, never>; result: { pops: PopSeen[]; reReady: number; disconnects: number } };
  /** Baseline: as many plain Socket.IO clients on the baseline server, in rooms r0…r(n-1). */
  baselineConnect: { params: { url: string; clients: number; concurrency: number }; result: { connected: number } };
  baselineTake: { params: Record<string, never>; result: { latencies: number[] } };
  baselineClose: { params: Record<string, never>; result: null };
};

export interface BoardStats {
  latencies: number[];
  /** (call, board) pairs where no board update computed after the ring arrived. */
  missing: number;
  /** Of the updates measured, how many did not show the call at all (it had already ended and scrolled off). */
  notShown: number;
  snapshots: number;
  /** The newest board any of them received: agents per state, callers waiting, calls in progress. */
  latest: { ageMs: number; agentCounts: Record<string, number>; waiting: number; inProgress: number } | null;
}

export type BoardsApi = {
  connect: { params: { logins: ConsoleLogin[]; concurrency: number }; result: { connected: number; ms: number } };
  /** Latency of the first board update computed after each ring (callId, ring start), then forgets what it saw. */
  take: { params: { rings: Array<[callId: string, t: number]> }; result: BoardStats };
};

export type BaselineApi = {
  start: { params: { port: number }; result: { url: string } };
  /** Emits timestamped pop-sized messages to random rooms r0…r(rooms-1), `rate` per second. */
  emit: { params: { rooms: number; rate: number; count: number; payloadBytes: number }; result: { sent: number } };
};

export type FloorApi = {
  /** Starts sampling: every `everyMs`, a timer's lateness, then one Redis PING's round trip. */
  start: { params: { redisUrl: string; everyMs: number }; result: null };
  /** Once at least `atLeast` PINGs have come back: the samples since start (ms); sampling stops. */
  take: { params: { atLeast: number }; result: { timerLag: number[]; redisRtt: number[] } };
};

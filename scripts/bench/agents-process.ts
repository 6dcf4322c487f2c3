/**
 * Child process of `npm run bench`: N agent consoles as the browser page runs them (socket.io-client,
 * namespace /agent, WebSocket transport, token in the handshake), each made Ready and kept Ready
 * like a diligent agent; it stamps every `pop:show` on arrival. Also the baseline's clients: as
 * many plain Socket.IO clients with the same options on the baseline server.
 */
import { CLIENT_OPTIONS, connected } from './socket-connect';
import { io, type Socket } from 'socket.io-client';
import type { Ack, AgentClientToServer, AgentServerToClient, AgentStateView } from '../../contracts';
import type { AgentsApi, ConsoleLogin, PopSeen } from './api';
import { pool } from './pool';
import { serve } from './rpc';
import { now, summarize, type Summary } from './stats';

type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;

const clientOptions = CLIENT_OPTIONS;

const agents: AgentSocket[] = [];
let pops: PopSeen[] = [];
let reReady = 0;
let disconnects = 0;

function connectOne(url: string, nsp: string, auth: Record<string, string>): Promise<Socket> {
  return connected(io(`${url}${nsp}`, { ...clientOptions, auth }), `${url}${nsp}`);
}

async function setReady(s: AgentSocket): Promise<boolean> {
  const ack = (await s.timeout(15_000).emitWithAck('agent:set-state', { state: 'ready' })) as Ack<AgentStateView>;
  return ack.ok;
}

async function connect(p: { logins: ConsoleLogin[]; concurrency: number }): Promise<{ connected: number; ready: number; ms: number; connectMs: Summary; readyMs: Summary }> {
  const t0 = now();
  let ready = 0;
  const connectMs: number[] = [];
  const readyMs: number[] = [];
  await pool(p.logins, p.concurrency, async (login) => {
    const c0 = now();
    const s = (await connectOne(login.url, '/agent', { token: login.token })) as AgentSocket;
    connectMs.push(now() - c0);
    // First thing on arrival: the stamp is what the agent would see, before any other work.
    s.on('pop:show', (pop) => pops.push([`${pop.callId}-${pop.attempt}`, now()]));
    // After a ring with no answer the agent is Not Ready (no-answer); a bench agent presses 就绪 again.
    s.on('agent:state', (st) => {
      if (st.state !== 'not_ready') return;
      reReady++;
      setReady(s).catch(() => undefined);
    });
    s.on('disconnect', () => disconnects++);
    agents.push(s);
    const r0 = now();
    if (await setReady(s)) ready++;
    readyMs.push(now() - r0);
  });
  return { connected: agents.length, ready, ms: now() - t0, connectMs: summarize(connectMs), readyMs: summarize(readyMs) };
}

async function takePops(): Promise<{ pops: PopSeen[]; reReady: number; disconnects: number }> {
  const out = pops;
  pops = [];
  return { pops: out, reReady, disconnects };
}

const baseline: Socket[] = [];
let latencies: number[] = [];

async function baselineConnect(p: { url: string; clients: number; concurrency: number }): Promise<{ connected: number }> {
  const rooms = Array.from({ length: p.clients }, (_, i) => `r${i}`);
  await pool(rooms, p.concurrency, async (room) => {
    const s = await connectOne(p.url, '/', { room });
    s.on('m', (m: { t: number }) => latencies.push(now() - m.t));
    baseline.push(s);
  });
  return { connected: baseline.length };
}

async function baselineTake(): Promise<{ latencies: number[] }> {
  const out = latencies;
  latencies = [];
  return { latencies: out };
}

async function baselineClose(): Promise<null> {
  for (const s of baseline.splice(0)) s.close();
  return null;
}

serve<AgentsApi>({ connect, takePops, baselineConnect, baselineTake, baselineClose }, async () => {
  for (const s of agents.splice(0)) s.close();
  await baselineClose();
});

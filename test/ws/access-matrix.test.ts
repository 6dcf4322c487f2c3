import { expect } from 'chai';
import { ROUTE_ACCESS } from '../../api/access-matrix';
import { NAMESPACE_COMMANDS, NAMESPACE_ROLES, type ConsoleNamespace, type Role } from '../../contracts';
import { ConsoleNode, PASSWORD } from '../helpers/console-node';
import { ConsoleClient, login, refusal } from '../helpers/consoles';

/** Who the matrix is tried as: nobody, and a seeded user of every kind (two departments, dispatch among them). */
const PERSONAS: ReadonlyArray<{ who: string; workNumber: string | null; role: Role | null }> = [
  { who: 'anonymous', workNumber: null, role: null },
  { who: 'agent', workNumber: '1001', role: 'agent' },
  { who: 'supervisor', workNumber: '2001', role: 'supervisor' },
  { who: 'admin', workNumber: '9001', role: 'admin' },
  { who: '营业部 user', workNumber: '3101', role: 'department' },
  { who: '生产部 user', workNumber: '3201', role: 'department' },
  { who: 'dispatch user', workNumber: '3601', role: 'department' },
];

/** A value for each path parameter the routes use: well formed, naming nothing that exists. */
const SAMPLE: Record<string, string> = { number: 'WO20990101-0001', id: 'no-such-id', month: '2026-10', name: 'call-no-such-recording', step: 'publish' };
const fill = (path: string) => path.replace(/:(\w+)/g, (_m, p: string) => SAMPLE[p] ?? 'x');

/** Present only on a process with telephony (this test's node has none). */
const TELEPHONY_ONLY = new Set(['POST /api/admin/self-check']);

/**
 * The role × route matrix (api/access-matrix.ts), tried persona by persona on every REST route and
 * every console namespace: refused exactly where the table says, before anything is read or
 * written (the database is compared before and after), let past the gate where it says so.
 */
describe('access matrix: every route and namespace × every kind of user, from the one table', function () {
  this.timeout(60_000);
  let n: ConsoleNode;
  const tokens = new Map<string, string>();

  before(async () => {
    n = await ConsoleNode.start();
    for (const p of PERSONAS) if (p.workNumber) tokens.set(p.who, await n.token(p.workNumber));
  });
  after(async () => n?.stop());

  /** Routes that end the session they are called with: tried with a token of its own, so the others stay valid. */
  const SELF_ENDING = new Set(['POST /api/logout']);

  const call = async (key: string, who: string): Promise<number> => {
    const [method, path] = key.split(' ') as [string, string];
    const p = PERSONAS.find((x) => x.who === who);
    const token = SELF_ENDING.has(key) && p?.workNumber ? (await login(n.url, p.workNumber, PASSWORD)).token : tokens.get(who);
    const res = await fetch(`${n.url}${fill(path)}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(method === 'GET' ? {} : { body: '{}' }),
    });
    await res.arrayBuffer();
    return res.status;
  };

  /** Every collection's document count: what a refused request must leave as it was. */
  const counts = async () => Object.fromEntries(await Promise.all(Object.entries(n.node.models).map(async ([k, m]) => [k, await m.estimatedDocumentCount()] as const)));

  it('every mounted route has its row, and every row its route', async () => {
    const doc = (await (await fetch(`${n.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-roles'?: string[] }>> };
    const mounted = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(mounted.filter((k) => !ROUTE_ACCESS[k])).to.deep.equal([]);
    expect(Object.keys(ROUTE_ACCESS).filter((k) => !mounted.includes(k) && !TELEPHONY_ONLY.has(k))).to.deep.equal([]);
    expect(mounted.length).to.be.at.least(45);
  });

  it('refuses everyone the table does not name: 401 without a token, 403 with another role; nothing written', async () => {
    const before = await counts();
    const table: string[] = [];
    let tried = 0;
    for (const [key, access] of Object.entries(ROUTE_ACCESS)) {
      if (!('roles' in access) || TELEPHONY_ONLY.has(key)) continue;
      for (const p of PERSONAS) {
        const allowed = p.role !== null && (access.roles.length === 0 || access.roles.includes(p.role));
        if (allowed) continue;
        const status = await call(key, p.who);
        tried++;
        const expected = p.role === null ? 401 : 403;
        if (status !== expected) table.push(`${key} as ${p.who}: ${status}, expected ${expected}`);
      }
    }
    expect(table).to.deep.equal([]);
    expect(tried).to.be.at.least(130);
    expect(await counts()).to.deep.equal(before);
  });

  it('lets past the gate everyone the table names (a route with no narrower rule answers them with neither 401 nor 403)', async () => {
    const wrong: string[] = [];
    for (const [key, access] of Object.entries(ROUTE_ACCESS)) {
      if (!('roles' in access) || TELEPHONY_ONLY.has(key)) continue;
      for (const p of PERSONAS) {
        if (p.role === null || !(access.roles.length === 0 || access.roles.includes(p.role))) continue;
        const status = await call(key, p.who);
        if (status === 401 || (status === 403 && !access.narrowed) || status >= 500) wrong.push(`${key} as ${p.who}: ${status}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('console namespaces: each admits exactly the roles of NAMESPACE_ROLES, and nobody without a token', async () => {
    const wrong: string[] = [];
    for (const [nsp, roles] of Object.entries(NAMESPACE_ROLES) as Array<[ConsoleNamespace, readonly Role[]]>) {
      for (const p of PERSONAS) {
        const c = new ConsoleClient(n.url, nsp, tokens.get(p.who));
        const allowed = p.role !== null && roles.includes(p.role);
        if (allowed) {
          await c.connect().catch((e: Error) => wrong.push(`${nsp} as ${p.who}: refused (${e.message})`));
          c.close();
        } else {
          const r = await refusal(c).catch(() => null);
          const expected = p.role === null ? 'unauthorized' : 'forbidden';
          if (r?.code !== expected) wrong.push(`${nsp} as ${p.who}: ${r ? r.code : 'accepted'}, expected ${expected}`);
        }
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('console commands: each namespace answers exactly its row of NAMESPACE_COMMANDS and drops the others unanswered', async () => {
    const all = [...new Set(Object.values(NAMESPACE_COMMANDS).flat())];
    const user: Record<ConsoleNamespace, string> = { '/agent': 'agent', '/supervisor': 'supervisor', '/admin': 'admin', '/department': '营业部 user' };
    const wrong: string[] = [];
    for (const [nsp, commands] of Object.entries(NAMESPACE_COMMANDS) as Array<[ConsoleNamespace, readonly string[]]>) {
      // A socket per namespace; 20 commands at most at once (the console's bucket).
      const c = new ConsoleClient(n.url, nsp, tokens.get(user[nsp]));
      await c.connect();
      for (const cmd of commands) {
        // A payload no command takes (the resyncs take none): the answer is an ack, never silence.
        const args = cmd.endsWith(':resync') ? [] : [{ matrix: 'probe' }];
        const ack = (await c.command<unknown>(cmd, ...args).catch(() => null)) as { ok: boolean } | null;
        if (!ack) wrong.push(`${nsp} ${cmd}: no answer`);
      }
      for (const cmd of all.filter((x) => !(commands as readonly string[]).includes(x))) {
        // Another namespace's command: dropped. Packets of one socket are handled in order, so once a
        // known command sent after it is answered, an answer to it would already have come.
        let answered = false;
        c.raw.emit(cmd, {}, () => (answered = true));
        await c.command<unknown>(commands.find((x) => x.endsWith(':resync'))!).catch(() => null);
        if (answered) wrong.push(`${nsp} ${cmd}: answered, but it is not in the row`);
      }
      c.close();
    }
    expect(wrong).to.deep.equal([]);
  });
});

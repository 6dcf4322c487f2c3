import { request } from 'node:http';
import { expect } from 'chai';
import { ROUTE_ACCESS } from '../../api/access-matrix';
import type { ConsoleNamespace, Role } from '../../contracts';
import { ConsoleNode } from '../helpers/console-node';
import { ConsoleClient } from '../helpers/consoles';

/** The users a route is fuzzed as: the first of these its row lets past the gate. */
const USERS: ReadonlyArray<{ workNumber: string; role: Role }> = [
  { workNumber: '2001', role: 'supervisor' },
  { workNumber: '9001', role: 'admin' },
  { workNumber: '1001', role: 'agent' },
  { workNumber: '3101', role: 'department' },
];

const deep = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

/** Values nobody's form sends: wrong types, sizes far past any limit, operators, prototype keys, control and markup text. */
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  1e308,
  '',
  'x'.repeat(20_000),
  Array.from({ length: 5_000 }, (_, i) => i),
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000) || true' },
  { $regex: '.*' },
  { __proto__: { admin: true } },
  { constructor: { prototype: { admin: true } } },
  deep(200),
  'a\u0000b',
  '\u001b[31m红\u001b[0m',
  '\u202Egnp.exe',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}',
  '../../../../etc/passwd',
];

/** Whole bodies that are not an object of fields at all. */
const HOSTILE_BODIES: Array<string | Buffer> = [
  '[]',
  '"a string"',
  '12',
  'null',
  '{"__proto__": {"role": "admin"}}',
  '{"constructor": {"prototype": {"role": "admin"}}}',
  JSON.stringify(deep(3_000)),
  '{"a":',
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  JSON.stringify({ $where: '1' }),
];

interface Answer {
  status: number;
}

function send(url: string, method: string, path: string, token: string, body?: string | Buffer): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const SAMPLE: Record<string, string> = { number: 'WO20990101-0001', id: 'no-such-id', month: '2026-10', name: 'call-no-such-recording', step: 'publish' };
const fill = (path: string) => path.replace(/:(\w+)/g, (_m, p: string) => SAMPLE[p] ?? 'x');

/**
 * A thousand and more hostile inputs (REST bodies, query strings, socket commands) against a CTI
 * process: each answered 4xx or an error ack, never 5xx; the process keeps answering; its memory
 * stays bounded; nothing is written (every collection counted before and after).
 */
describe('hostile input: over 1,000 malformed REST bodies, queries and socket commands', function () {
  this.timeout(180_000);
  let n: ConsoleNode;
  const tokens = new Map<string, string>();

  before(async () => {
    n = await ConsoleNode.start();
    for (const u of USERS) tokens.set(u.workNumber, await n.token(u.workNumber));
  });
  after(async () => n?.stop());

  const counts = async () => Object.fromEntries(await Promise.all(Object.entries(n.node.models).map(async ([k, m]) => [k, await m.estimatedDocumentCount()] as const)));

  it('answers every one 4xx (or an error ack), keeps serving, keeps its memory, writes nothing', async () => {
    const doc = (await (await fetch(`${n.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown>; $ref?: string } } } }; parameters?: Array<{ in: string; name: string }> }>>;
      components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
    };
    const before = await counts();
    const rssBefore = process.memoryUsage().rss;
    const outcomes = new Map<string, number>();
    const bad: string[] = [];
    let sent = 0;
    const note = (what: string, status: number) => {
      sent++;
      const k = `${status}`;
      outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      if (status >= 500 || status < 400) bad.push(`${what}: ${status}`);
    };

    for (const [key, access] of Object.entries(ROUTE_ACCESS)) {
      if (!('roles' in access)) continue;
      const [method, path] = key.split(' ') as [string, string];
      const op = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      if (!op) continue;
      const user = USERS.find((u) => access.roles.length === 0 || access.roles.includes(u.role));
      if (!user) continue;
      const token = tokens.get(user.workNumber)!;
      const url = fill(path);
      const schema = op.requestBody?.content['application/json'].schema;
      if (schema) {
        const ref = schema.$ref?.replace('#/components/schemas/', '');
        const fields = Object.keys((ref ? doc.components?.schemas?.[ref]?.properties : schema.properties) ?? {});
        // Each field alone with each hostile value: the required others missing, so each must be refused.
        for (const f of fields.length ? fields : ['field']) {
          for (const v of HOSTILE_VALUES) note(`${key} ${f}`, (await send(n.url, method, url, token, JSON.stringify({ [f]: v }))).status);
        }
        for (const b of HOSTILE_BODIES) note(`${key} body`, (await send(n.url, method, url, token, b)).status);
      }
      const queryNames = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const q of queryNames) {
        for (const v of ['%00', 'x'.repeat(5_000), '[$gt]=', '%ff%fe', '-1', '1e999', '__proto__']) {
          const status = (await send(n.url, method, `${url}?${q}=${v}&${q}[$ne]=1`, token)).status;
          // A query the route ignores or treats as text may be answered 200 (a search finding nothing): never 5xx.
          if (status >= 500) bad.push(`${key}?${q}=${v}: ${status}`);
          sent++;
          outcomes.set(`${status}`, (outcomes.get(`${status}`) ?? 0) + 1);
        }
      }
    }

    // Socket commands: every command of every namespace with hostile payloads, as a user of that namespace.
    const consoles: Array<[ConsoleNamespace, string, string[]]> = [
      ['/agent', '1001', ['agent:set-state', 'agent:decline', 'demo:answer', 'work-order:create', 'work-order:act', 'no:such-command']],
      ['/supervisor', '2001', ['alarm:ack', 'work-order:act', 'no:such-command']],
      ['/admin', '9001', ['alarm:ack', 'no:such-command']],
      ['/department', '3101', ['order:act', 'no:such-command']],
    ];
    for (const [nsp, wn, commands] of consoles) {
      // A socket per command: a console sends at most 20 commands at once (ws/commands.ts's bucket), and this stays within it.
      for (const cmd of commands) {
        const c = new ConsoleClient(n.url, nsp, tokens.get(wn) ?? (await n.token(wn)));
        await c.connect();
        for (const v of HOSTILE_VALUES) {
          if (cmd === 'no:such-command') {
            // Unknown events are dropped without an answer: sent, and the socket must stay up.
            c.raw.emit(cmd, v);
            sent++;
            outcomes.set('ignored', (outcomes.get('ignored') ?? 0) + 1);
            continue;
          }
          const ack = (await c.command<unknown>(cmd, v).catch(() => ({ ok: false as const, timeout: true }))) as { ok: boolean; timeout?: boolean };
          sent++;
          const k = ack.ok ? 'ack ok' : ack.timeout ? 'no ack' : 'error ack';
          outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
          if (ack.ok || ack.timeout) bad.push(`${nsp} ${cmd}: ${k} for ${JSON.stringify(v)?.slice(0, 40)}`);
        }
        if (!c.socket.connected) bad.push(`${nsp} ${cmd}: socket dropped`);
        c.close();
      }
    }

    // The outcome table, for the README and whoever reads the run.
    console.log(`      fuzz: ${sent} inputs; outcomes ${JSON.stringify(Object.fromEntries([...outcomes.entries()].sort()))}`);
    expect(bad).to.deep.equal([]);
    expect(sent).to.be.at.least(1000);
    // Still serving, and unchanged.
    expect((await fetch(`${n.url}/healthz`)).status).to.equal(200);
    expect(await counts()).to.deep.equal(before);
    expect(process.memoryUsage().rss - rssBefore, 'memory growth').to.be.below(400 * 1024 * 1024);
  });
});

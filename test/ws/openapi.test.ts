import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import type { Express } from 'express';
import { z } from 'zod';
import { alarmIdParams, createWorkOrderSchema, listWorkOrdersQuery, loginRequestSchema, workOrderNumberParams, type ErrorBody } from '../../contracts';
import { ConsoleNode } from '../helpers/console-node';
import { PbxHarness } from '../helpers/pbx-harness';

type Json = Record<string, unknown>;
interface Operation {
  requestBody?: { content: { 'application/json': { schema: Json } } };
  parameters: Array<{ name: string; in: 'path' | 'query'; required: boolean; schema: Json }>;
  'x-roles'?: string[];
  security?: unknown[];
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

interface RouterLayer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}

/** Every route express really serves, read from its router stacks (not from our own route list). */
function mountedRoutes(app: Express): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${layer.route.path === '/' && prefix ? '' : layer.route.path}`;
        for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push({ method: m, path });
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, `${prefix}${typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, '');
  return out;
}

const templated = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const strip = ({ $schema: _s, ...rest }: Json) => rest;

async function fetchDoc(url: string): Promise<OpenApiDoc> {
  const res = await fetch(`${url}/api/openapi.json`);
  expect(res.status).to.equal(200);
  return (await res.json()) as OpenApiDoc;
}

/** Every /api route express serves is in the document, and every documented operation is served. */
function expectSameRoutes(app: Express, doc: OpenApiDoc): void {
  const served = mountedRoutes(app)
    .filter((r) => r.path.startsWith('/api/') && r.path !== '/api/openapi.json')
    .map((r) => `${r.method.toUpperCase()} ${templated(r.path)}`)
    .sort();
  const documented = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  expect(served.length).to.be.greaterThan(5);
  expect(served).to.deep.equal(documented);
}

/** A signed-in user of each role, for routes that check the body after the role. */
const TOKEN_FOR: Record<string, string> = { agent: '1001', supervisor: '2001', admin: '9001', department: '3001' };
const PATH_EXAMPLE: Record<string, string> = { number: 'WO20260101-0001', id: '0123456789abcdef' };
/** Paths whose `{id}` is of another shape. */
const PATH_EXAMPLE_UNDER: Record<string, Record<string, string>> = { '/api/callbacks/': { id: 'WO20260101-0001.complaint' }, '/api/outages/': { number: 'TS20260101-01', step: 'approve' } };
const example = (path: string, k: string): string =>
  Object.entries(PATH_EXAMPLE_UNDER).find(([base]) => path.startsWith(base))?.[1][k] ?? PATH_EXAMPLE[k] ?? k;

describe('REST API described as OpenAPI 3.1 from the validating schemas', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  let doc: OpenApiDoc;

  before(async () => {
    n = await ConsoleNode.start();
    doc = await fetchDoc(n.url);
  });
  after(async () => n?.stop());

  it('is served at /api/openapi.json as a valid OpenAPI 3.1 document with the shared schemas as components', async () => {
    expect(doc.openapi).to.equal('3.1.0');
    const check = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(check.errors ?? [], JSON.stringify(check.errors)).to.deep.equal([]);
    expect(check.valid).to.equal(true);
    expect(doc.components.schemas).to.include.keys('CreateWorkOrder', 'WorkOrder', 'LoginRequest', 'LoginResponse', 'Alarm', 'RecordingLink', 'Error');
  });

  it('lists every mounted /api route, and nothing that is not mounted', () => {
    expectSameRoutes(n.node.app, doc);
  });

  it('documents each body, query and path parameter with exactly the schema the route validates with', () => {
    // A named contract's JSON Schema (zod 4), with nested named contracts referenced as components.
    const contractJson = (schema: z.ZodType, id: string) => {
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json & { $defs?: Record<string, Json> };
      return JSON.parse(JSON.stringify(json.$defs?.[id] ?? strip(json)).replaceAll('#/$defs/', '#/components/schemas/')) as Json;
    };
    expect(doc.paths['/api/work-orders']!.post!.requestBody!.content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/CreateWorkOrder' });
    expect(doc.components.schemas.CreateWorkOrder).to.deep.equal(contractJson(createWorkOrderSchema, 'CreateWorkOrder'));
    expect(doc.paths['/api/login']!.post!.requestBody!.content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/LoginRequest' });
    expect(doc.components.schemas.LoginRequest).to.deep.equal(contractJson(loginRequestSchema, 'LoginRequest'));
    const params = (path: string, method: string) => doc.paths[path]![method]!.parameters;
    const listQuery = z.toJSONSchema(listWorkOrdersQuery, { io: 'input' }) as { properties: Record<string, Json> };
    expect(params('/api/work-orders', 'get').map((p) => [p.name, p.in, p.schema])).to.deep.equal(Object.entries(listQuery.properties).map(([k, s]) => [k, 'query', s]));
    const numberParam = (z.toJSONSchema(workOrderNumberParams, { io: 'input' }) as { properties: Record<string, Json> }).properties.number;
    expect(params('/api/work-orders/{number}', 'get')).to.deep.equal([{ name: 'number', in: 'path', required: true, schema: numberParam }]);
    const alarmParam = (z.toJSONSchema(alarmIdParams, { io: 'input' }) as { properties: Record<string, Json> }).properties.id;
    expect(params('/api/alarms/{id}/ack', 'post')[0]!.schema).to.deep.equal(alarmParam);
  });

  it('refuses a body that breaks the documented schema, naming exactly the documented required fields', async () => {
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const body = op.requestBody?.content['application/json'].schema;
        if (!body) continue;
        const ref = String(body.$ref ?? '');
        const schema = (ref ? doc.components.schemas[ref.split('/').pop()!] : body) as { required?: string[] };
        const role = op['x-roles']?.[0];
        const token = role ? await n.token(TOKEN_FOR[role]!) : undefined;
        // Path parameters get a well-formed example: the body is what is being checked, not the path.
        const res = await fetch(`${n.url}${path.replace(/\{(\w+)\}/g, (_m, k: string) => example(path, k))}`, {
          method: method.toUpperCase(),
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: '{}',
        });
        expect(res.status, `${method} ${path}`).to.equal(400);
        const err = ((await res.json()) as ErrorBody).error;
        expect(err.code, `${method} ${path}`).to.equal('validation');
        const fields = (err.details as Array<{ field: string }>).map((d) => d.field).sort();
        expect(fields, `${method} ${path}`).to.deep.equal([...(schema.required ?? [])].sort());
        checked++;
      }
    }
    // POST /api/login, POST /api/work-orders, and the order's life: resolve, reopen, escalate, hand-over, participants, extensions,
    // decision; a callback's result, a queue callback's result and the inbound SMS webhook; an outage drafted, moved, its bureau approval; a dispatch entry
    expect(checked).to.equal(16);
  });

  it('marks who may call each route: bearer security with the roles, or a public route that says how it checks', () => {
    const ack = doc.paths['/api/alarms/{id}/ack']!.post!;
    expect(ack['x-roles']).to.deep.equal(['supervisor', 'admin']);
    expect(ack.security).to.deep.equal([{ bearer: [] }]);
    const login = doc.paths['/api/login']!.post! as Operation & { description?: string };
    expect(login.security).to.equal(undefined);
    expect(login.description).to.match(/lock/);
  });

  describe('with telephony', () => {
    let h: PbxHarness;
    before(async () => {
      h = await PbxHarness.start();
    });
    after(async () => h?.stop());

    it('the admin self-check route is mounted and documented too', async () => {
      const d = await fetchDoc(h.node.url);
      expect(d.paths['/api/admin/self-check']?.post?.['x-roles']).to.deep.equal(['admin']);
      expectSameRoutes(h.node.app, d);
    });
  });
});

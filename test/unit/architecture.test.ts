import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { folderCycle, folderOf, importEdges, sourceFiles, type ImportEdge } from '../helpers/import-graph';

const ROOT = join(__dirname, '..', '..');

/**
 * Which top-level folders each folder may import (docs/architecture.md explains the layers).
 * Transport (api/, ws/) knows only core/ and contracts/; telephony (cti/) never knows a transport
 * or a console; domain folders sit on top of both; main.ts wires everything.
 */
export const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  models: ['core'],
  contracts: ['models', 'core'],
  events: ['core', 'models'],
  queue: ['core'],
  notify: ['core', 'models', 'queue'],
  api: ['core', 'contracts'],
  ws: ['core', 'contracts'],
  cti: ['core', 'models', 'contracts', 'events', 'queue', 'notify', 'alarms'],
  alarms: ['core', 'models', 'contracts', 'events', 'queue', 'api', 'ws'],
  auth: ['core', 'models', 'contracts', 'events', 'api'],
  'work-orders': ['core', 'models', 'contracts', 'events', 'queue', 'notify', 'alarms', 'api', 'ws'],
  recordings: ['core', 'models', 'contracts', 'api', 'auth'],
  notices: ['core', 'models', 'queue', 'notify', 'cti', 'work-orders'],
  callbacks: ['core', 'models', 'contracts', 'events', 'queue', 'notify', 'alarms', 'api', 'work-orders'],
  outages: ['core', 'models', 'contracts', 'queue', 'notify', 'api', 'work-orders'],
  dispatch: ['core', 'models', 'contracts', 'api'],
  reports: ['core', 'models', 'contracts', 'queue', 'notify', 'alarms', 'api', 'callbacks', 'supervisor-board', 'work-orders'],
  'agent-console': ['core', 'models', 'contracts', 'events', 'cti', 'work-orders', 'ws'],
  'supervisor-board': ['core', 'models', 'contracts', 'events', 'cti', 'alarms', 'work-orders', 'ws'],
  'system-health': ['core', 'contracts', 'cti', 'alarms', 'api', 'ws'],
  web: ['contracts', 'models'],
  sim: ['core'],
};

/** Folders that may import anything: the composition root, tools and tests. */
const UNRESTRICTED = new Set(['main.ts', 'scripts', 'test']);

const TRANSPORT = ['api', 'ws'];

/**
 * Contracts files without zod that the browser may bundle as values: the Chinese words of the
 * errors, so a form says what the server would (checked below to stay free of zod).
 */
export const BROWSER_CONTRACTS: ReadonlySet<string> = new Set(['contracts/zh.ts', 'contracts/board-updates.ts', 'contracts/report-tables.ts']);

export function violations(files: string[], edges: ImportEdge[], read: (f: string) => string): string[] {
  const out: string[] = [];
  for (const f of files) {
    const folder = folderOf(f);
    if (!UNRESTRICTED.has(folder) && !(folder in MAY_IMPORT)) out.push(`${f}: folder ${folder}/ has no place in the layering (add it to MAY_IMPORT and docs/architecture.md)`);
  }
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b || UNRESTRICTED.has(a)) continue;
    if (!(MAY_IMPORT[a] ?? []).includes(b)) out.push(`${e.from} imports ${e.to}: ${a}/ may not import ${b}/`);
    // The browser gets the contracts' types, never the validation code (zod) behind them.
    if (a === 'web' && b === 'contracts' && !e.typeOnly && !BROWSER_CONTRACTS.has(e.to)) out.push(`${e.from} imports ${e.to} as a value: web/ takes contracts as types only`);
    if (a === 'web' && b === 'models' && e.to !== 'models/enums.ts') out.push(`${e.from} imports ${e.to}: web/ may read the shared vocabulary (models/enums.ts) only`);
  }
  for (const f of files) {
    if (!TRANSPORT.includes(folderOf(f))) continue;
    const m = /export\s+(?:abstract\s+)?class\s+(\w+Service)\b/.exec(read(f));
    if (m) out.push(`${f}: ${m[1]} is a domain service in a transport folder; it belongs in its domain's folder`);
  }
  const cycle = folderCycle(edges.filter((e) => !UNRESTRICTED.has(folderOf(e.from))));
  if (cycle) out.push(`import cycle between folders: ${cycle.join(' → ')}`);
  return out;
}

describe('architecture: one folder per domain, transport and telephony kept apart', () => {
  const files = sourceFiles(ROOT);
  const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
  const edges = importEdges(ROOT, files, read);

  it('reads the whole tree (sanity: the check is looking at real files)', () => {
    expect(files).to.include.members(['main.ts', 'cti/calls/call-session.ts', 'api/app.ts', 'contracts/index.ts']);
    expect(edges.filter((e) => e.from === 'main.ts').length).to.be.greaterThan(20);
  });

  it('every import follows the layering, transport holds no domain service, and no folders import each other in a cycle', () => {
    expect(violations(files, edges, read)).to.deep.equal([]);
  });

  it('the contracts the browser bundles as values hold no validation code: no zod, nothing but models/enums', () => {
    for (const f of BROWSER_CONTRACTS) {
      const sf = ts.createSourceFile(f, read(f), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
      const valueImports = sf.statements
        .filter((s): s is ts.ImportDeclaration => ts.isImportDeclaration(s) && !s.importClause?.isTypeOnly)
        .map((s) => (s.moduleSpecifier as ts.StringLiteral).text);
      expect(valueImports.filter((m) => m !== '../models/enums'), f).to.deep.equal([]);
    }
  });

  it('nothing in cti/ imports api/ or ws/', () => {
    const bad = edges.filter((e) => folderOf(e.from) === 'cti' && TRANSPORT.includes(folderOf(e.to)));
    expect(bad).to.deep.equal([]);
  });

  describe('the check itself fails on what it forbids', () => {
    const fake = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });
    const base = ['cti/calls/call-session.ts', 'api/app.ts', 'ws/server.ts', 'alarms/raise.ts', 'events/event-bus.ts', 'web/src/agent.ts', 'contracts/index.ts'];
    const noService = () => '';

    it('cti/ importing api/ or ws/', () => {
      expect(violations(base, [fake('cti/calls/call-session.ts', 'api/app.ts')], noService)).to.have.length(1);
      expect(violations(base, [fake('cti/calls/call-session.ts', 'ws/server.ts')], noService)[0]).to.match(/cti\/ may not import ws\//);
    });

    it('a cycle between two folders', () => {
      const v = violations(base, [fake('alarms/raise.ts', 'events/event-bus.ts'), fake('events/event-bus.ts', 'alarms/raise.ts')], noService);
      expect(v.some((x) => /import cycle between folders: (alarms → events → alarms|events → alarms → events)/.test(x))).to.equal(true);
    });

    it('a domain service under api/ or ws/', () => {
      const v = violations([...base, 'api/work-orders.ts'], [], (f) => (f === 'api/work-orders.ts' ? 'export class WorkOrderService {}' : ''));
      expect(v).to.deep.equal(['api/work-orders.ts: WorkOrderService is a domain service in a transport folder; it belongs in its domain\'s folder']);
    });

    it('transport reaching into a domain, and the browser importing validation code', () => {
      expect(violations(base, [fake('api/app.ts', 'alarms/raise.ts')], noService)).to.have.length(1);
      expect(violations(base, [fake('web/src/agent.ts', 'contracts/index.ts', false)], noService)).to.have.length(1);
      expect(violations(base, [fake('web/src/agent.ts', 'contracts/index.ts', true)], noService)).to.deep.equal([]);
      expect(violations(base, [fake('web/src/agent.ts', 'contracts/zh.ts', false)], noService)).to.deep.equal([]);
    });

    it('a new top-level folder nobody placed in the layering', () => {
      expect(violations([...base, 'billing/service.ts'], [], noService)[0]).to.match(/folder billing\/ has no place/);
    });
  });
});

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  from: string;
  to: string;
  /** `import type …` / `export type …`: erased at build time. */
  typeOnly: boolean;
}

const SKIP = new Set(['node_modules', 'dist', 'var', '.git', 'test-artifacts', 'recordings']);

export function sourceFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(root, full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(root, full).split(sep).join('/'));
  }
  return out.sort();
}

function resolveRelative(root: string, from: string, spec: string, exists: (f: string) => boolean): string | null {
  const base = relative(root, resolve(root, dirname(from), spec)).split(sep).join('/');
  for (const c of [`${base}.ts`, `${base}/index.ts`, base]) if (exists(c)) return c;
  return null;
}

/** Every relative import and re-export of every file, resolved to a file of the repository (from TypeScript's syntax tree). */
export function importEdges(root: string, files: string[], read: (f: string) => string = (f) => readFileSync(join(root, f), 'utf8')): ImportEdge[] {
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const sf = ts.createSourceFile(from, read(from), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const add = (spec: ts.Expression | undefined, typeOnly: boolean) => {
      if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) return;
      const to = resolveRelative(root, from, spec.text, (f) => known.has(f));
      if (to) edges.push({ from, to, typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, !!node.importClause?.isTypeOnly);
      else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
      else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
        add(node.arguments[0], false);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return edges;
}

/** The top-level folder a file lives in; files at the root (main.ts) are their own unit. */
export function folderOf(file: string): string {
  const i = file.indexOf('/');
  return i < 0 ? file : file.slice(0, i);
}

/** A cycle in the folder graph (as a list of folders), or null. */
export function folderCycle(edges: ImportEdge[]): string[] | null {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'open');
    path.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    path.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of [...graph.keys()].sort()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

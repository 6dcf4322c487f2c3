import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { sourceFiles } from '../helpers/import-graph';

/**
 * Redis Cluster safety of our Lua scripts, read from their text: on a Cluster a script runs on the
 * node of its declared KEYS, and Redis 7 only refuses a key it does not own, so a script that
 * names a key from ARGV (or one of another slot that the same node happens to serve) passes every
 * test on one node and fails in production. The rule checked here: every key a script hands to
 * redis.call is KEYS[…], or slotKey(…), which names a key from KEYS[1]'s hash tag (for keys only
 * known while the script runs, e.g. the agents the ACD reads from a ready set). That the
 * declared KEYS share one slot is checked at run time by `npm run test:cluster` (CROSSSLOT).
 */

const REPO = resolve(__dirname, '..', '..');

/** Which arguments (1-based, after the command name) are keys; 'all' for every argument. */
const KEY_ARGS: Record<string, number[] | 'all'> = {
  ...Object.fromEntries(
    [
      'GET', 'SET', 'SETNX', 'GETDEL', 'INCR', 'INCRBY', 'DECR', 'PEXPIRE', 'EXPIRE', 'PTTL', 'TTL',
      'HGET', 'HSET', 'HSETNX', 'HMGET', 'HGETALL', 'HDEL', 'HEXISTS', 'HINCRBY',
      'ZSCORE', 'ZADD', 'ZREM', 'ZRANGE', 'ZRANGEBYSCORE', 'ZCARD',
      'SISMEMBER', 'SADD', 'SREM', 'SMEMBERS', 'SCARD',
      'RPUSH', 'LPUSH', 'LLEN', 'LRANGE', 'LTRIM', 'LPOP', 'RPOP', 'XADD',
    ].map((c) => [c, [1]]),
  ),
  DEL: 'all',
  UNLINK: 'all',
  EXISTS: 'all',
  MGET: 'all',
  TIME: [],
  PUBLISH: [],
};

/** The one way a script may name an undeclared key; its definition must be exactly this. */
const TAG_DEF = /local tag = string\.match\(KEYS\[1\], '\^\{\[\^\}\]\+\}'\)/;
const SLOTKEY_DEF = /local function slotKey\((\w+)\) return tag \.\. ':' \.\. \1 end/;

interface Problem {
  script: string;
  problem: string;
}

/** Lua without its comments (`--` up to the end of the line, outside strings). */
function stripComments(src: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      out += c;
      if (c === '\\') out += src[++i] ?? '';
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '-' && src[i + 1] === '-') {
      while (i < src.length && src[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}

/** The top-level, comma-separated arguments of the call whose `(` is at `open`. */
function callArgs(src: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      cur += c;
      if (c === '\\') cur += src[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      if (depth === 0) {
        args.push(cur.trim());
        return args;
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  throw new Error('unbalanced redis.call(');
}

/** Every key of every redis.call/pcall in `lua` that is neither KEYS[…] nor slotKey(…). */
function undeclaredKeys(script: string, lua: string): Problem[] {
  const src = stripComments(lua);
  const problems: Problem[] = [];
  let usesSlotKey = false;
  for (const m of src.matchAll(/redis\.p?call\s*\(/g)) {
    const args = callArgs(src, m.index + m[0].length - 1);
    const name = /^['"](\w+)['"]$/.exec(args[0] ?? '')?.[1]?.toUpperCase();
    const spec = name ? KEY_ARGS[name] : undefined;
    if (!spec) {
      problems.push({ script, problem: `redis.call(${args[0]}, …): command not known to this check (add its key positions to KEY_ARGS)` });
      continue;
    }
    const positions = spec === 'all' ? args.slice(1).map((_, i) => i + 1) : spec;
    for (const p of positions) {
      const key = args[p];
      if (key === undefined) problems.push({ script, problem: `redis.call(${args.join(', ')}): no key argument` });
      else if (/^KEYS\[\s*\w+\s*\]$/.test(key)) continue;
      else if (/^slotKey\(/.test(key)) usesSlotKey = true;
      else problems.push({ script, problem: `redis.call(${args.join(', ')}): key ${key} is not KEYS[…] or slotKey(…)` });
    }
  }
  if (usesSlotKey && !(TAG_DEF.test(src) && SLOTKEY_DEF.test(src))) {
    problems.push({ script, problem: "slotKey(…) used without `local tag = string.match(KEYS[1], '^{[^}]+}')` and `local function slotKey(name) return tag .. ':' .. name end`" });
  }
  return problems;
}

/** The highest literal KEYS index a script reads (a variable index is checked by the tests that run it). */
function maxKeyIndex(lua: string): number {
  return Math.max(0, ...[...stripComments(lua).matchAll(/KEYS\[\s*(\d+)\s*\]/g)].map((m) => Number(m[1])));
}

interface Script {
  /** Where it is defined: `file:line`. */
  at: string;
  lua: string;
  numberOfKeys: number;
  /** The .lua file, for scripts registered with defineCommand. */
  file?: string;
}

/**
 * The value of a string literal, a `+` chain of them, or a `const` of the same file holding one;
 * null for anything else.
 */
function literal(e: ts.Expression, consts: ReadonlyMap<string, ts.Expression>): string | null {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isParenthesizedExpression(e)) return literal(e.expression, consts);
  if (ts.isIdentifier(e)) {
    const init = consts.get(e.text);
    return init ? literal(init, new Map([...consts].filter(([k]) => k !== e.text))) : null;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = literal(e.left, consts);
    const r = literal(e.right, consts);
    return l === null || r === null ? null : l + r;
  }
  return null;
}

/** `const NAME = <expression>` declarations of a file (a script kept in a constant). */
function constsOf(sf: ts.SourceFile): Map<string, ts.Expression> {
  const out = new Map<string, ts.Expression>();
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclarationList(n) && n.flags & ts.NodeFlags.Const) {
      for (const d of n.declarations) if (ts.isIdentifier(d.name) && d.initializer) out.set(d.name.text, d.initializer);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Every script our code gives Redis: `defineCommand(name, { numberOfKeys, lua: lua('file') })` and `.eval(literal, n, …)`. */
function scriptsInCode(): { scripts: Script[]; unreadable: string[] } {
  const scripts: Script[] = [];
  const unreadable: string[] = [];
  for (const f of sourceFiles(REPO).filter((f) => !f.startsWith('test/'))) {
    const text = readFileSync(join(REPO, f), 'utf8');
    if (!/\.(eval|defineCommand)\s*\(/.test(text)) continue;
    const sf = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const consts = constsOf(sf);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const method = n.expression.name.text;
        const at = `${f}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
        if (method === 'eval') {
          const [body, count] = n.arguments;
          const lua = body ? literal(body, consts) : null;
          if (lua === null || !count || !ts.isNumericLiteral(count)) unreadable.push(`${at}: eval needs a literal script (or a const holding one) and a literal key count, or a .lua file`);
          else scripts.push({ at, lua, numberOfKeys: Number(count.text) });
        }
        if (method === 'defineCommand') {
          const def = n.arguments[1];
          const prop = (name: string) =>
            def && ts.isObjectLiteralExpression(def)
              ? def.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name)?.initializer
              : undefined;
          const keys = prop('numberOfKeys');
          const src = prop('lua');
          // `lua('name')` reads `<dir>/lua/<name>.lua` (each such module defines that helper).
          const name = src && ts.isCallExpression(src) && src.arguments[0] && ts.isStringLiteral(src.arguments[0]) ? src.arguments[0].text : null;
          const file = name ? join(dirname(f), 'lua', `${name}.lua`) : null;
          if (!keys || !ts.isNumericLiteral(keys) || !file || !existsSync(join(REPO, file))) unreadable.push(`${at}: defineCommand needs { numberOfKeys: <literal>, lua: lua('<file>') }`);
          else scripts.push({ at, file, lua: readFileSync(join(REPO, file), 'utf8'), numberOfKeys: Number(keys.text) });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { scripts, unreadable };
}

function luaFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'var', 'dist', '.git', 'test-artifacts', 'recordings'].includes(e.name)) continue;
      if (e.isDirectory()) walk(join(dir, e.name), rel ? `${rel}/${e.name}` : e.name);
      else if (e.name.endsWith('.lua')) out.push(rel ? `${rel}/${e.name}` : e.name);
    }
  };
  walk(REPO, '');
  return out.sort();
}

describe('Lua scripts are Redis Cluster safe: every key declared in KEYS or named from their hash tag', () => {
  const { scripts, unreadable } = scriptsInCode();

  it('finds the scripts (sanity: the ACD, console and outbox scripts are read)', () => {
    expect(unreadable).to.deep.equal([]);
    const files = scripts.flatMap((s) => (s.file ? [s.file] : []));
    expect(files).to.include.members(['cti/acd/lua/reserve.lua', 'cti/acd/lua/set-state.lua', 'agent-console/lua/call-ended.lua']);
    expect(scripts.filter((s) => s.at.startsWith('queue/record-outbox.ts')).length).to.be.greaterThanOrEqual(3);
  });

  it('every .lua file in the repository is registered with defineCommand (none escapes this check)', () => {
    const registered = new Set(scripts.flatMap((s) => (s.file ? [s.file] : [])));
    expect(luaFiles().filter((f) => !registered.has(f))).to.deep.equal([]);
  });

  it('every key a script touches is KEYS[…] or slotKey(…)', () => {
    expect(scripts.flatMap((s) => undeclaredKeys(s.file ?? s.at, s.lua))).to.deep.equal([]);
  });

  it('no script reads a KEYS index beyond the number of keys it is given', () => {
    const over = scripts.filter((s) => maxKeyIndex(s.lua) > s.numberOfKeys).map((s) => `${s.file ?? s.at}: reads KEYS[${maxKeyIndex(s.lua)}], given ${s.numberOfKeys}`);
    expect(over).to.deep.equal([]);
  });

  it('the check itself flags keys from ARGV, built from strings, or of unknown commands', () => {
    const flagged = (lua: string) => undeclaredKeys('t', lua).length;
    expect(flagged("return redis.call('GET', ARGV[1])")).to.equal(1);
    expect(flagged("local p = ARGV[1] return redis.call('HGET', p .. ':agent:1', 'state')")).to.equal(1);
    expect(flagged("redis.call('DEL', KEYS[1], 'other') return 1")).to.equal(1);
    expect(flagged("return redis.call('EVAL', 'return 1', 0)")).to.equal(1);
    expect(flagged("local function slotKey(n) return ARGV[1] .. n end return redis.call('GET', slotKey('x'))")).to.equal(1);
    expect(flagged("-- redis.call('GET', ARGV[1]) in a comment\nreturn redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])")).to.equal(0);
    expect(flagged("local tag = string.match(KEYS[1], '^{[^}]+}')\nlocal function slotKey(name) return tag .. ':' .. name end\nreturn redis.call('EXISTS', slotKey('node:' .. ARGV[1]))")).to.equal(0);
  });
});

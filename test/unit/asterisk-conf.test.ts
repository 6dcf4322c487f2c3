import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../core/config';
import { isLanguage, isPromptKey } from '../../cti/prompts';
import { FALLBACK_DIALPLAN } from '../../sim/ami/app-queue';

const REPO = resolve(__dirname, '..', '..');
const CONF_DIR = join(REPO, 'asterisk-conf');
const INSTALL = join(REPO, 'scripts', 'install-asterisk-conf.sh');
const CONF_FILES = ['http.conf', 'ari.conf', 'manager.conf', 'pjsip.conf', 'extensions.conf', 'musiconhold.conf', 'queues.conf'];
const AGENTS = Array.from({ length: 10 }, (_, i) => String(1001 + i));

// ---- a small parser for Asterisk's configuration syntax -------------------------------------

interface Entry {
  key: string;
  op: '=' | '=>';
  value: string;
  line: number;
}
interface Section {
  name: string;
  isTemplate: boolean;
  templates: string[];
  entries: Entry[];
}

/** `[name](!)` templates, `[name](tpl,…)` inheritance, `;` comments (`\;` escapes), `=`/`=>`. */
function parseConf(text: string): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|[^\\]);.*$/, '$1').replace(/\\;/g, ';').trim();
    if (line === '' || line.startsWith('#')) return;
    const header = /^\[([^\]]+)\](?:\(([^)]*)\))?$/.exec(line);
    if (header) {
      const mods = (header[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      current = {
        name: header[1]!.trim(),
        isTemplate: mods.includes('!'),
        templates: mods.filter((m) => m !== '!'),
        entries: [],
      };
      sections.push(current);
      return;
    }
    const kv = /^([^=]+?)\s*(=>|=)\s*(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`line ${i + 1}: cannot parse ${JSON.stringify(raw)}`);
    current.entries.push({ key: kv[1]!.trim(), op: kv[2] as Entry['op'], value: kv[3]!.trim(), line: i + 1 });
  });
  return sections;
}

/** Entries of a section with its templates' entries first, as Asterisk applies them. */
function resolved(all: Section[], section: Section): Entry[] {
  const inherited = section.templates.flatMap((t) => {
    const tpl = all.find((s) => s.name === t && s.isTemplate);
    if (!tpl) throw new Error(`[${section.name}] uses unknown template ${t}`);
    return resolved(all, tpl);
  });
  return [...inherited, ...section.entries];
}

function values(all: Section[], section: Section): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of resolved(all, section)) m.set(e.key, e.value);
  return m;
}

function load(file: string): { text: string; sections: Section[] } {
  const text = readFileSync(join(CONF_DIR, file), 'utf8');
  return { text, sections: parseConf(text) };
}

function only(sections: Section[], name: string): Section {
  const found = sections.filter((s) => s.name === name && !s.isTemplate);
  expect(found, `[${name}]`).to.have.length(1);
  return found[0]!;
}

/** pjsip objects: same name may exist once per type. */
function pjsipObject(sections: Section[], name: string, type: string): Map<string, string> {
  const found = sections
    .filter((s) => s.name === name && !s.isTemplate)
    .map((s) => values(sections, s))
    .filter((v) => v.get('type') === type);
  expect(found, `[${name}] type=${type}`).to.have.length(1);
  return found[0]!;
}

interface Step {
  exten: string;
  priority: string;
  label?: string;
  app: string;
  args: string;
  line: number;
}

/** `exten => X,1,App(args)` and ` same => n(label),App(args)` lines of one context. */
function dialplan(context: Section): Step[] {
  const steps: Step[] = [];
  let exten: string | undefined;
  for (const e of context.entries) {
    let rest = e.value;
    if (e.key === 'exten') {
      const comma = rest.indexOf(',');
      exten = rest.slice(0, comma);
      rest = rest.slice(comma + 1);
    } else if (e.key !== 'same') {
      continue;
    }
    if (!exten) throw new Error(`line ${e.line}: 'same' before any 'exten'`);
    const m = /^([^,(]+)(?:\(([^)]+)\))?,([A-Za-z]+)(?:\((.*)\))?$/.exec(rest);
    if (!m) throw new Error(`line ${e.line}: cannot parse ${rest}`);
    steps.push({ exten, priority: m[1]!, ...(m[2] ? { label: m[2] } : {}), app: m[3]!, args: m[4] ?? '', line: e.line });
  }
  return steps;
}

// ---- the configuration files ------------------------------------------------------------------

describe('asterisk-conf/', () => {
  const defaults = loadConfig({});

  it('parses every file', () => {
    for (const f of CONF_FILES) expect(() => load(f), f).to.not.throw();
  });

  it('http.conf: enabled, on loopback, on the port the CTI expects', () => {
    const { sections } = load('http.conf');
    const g = values(sections, only(sections, 'general'));
    expect(g.get('enabled')).to.equal('yes');
    expect(g.get('bindaddr')).to.equal('127.0.0.1');
    expect(g.get('bindport')).to.equal(new URL(defaults.ARI_URL).port || '80');
  });

  it('ari.conf: raises websocket_write_timeout and defines the CTI user with a placeholder password', () => {
    const { sections } = load('ari.conf');
    const g = values(sections, only(sections, 'general'));
    expect(g.get('enabled')).to.equal('yes');
    expect(Number(g.get('websocket_write_timeout'))).to.be.at.least(500);
    const user = values(sections, only(sections, defaults.ARI_USERNAME));
    expect(user.get('type')).to.equal('user');
    expect(user.get('read_only') ?? 'no').to.equal('no');
    expect(user.get('password')).to.equal('CHANGE_ME_ARI_PASSWORD');
  });

  it('manager.conf: loopback, and the CTI user gets only what it needs', () => {
    const { sections } = load('manager.conf');
    const g = values(sections, only(sections, 'general'));
    expect(g.get('enabled')).to.equal('yes');
    expect(g.get('bindaddr')).to.equal('127.0.0.1');
    expect(g.get('port')).to.equal(String(defaults.AMI_PORT));
    const user = values(sections, only(sections, defaults.AMI_USERNAME));
    expect(user.get('secret')).to.equal('CHANGE_ME_AMI_SECRET');
    expect(user.get('permit')).to.match(/^127\.0\.0\.1\//);
    const read = user.get('read')!.split(',');
    const write = user.get('write')!.split(',');
    expect(read).to.include.members(['system', 'call']);
    expect(write).to.include.members(['system', 'call', 'reporting', 'originate']);
    for (const dangerous of ['all', 'command', 'config']) {
      expect(read).to.not.include(dangerous);
      expect(write).to.not.include(dangerous);
    }
    expect(Number(user.get('writetimeout'))).to.be.at.least(500);
  });

  it('extensions.conf: 952525 goes to StasisBroadcast(…,^hotline-.*) without Answer() before it', () => {
    const { text, sections } = load('extensions.conf');
    const steps = dialplan(only(sections, 'from-pstn'));
    const hotline = steps.filter((s) => s.exten === '952525');
    expect(hotline[0]!.priority).to.equal('1');
    const broadcastAt = hotline.findIndex((s) => s.app === 'StasisBroadcast');
    expect(broadcastAt, 'StasisBroadcast step').to.be.at.least(0);
    const [timeout, filter] = hotline[broadcastAt]!.args.split(',');
    expect(filter).to.equal('^hotline-.*');
    expect(Number(timeout)).to.be.within(500, 5000);
    for (const s of hotline.slice(0, broadcastAt)) {
      expect(s.app.toLowerCase(), `line ${s.line}`).to.not.be.oneOf(['answer', 'playback', 'background', 'progress']);
    }
    // Every CTI node's app name (<ARI_APP>-<NODE_ID>) is offered the call, nothing else.
    const pattern = new RegExp(filter!);
    expect(pattern.test(`${defaults.ARI_APP}-${defaults.NODE_ID}`)).to.equal(true);
    expect(pattern.test('someone-else')).to.equal(false);

    // Nobody claims (TIMEOUT, FAILED) → Asterisk's own fallback; SUCCESS and the self-check call skip it.
    const after = hotline.slice(broadcastAt + 1);
    const success = after.findIndex((s) => s.app === 'GotoIf' && s.args.includes('STASISSTATUS') && s.args.includes('SUCCESS'));
    const selfCheck = after.findIndex((s) => s.app === 'GotoIf' && s.args.includes('selfcheck'));
    const fallback = after.findIndex((s) => s.app === 'Goto' && s.args === 'from-pstn-fallback,952525,1');
    expect(success, 'GotoIf on STASISSTATUS').to.be.at.least(0);
    expect(selfCheck, 'the self-check call never reaches the fallback').to.be.greaterThan(success);
    expect(fallback, 'Goto the fallback').to.be.greaterThan(selfCheck);
    expect(after.at(-1)).to.include({ app: 'Hangup', label: 'done' });

    // The single-app active/standby alternative is documented in place, commented out.
    expect(text).to.match(/^;\s*exten\s*=>\s*952525,1,Stasis\(hotline\)\s*$/m);
  });

  it('extensions.conf: the fallback answers, greets in both languages, takes the 1/2 key, records and queues', () => {
    const { sections } = load('extensions.conf');
    const steps = dialplan(only(sections, FALLBACK_DIALPLAN.context)).filter((s) => s.exten === '952525');
    expect(steps[0]).to.include({ priority: '1', app: 'Answer' });
    for (const s of steps.slice(1)) expect(s.priority, `line ${s.line}`).to.equal('n');
    // `n` priorities count up from 1: the AMI simulator reports the same numbers.
    const at = (app: string) => steps.findIndex((s) => s.app === app) + 1;
    expect(at('MixMonitor')).to.equal(FALLBACK_DIALPLAN.mixMonitorPriority);
    expect(at('Queue')).to.equal(FALLBACK_DIALPLAN.queuePriority);

    const read = steps.find((s) => s.app === 'Read')!;
    const [variable, prompts, maxDigits] = read.args.split(',');
    expect(prompts!.split('&')).to.deep.equal([
      'hotline/yue/greeting-welcome',
      'hotline/cmn/greeting-welcome',
      'hotline/yue/greeting-choose',
      'hotline/cmn/greeting-choose',
    ]);
    expect(maxDigits).to.equal('1');
    expect(at('Read')).to.be.lessThan(at('MixMonitor'));
    const lang = steps.find((s) => s.app === 'Set' && s.args.startsWith('LANG='))!;
    expect(lang.args).to.contain(`\${${variable}}`).and.contain('"1"').and.contain('"2"').and.contain('HOTLINE_DEFAULT_LANGUAGE');
    const globals = values(sections, only(sections, 'globals'));
    expect(globals.get('HOTLINE_DEFAULT_LANGUAGE')).to.equal(defaults.DEFAULT_LANGUAGE);
    // The language reaches queue_log under the caller's Uniqueid, before ENTERQUEUE.
    expect(steps.find((s) => s.app === 'QueueLog')?.args).to.equal('hotline-fallback,${UNIQUEID},NONE,LANGUAGE,${LANG}|${LANGKEY}');
    expect(at('QueueLog')).to.be.lessThan(at('Queue'));

    // The recording's name carries the queue_log call id.
    expect(steps.find((s) => s.app === 'MixMonitor')?.args).to.equal('fallback-${UNIQUEID}.wav');
    const [queue, options, , , maxWait] = steps.find((s) => s.app === 'Queue')!.args.split(',');
    expect(queue).to.equal('hotline-fallback');
    expect(options).to.equal('t');
    expect(Number(maxWait)).to.be.within(60, 900);
    const tail = steps.slice(at('Queue'));
    expect(tail[0]!.app).to.equal('Playback');
    expect(tail[0]!.args.split('&')).to.deep.equal(['hotline/yue/please-call-again', 'hotline/cmn/please-call-again']);
    expect(tail.at(-1)!.app).to.equal('Hangup');
  });

  it('queues.conf: hotline-fallback rings the agent phones round robin, 20 s each (the 20 s rule)', () => {
    const { sections } = load('queues.conf');
    const q = values(sections, only(sections, 'hotline-fallback'));
    expect(q.get('strategy')).to.equal('rrmemory');
    expect(Number(q.get('timeout')) * 1000).to.equal(defaults.ANSWER_ALARM_MS);
    expect(q.get('retry')).to.equal('1');
    expect(q.get('ringinuse')).to.equal('no');
    expect(q.get('joinempty')).to.equal('yes');
    expect(q.get('autopause')).to.equal('no');
    const members = resolved(sections, only(sections, 'hotline-fallback'))
      .filter((e) => e.key === 'member')
      .map((e) => e.value.split(',').map((v) => v.trim()));
    expect(members).to.deep.equal(AGENTS.map((ext) => [`PJSIP/${ext}`, '0', `Agent ${ext}`]));
    // Every member is an agent phone of pjsip.conf.
    const pjsip = load('pjsip.conf').sections;
    for (const ext of AGENTS) expect(pjsipObject(pjsip, ext, 'endpoint').get('context')).to.equal('agents');
  });

  it('extensions.conf: other called-number forms reach 952525 without answering', () => {
    const { sections } = load('extensions.conf');
    const steps = dialplan(only(sections, 'from-pstn')).filter((s) => s.exten !== '952525');
    for (const s of steps) {
      expect(s.app, `${s.exten}`).to.equal('Goto');
      expect(s.args).to.equal('952525,1');
    }
  });

  it('extensions.conf: a self-check context for Local/952525@from-pstn, and agents can call the hotline', () => {
    const { sections } = load('extensions.conf');
    const self = dialplan(only(sections, 'hotline-selfcheck'));
    expect(self[0]!.exten).to.equal('s');
    expect(self.some((s) => s.app === 'SendDTMF')).to.equal(true);
    expect(self.at(-1)!.app).to.equal('Hangup');
    const agents = dialplan(only(sections, 'agents'));
    expect(agents.find((s) => s.exten === '952525')).to.include({ app: 'Goto', args: 'from-pstn,952525,1' });
  });

  it('extensions.conf: every prompt it plays is in the catalogue', () => {
    const { text } = load('extensions.conf');
    const refs = [...text.matchAll(/hotline\/([a-z]+)\/([a-z0-9-]+)/g)];
    expect(refs.length).to.be.greaterThan(0);
    for (const [ref, lang, key] of refs) {
      expect(isLanguage(lang) && isPromptKey(key), ref).to.equal(true);
    }
  });

  it('pjsip.conf: agents 1001–1010 and the supervisor\'s phone 2001 with auth and one qualified contact, no language', () => {
    const { sections } = load('pjsip.conf');
    for (const ext of [...AGENTS, '2001']) {
      const endpoint = pjsipObject(sections, ext, 'endpoint');
      expect(endpoint.get('context'), ext).to.equal('agents');
      expect(endpoint.has('language'), `${ext} language`).to.equal(false);
      expect(endpoint.get('auth')).to.equal(ext);
      expect(endpoint.get('aors')).to.equal(ext);
      expect(endpoint.get('direct_media')).to.equal('no');
      const auth = pjsipObject(sections, ext, 'auth');
      expect(auth.get('username')).to.equal(ext);
      expect(auth.get('password')).to.equal(`CHANGE_ME_AGENT_${ext}_PASSWORD`);
      const aor = pjsipObject(sections, ext, 'aor');
      expect(aor.get('max_contacts')).to.equal('1');
      expect(aor.get('qualify_frequency')).to.equal('30');
    }
    const endpoints = sections.filter((s) => !s.isTemplate && values(sections, s).get('type') === 'endpoint');
    for (const s of endpoints) expect(values(sections, s).has('language'), s.name).to.equal(false);
  });

  it('pjsip.conf: a carrier trunk with outbound registration, identify and an endpoint in from-pstn', () => {
    const { sections } = load('pjsip.conf');
    const all = sections.filter((s) => !s.isTemplate).map((s) => ({ name: s.name, v: values(sections, s) }));
    const registrations = all.filter((s) => s.v.get('type') === 'registration');
    expect(registrations).to.have.length.at.least(1);
    for (const reg of registrations) {
      expect(reg.v.get('server_uri')).to.match(/^sip:/);
      expect(reg.v.get('client_uri')).to.match(/^sip:.+@/);
      expect(Number(reg.v.get('max_retries') ?? 10)).to.be.greaterThan(1000);
      const auth = all.find((s) => s.name === reg.v.get('outbound_auth') && s.v.get('type') === 'auth');
      expect(auth, 'registration auth').to.not.equal(undefined);
      const endpoint = all.find((s) => s.name === reg.v.get('endpoint') && s.v.get('type') === 'endpoint');
      expect(endpoint?.v.get('context')).to.equal('from-pstn');
      const identify = all.find((s) => s.v.get('type') === 'identify' && s.v.get('endpoint') === endpoint!.name);
      expect(identify?.v.get('match')).to.be.a('string');
    }
    const protocols = all.filter((s) => s.v.get('type') === 'transport').map((s) => s.v.get('protocol'));
    expect(protocols).to.include.members(['udp', 'tcp']);
  });

  it('musiconhold.conf: classes default and hotline from files', () => {
    const { sections } = load('musiconhold.conf');
    for (const cls of ['default', 'hotline']) {
      const v = values(sections, only(sections, cls));
      expect(v.get('mode')).to.equal('files');
      expect(v.get('directory')).to.be.a('string');
    }
  });
});

// ---- the install script ---------------------------------------------------------------------

describe('scripts/install-asterisk-conf.sh', function () {
  this.timeout(60_000);
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'install-asterisk-conf-'));
    for (const d of ['etc', 'sounds', 'moh', 'prompts/hotline/yue', 'prompts/hotline/cmn']) mkdirSync(join(tmp, d), { recursive: true });
    writeFileSync(join(tmp, 'prompts/hotline/yue/goodbye.wav'), 'RIFF fake');
    writeFileSync(join(tmp, 'prompts/hotline/cmn/goodbye.wav'), 'RIFF fake');
    writeFileSync(join(tmp, 'prompts/hotline/manifest.json'), '{}');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const secrets = {
    ARI_PASSWORD: 'ari&pass/2026-long',
    AMI_SECRET: 'ami-secret-2026$x',
    TRUNK_HOST: 'sip.carrier.example',
    TRUNK_USERNAME: '02088886666',
    TRUNK_PASSWORD: 'trunk-password-2026',
    AGENT_PASSWORD: 'agents-share-2026',
    AGENT_1001_PASSWORD: 'agent-1001-own-pw',
  };

  function install(args: string[], env: Record<string, string> = secrets) {
    const r = spawnSync('bash', [INSTALL, ...args], {
      encoding: 'utf8',
      // Only what the test gives: never a real Asterisk, never the developer's own secrets.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ASTERISK_ETC: join(tmp, 'etc'),
        ASTERISK_SOUNDS: join(tmp, 'sounds'),
        ASTERISK_MOH: join(tmp, 'moh'),
        ASTERISK_BIN: join(tmp, 'no-asterisk'),
        PROMPTS_OUT: join(tmp, 'prompts'),
        ...env,
      },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('--dry-run says what it would install and changes nothing', () => {
    const r = install(['--dry-run']);
    expect(r.status, r.stderr).to.equal(0);
    for (const f of CONF_FILES) expect(r.stdout).to.contain(`would install ${join(tmp, 'etc', f)} (new)`);
    expect(r.stdout).to.contain('would run').and.contain('gen-prompts.ts');
    expect(r.stdout).to.contain('would sync').and.contain(join(tmp, 'sounds', 'hotline'));
    expect(r.stdout).to.contain('reload skipped');
    expect(readdirSync(join(tmp, 'etc'))).to.deep.equal([]);
    expect(readdirSync(join(tmp, 'sounds'))).to.deep.equal([]);
    expect(readdirSync(join(tmp, 'moh'))).to.deep.equal([]);
    for (const value of Object.values(secrets)) {
      if (/pass|secret|pw/i.test(value)) expect(r.stdout + r.stderr).to.not.contain(value);
    }
  });

  it('refuses to install while a secret is missing or still CHANGE_ME', () => {
    const { ARI_PASSWORD: _a, AGENT_PASSWORD: _b, ...rest } = secrets;
    let r = install([], { ...rest, AMI_SECRET: 'CHANGE_ME' });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('ARI_PASSWORD is not set');
    expect(r.stderr).to.contain('AMI_SECRET is still a CHANGE_ME placeholder');
    expect(r.stderr).to.contain('AGENT_1002_PASSWORD is not set');
    expect(r.stderr).to.not.contain('AGENT_1001_PASSWORD');
    expect(readdirSync(join(tmp, 'etc'))).to.deep.equal([]);
    r = install(['--dry-run'], { ...secrets, TRUNK_PASSWORD: 'has;semicolon' });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain("TRUNK_PASSWORD contains ';'");
  });

  it('installs with secrets filled in, backs up what it replaces, and a second run changes nothing', () => {
    writeFileSync(join(tmp, 'etc', 'ari.conf'), '; the site’s old ari.conf\n');
    writeFileSync(join(tmp, 'etc', 'modules.conf'), '; not ours\n');
    let r = install(['--skip-prompts']);
    expect(r.status, r.stderr).to.equal(0);

    const etc = readdirSync(join(tmp, 'etc'));
    const backups = etc.filter((f) => f.startsWith('ari.conf.hotline-bak-'));
    expect(backups).to.have.length(1);
    expect(readFileSync(join(tmp, 'etc', backups[0]!), 'utf8')).to.contain('old ari.conf');
    expect(readFileSync(join(tmp, 'etc', 'modules.conf'), 'utf8')).to.equal('; not ours\n');

    for (const f of CONF_FILES) {
      const text = readFileSync(join(tmp, 'etc', f), 'utf8');
      const live = text.split('\n').filter((l) => !/^\s*;/.test(l)).join('\n');
      expect(live, f).to.not.contain('CHANGE_ME');
      expect(() => parseConf(text), f).to.not.throw();
    }
    const installed = (f: string) => parseConf(readFileSync(join(tmp, 'etc', f), 'utf8'));
    const ari = installed('ari.conf');
    expect(values(ari, only(ari, 'cti')).get('password')).to.equal(secrets.ARI_PASSWORD);
    const ami = installed('manager.conf');
    expect(values(ami, only(ami, 'cti')).get('secret')).to.equal(secrets.AMI_SECRET);
    const pjsip = installed('pjsip.conf');
    expect(pjsipObject(pjsip, '1001', 'auth').get('password')).to.equal(secrets.AGENT_1001_PASSWORD);
    expect(pjsipObject(pjsip, '1010', 'auth').get('password')).to.equal(secrets.AGENT_PASSWORD);
    expect(pjsipObject(pjsip, 'carrier', 'registration').get('client_uri')).to.equal(
      `sip:${secrets.TRUNK_USERNAME}@${secrets.TRUNK_HOST}`,
    );

    expect(readFileSync(join(tmp, 'sounds/hotline/yue/goodbye.wav'), 'utf8')).to.equal('RIFF fake');
    expect(existsSync(join(tmp, 'sounds/hotline/manifest.json'))).to.equal(true);
    if (spawnSync('sox', ['--version']).status === 0) {
      expect(readdirSync(join(tmp, 'moh', 'hotline'))).to.have.length(1);
    }
    expect(r.stdout).to.contain('reload skipped');

    // Second run: nothing to do, no new backup; a prompt that disappeared is removed.
    rmSync(join(tmp, 'prompts/hotline/cmn/goodbye.wav'));
    r = install(['--skip-prompts']);
    expect(r.status, r.stderr).to.equal(0);
    for (const f of CONF_FILES) expect(r.stdout).to.contain(`unchanged ${join(tmp, 'etc', f)}`);
    expect(readdirSync(join(tmp, 'etc')).filter((f) => f.includes('hotline-bak'))).to.have.length(1);
    expect(r.stdout).to.contain('0 copied, 2 unchanged, 1 removed');
    expect(existsSync(join(tmp, 'sounds/hotline/cmn/goodbye.wav'))).to.equal(false);
    expect(r.stdout).to.contain('already has files');
  });
});

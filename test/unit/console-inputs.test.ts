import { expect } from 'chai';
import { recordingFile } from '../../recordings/routes';
import { createWorkOrderSchema, setStateSchema } from '../../contracts';
import { ConfigError, DEV_JWT_SECRET, loadConfig, usesDevJwtSecret } from '../../core/config';

describe('console inputs', () => {
  describe('recording file names', () => {
    const DIRS = { recordings: '/rec', monitor: '/monitor' };
    it('accept the names the call flow makes, with or without .wav', () => {
      expect(recordingFile(DIRS, 'call-0b7c6a52-3a8e-4a4c-9a53-6f1f2b8e9d10')).to.deep.include({
        name: 'call-0b7c6a52-3a8e-4a4c-9a53-6f1f2b8e9d10',
        file: 'call-0b7c6a52-3a8e-4a4c-9a53-6f1f2b8e9d10.wav',
      });
      expect(recordingFile(DIRS, 'call-1.wav')?.file).to.equal('call-1.wav');
    });

    it('read a fallback call’s MixMonitor file (one dot in its Uniqueid) from the monitor directory', () => {
      for (const raw of ['fallback-1796162565.15', 'fallback-1796162565.15.wav']) {
        expect(recordingFile(DIRS, raw), raw).to.deep.equal({ name: 'fallback-1796162565.15', root: '/monitor', file: 'fallback-1796162565.15.wav' });
      }
      expect(recordingFile(DIRS, 'fallback-1796162565')?.root).to.equal('/rec');
      for (const bad of ['fallback-1.2.3', 'fallback-.15', 'fallback-1796162565.', 'fallback-a.15', 'call-1.15', 'fallback-1.15.wav.wav', 'fallback-1..15', 'fallback-1.15/..', '../fallback-1.15']) {
        expect(recordingFile(DIRS, bad), bad).to.equal(null);
      }
    });

    it('refuse anything that could leave the directory or name another file', () => {
      for (const bad of ['../etc/passwd', '..', '.hidden', 'a/b', 'a\\b', '%2e%2e', 'x..wav', 'call-1.mp3', 'call-1.wav.wav', '', 'a'.repeat(200), 'x\u0000y', '/etc/passwd']) {
        expect(recordingFile(DIRS, bad), bad).to.equal(null);
      }
    });
  });

  describe('work-order command', () => {
    const base = { contactPhone: '13912345678', address: '东城区东风路1号', description: '漏水' };
    it('needs the Art. 13 location for leak, fault and burst reports only', () => {
      expect(createWorkOrderSchema.safeParse({ ...base, category: 'leak' }).success).to.equal(false);
      expect(createWorkOrderSchema.safeParse({ ...base, category: 'pipe_burst', leak: { location: '路口' } }).success).to.equal(true);
      expect(createWorkOrderSchema.safeParse({ ...base, category: 'billing' }).success).to.equal(true);
    });
    it('refuses unknown categories, bad phones, unknown fields and oversized text', () => {
      expect(createWorkOrderSchema.safeParse({ ...base, category: 'gossip' }).success).to.equal(false);
      expect(createWorkOrderSchema.safeParse({ ...base, category: 'inquiry', contactPhone: 'call me' }).success).to.equal(false);
      expect(createWorkOrderSchema.safeParse({ ...base, category: 'inquiry', status: 'resolved' }).success).to.equal(false);
      expect(createWorkOrderSchema.safeParse({ ...base, category: 'inquiry', description: 'x'.repeat(4001) }).success).to.equal(false);
      expect(createWorkOrderSchema.safeParse({ ...base, category: 'inquiry', description: '   ' }).success).to.equal(false);
    });
  });

  it('state command: Not Ready needs a listed reason', () => {
    expect(setStateSchema.safeParse({ state: 'not_ready', reason: 'meal' }).success).to.equal(true);
    expect(setStateSchema.safeParse({ state: 'not_ready' }).success).to.equal(false);
    expect(setStateSchema.safeParse({ state: 'not_ready', reason: 'nap' }).success).to.equal(false);
    expect(setStateSchema.safeParse({ state: 'talking' }).success).to.equal(false);
  });

  describe('JWT_SECRET and TOKEN_TTL', () => {
    it('development and test use the documented development key, flagged', () => {
      const c = loadConfig({});
      expect(c.JWT_SECRET).to.equal(DEV_JWT_SECRET);
      expect(usesDevJwtSecret(c)).to.equal(true);
      expect(c.TOKEN_TTL).to.equal(12 * 3600);
    });

    it('production refuses to start without a secret of its own, listing it with the other problems', () => {
      for (const env of [{ NODE_ENV: 'production' }, { NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET }]) {
        let err: unknown;
        try {
          loadConfig({ ...env, HTTP_PORT: 'x' });
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(ConfigError);
        const problems = (err as ConfigError).problems.join('\n');
        expect(problems).to.contain('JWT_SECRET');
        expect(problems).to.contain('HTTP_PORT');
        expect(problems).not.to.contain(DEV_JWT_SECRET);
      }
      const ok = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(40) });
      expect(usesDevJwtSecret(ok)).to.equal(false);
    });

    it('TOKEN_TTL takes seconds or a unit, within 1 minute to 7 days', () => {
      expect(loadConfig({ TOKEN_TTL: '30m' }).TOKEN_TTL).to.equal(1800);
      expect(loadConfig({ TOKEN_TTL: '8h' }).TOKEN_TTL).to.equal(8 * 3600);
      expect(loadConfig({ TOKEN_TTL: '600' }).TOKEN_TTL).to.equal(600);
      expect(() => loadConfig({ TOKEN_TTL: '10s' })).to.throw(ConfigError);
      expect(() => loadConfig({ TOKEN_TTL: '30d' })).to.throw(ConfigError);
      expect(() => loadConfig({ JWT_SECRET: 'short' })).to.throw(ConfigError);
    });
  });
});

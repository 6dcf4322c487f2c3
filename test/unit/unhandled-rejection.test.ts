import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';

describe('process entry: an unhandled rejection is logged and the process keeps serving', () => {
  it('logs it and carries on (Node 20 alone would exit with code 1)', function () {
    this.timeout(30_000);
    const root = join(__dirname, '..', '..');
    const script = `
      const { keepServingOnUnhandledRejection } = require('./main');
      const { createLogger } = require('./core/logger');
      keepServingOnUnhandledRejection(createLogger({ LOG_LEVEL: 'info', NODE_ID: 't' }));
      Promise.reject(new Error('nobody listens'));
      setTimeout(() => { process.stdout.write('still serving\\n'); process.exit(0); }, 200);
    `;
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('still serving');
    expect(r.stdout).to.match(/unhandled promise rejection.*nobody listens|nobody listens.*unhandled promise rejection/s);

    const without = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', "Promise.reject(new Error('x')); setTimeout(() => process.exit(0), 200);"], { cwd: root, encoding: 'utf8' });
    expect(without.status, 'the control: without the handler Node ends the process').to.equal(1);
  });
});

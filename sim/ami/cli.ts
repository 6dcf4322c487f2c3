import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { PbxModel } from '../pbx';
import { AmiSimulator } from './server';

/**
 * Runs the AMI simulator on its own (demo, manual tests with a real AMI client):
 *   npx tsx sim/ami/cli.ts --port 5038 --extensions 1001,1002,1003
 * Then type commands on stdin to change the simulated PBX:
 *   phone <ext> registered|unregistered|reachable|unreachable
 *   trunk up|down|removed|added     refresh     restart [downMs]
 *   silent on|off     drop     quit
 */

const HELP = `usage: tsx sim/ami/cli.ts [--port 5038] [--username cti] [--secret cti]
  [--extensions 1001,1002,1003] [--trunk carrier] [--refresh-ms 20000] [--auth-fail-delay-ms 1000]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5038' },
      username: { type: 'string', default: 'cti' },
      secret: { type: 'string', default: 'cti' },
      extensions: { type: 'string', default: '1001,1002,1003' },
      trunk: { type: 'string', default: 'carrier' },
      'refresh-ms': { type: 'string', default: '0' },
      'auth-fail-delay-ms': { type: 'string', default: '1000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const num = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
    return n;
  };
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const pbx = new PbxModel({
    extensions: values.extensions.split(',').map((e) => e.trim()).filter(Boolean),
    trunkName: values.trunk,
  });
  const sim = new AmiSimulator({
    port: num('port', values.port),
    username: values.username,
    secret: values.secret,
    pbx,
    logger,
    registrationRefreshMs: num('refresh-ms', values['refresh-ms']),
    authFailDelayMs: num('auth-fail-delay-ms', values['auth-fail-delay-ms']),
  });
  const { host, port } = await sim.start();
  process.stdout.write(`AMI simulator on ${host}:${port} (user ${values.username})\n`);

  const shutdown = () => {
    sim.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [cmd, a, b] = line.trim().split(/\s+/);
    try {
      switch (cmd) {
        case 'phone': {
          const patch: Record<string, { registered?: boolean; reachable?: boolean }> = {
            registered: { registered: true, reachable: true },
            unregistered: { registered: false },
            reachable: { reachable: true },
            unreachable: { reachable: false },
          };
          if (!a || !b || !patch[b]) throw new Error('phone <ext> registered|unregistered|reachable|unreachable');
          pbx.setPhone(a, patch[b]);
          break;
        }
        case 'trunk':
          if (a === 'up' || a === 'down') pbx.setTrunk(a === 'up');
          else if (a === 'removed' || a === 'added') sim.setTrunkConfigured(a === 'added');
          else throw new Error('trunk up|down|removed|added');
          break;
        case 'refresh':
          sim.refreshRegistration();
          break;
        case 'restart':
          sim
            .restart({ downMs: a ? num('downMs', a) : 650 })
            .catch((err: unknown) => process.stderr.write(`${(err as Error).message}\n`));
          break;
        case 'silent':
          sim.setSilent(a === 'on');
          break;
        case 'drop':
          sim.dropConnections();
          break;
        case 'quit':
          shutdown();
          break;
        case '':
        case undefined:
          break;
        default:
          throw new Error(`unknown command ${cmd}`);
      }
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
    }
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`ami simulator: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

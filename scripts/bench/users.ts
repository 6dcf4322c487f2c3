import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { TokenService } from '../../auth/token-service';
import { openMongo } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { createModels, syncIndexes } from '../../models';
import { customers, departments } from '../seed-data';

/** Work numbers of the bench's people: clear of the demo's 1001–9001 (scripts/seed-data.ts). */
export const AGENT_BASE = 10_001;
export const SUPERVISOR_BASE = 60_001;
export const MAX_AGENTS = SUPERVISOR_BASE - AGENT_BASE;

export interface BenchUser {
  workNumber: string;
  token: string;
}

/**
 * Into a fresh database: the demo's departments and 200 customers (the pops' data), N agents who speak both
 * languages, each at the desk phone of the same number, and M supervisors. Tokens are signed
 * directly with the CTI's key, as /api/login would sign them, rather than N bcrypt log-ins.
 */
export async function seedBench(mongoUrl: string, opts: { agents: number; supervisors: number; jwtSecret: string }): Promise<{ agents: BenchUser[]; supervisors: BenchUser[] }> {
  const conn = await openMongo(mongoUrl, createLogger({ LOG_LEVEL: 'warn', NODE_ID: 'bench' }));
  try {
    const models = createModels(conn);
    await syncIndexes(models);
    // The demo's departments and customers as scripts/seed.ts writes them, but inserted in bulk
    // into the bench's fresh database: upserts one by one take seconds on FerretDB, and
    // `--quick` has two minutes for everything.
    await models.Department.insertMany(
      departments.map((d) => ({
        code: d.code,
        name: d.name,
        leaderContacts: [{ name: `${d.name}负责人`, phone: d.leader, title: '部门负责人' }],
        onDutyContacts: [{ name: `${d.name}值班`, phone: d.onDuty }],
      })),
    );
    await models.Customer.insertMany(customers(), { ordered: false });
    // Nobody logs in with a password; the hash only satisfies the schema (cost 4: one is made).
    const passwordHash = await bcrypt.hash(randomBytes(12).toString('hex'), 4);
    const people = [
      ...Array.from({ length: opts.agents }, (_, i) => {
        const wn = String(AGENT_BASE + i);
        return { workNumber: wn, name: `坐席${wn}`, role: 'agent' as const, languages: ['yue', 'cmn'], extension: wn };
      }),
      ...Array.from({ length: opts.supervisors }, (_, i) => {
        const wn = String(SUPERVISOR_BASE + i);
        return { workNumber: wn, name: `班长${wn}`, role: 'supervisor' as const, languages: ['yue', 'cmn'] };
      }),
    ];
    await models.Agent.insertMany(
      people.map((p) => ({ ...p, passwordHash, active: true, leader: false })),
      { ordered: false },
    );
    const tokens = new TokenService(opts.jwtSecret, 24 * 3600);
    const sign = (p: (typeof people)[number]): BenchUser => ({ workNumber: p.workNumber, token: tokens.issue({ workNumber: p.workNumber, name: p.name, role: p.role }).token });
    return {
      agents: people.filter((p) => p.role === 'agent').map(sign),
      supervisors: people.filter((p) => p.role === 'supervisor').map(sign),
    };
  } finally {
    await conn.close();
  }
}

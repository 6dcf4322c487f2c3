import bcrypt from 'bcryptjs';
import { loadConfig } from '../core/config';
import { openMongo } from '../core/connections';
import { createLogger } from '../core/logger';
import { createModels, syncIndexes, type Models } from '../models';
import { areaContacts, customers, DEMO_PASSWORD, departments, people } from './seed-data';

/** Loads the demo data; idempotent (upserts by natural key), safe to run on every demo start. */
export async function seed(models: Models, opts: { password?: string } = {}): Promise<{ agents: number; customers: number }> {
  await syncIndexes(models);
  for (const d of departments) {
    await models.Department.updateOne(
      { code: d.code },
      {
        $set: {
          name: d.name,
          leaderContacts: [{ name: `${d.name}负责人`, phone: d.leader, title: '部门负责人' }],
          onDutyContacts: [{ name: `${d.name}值班`, phone: d.onDuty }],
          ...(d.transfer ? { transferNumber: d.transfer } : {}),
        },
      },
      { upsert: true, runValidators: true },
    );
  }
  const passwordHash = await bcrypt.hash(opts.password ?? DEMO_PASSWORD, 10);
  for (const p of people) {
    await models.Agent.updateOne(
      { workNumber: p.workNumber },
      { $set: { ...p, leader: p.leader ?? false, active: true }, $setOnInsert: { passwordHash } },
      { upsert: true, runValidators: true },
    );
  }
  const list = customers();
  for (const c of list) {
    await models.Customer.updateOne({ accountNumber: c.accountNumber }, { $set: c }, { upsert: true, runValidators: true });
  }
  for (const c of areaContacts()) {
    await models.AreaContact.updateOne({ areaCode: c.areaCode, phone: c.phone }, { $set: c }, { upsert: true, runValidators: true });
  }
  return { agents: people.length, customers: list.length };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const conn = await openMongo(config.MONGO_URL, logger);
  try {
    const counts = await seed(createModels(conn));
    logger.info(counts, `seeded ${config.MONGO_URL.replace(/\/\/[^@]*@/, '//***@')}`);
  } finally {
    await conn.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`seed failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import type { Connection } from 'mongoose';
import { openMongo } from '../../core/connections';
import { createLogger } from '../../core/logger';
import { createModels, type Models } from '../../models';
import { seed } from '../../scripts/seed';
import { DEMO_PASSWORD } from '../../scripts/seed-data';
import { testConfig } from '../helpers/env';

describe('demo seed', function () {
  this.timeout(60_000);
  let conn: Connection;
  let models: Models;
  before(async () => {
    conn = await openMongo(testConfig().MONGO_URL, createLogger({ LOG_LEVEL: 'silent', NODE_ID: 't' }));
    models = createModels(conn);
  });
  after(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('loads departments, agents in both languages, a supervisor, an admin and 200 customers; twice is the same', async () => {
    await seed(models);
    await seed(models);
    expect(await models.Department.countDocuments()).to.equal(6);
    expect(await models.Agent.countDocuments({ role: 'agent' })).to.equal(10);
    expect(await models.Agent.countDocuments({ role: 'agent', languages: 'yue' })).to.be.at.least(5);
    expect(await models.Agent.countDocuments({ role: 'agent', languages: 'cmn' })).to.be.at.least(5);
    expect(await models.Agent.countDocuments({ role: 'supervisor' })).to.equal(1);
    expect(await models.Agent.countDocuments({ role: 'admin' })).to.equal(1);
    expect(await models.Customer.countDocuments()).to.equal(200);
    expect((await models.Customer.distinct('areaCode')).length).to.equal(5);
    expect(await models.Customer.countDocuments({ bigUser: true })).to.be.greaterThan(0);
    const agent = await models.Agent.findOne({ workNumber: '1001' }).select('+passwordHash').lean();
    expect(await bcrypt.compare(DEMO_PASSWORD, agent!.passwordHash)).to.equal(true);
  });
});

import { expect } from 'chai';
import { startCti, type CtiNode } from '../../main';
import { testConfig } from '../helpers/env';
import { AmiSimulator } from '../../sim/ami/server';
import { AriSimulator } from '../../sim/ari/server';
import { PbxModel } from '../../sim/pbx';
import { DisposableRedis, freePort } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait';

describe('/healthz and /readyz', function () {
  this.timeout(30_000);
  let redis: DisposableRedis;
  let node: CtiNode;

  before(async () => {
    redis = await DisposableRedis.create();
    node = await startCti(testConfig({ REDIS_URL: redis.url }), { telephony: false });
  });
  after(async () => {
    await node?.mongo.dropDatabase().catch(() => undefined);
    await node?.stop();
    await redis?.stop();
  });

  const readyz = async () => {
    const res = await fetch(`${node.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string; reasons: string[] } };
  };

  it('answers 200 when Redis and MongoDB are reachable', async () => {
    const r = await waitFor(async () => {
      const x = await readyz();
      return x.status === 200 && x;
    }, { what: 'ready' });
    expect(r.body.status).to.equal('ready');
    const h = await fetch(`${node.url}/healthz`);
    expect(h.status).to.equal(200);
  });

  it('answers 503 with the reason while Redis is down, and 200 once it is back', async () => {
    await redis.stop();
    const down = await waitFor(async () => {
      const x = await readyz();
      return x.status === 503 && x;
    }, { what: '503 after stopping redis' });
    expect(down.body.status).to.equal('not ready');
    expect(down.body.reasons.join(' ')).to.match(/^redis: /);
    expect(down.body.reasons).to.have.length(1);
    // /healthz is liveness only: still 200 while a dependency is down.
    expect((await fetch(`${node.url}/healthz`)).status).to.equal(200);

    await redis.start();
    const up = await waitFor(async () => {
      const x = await readyz();
      return x.status === 200 && x;
    }, { what: '200 after restarting redis', timeoutMs: 20_000 });
    expect(up.body.reasons).to.deep.equal([]);
  });
});

describe('/readyz with the telephony side: starts without Asterisk, ready once ARI and AMI answer', function () {
  this.timeout(60_000);
  it('serves 503 naming ARI and AMI while the PBX is down, 200 once it is up', async () => {
    const [ariPort, amiPort] = [await freePort(), await freePort()];
    const node = await startCti(testConfig({ ARI_URL: `http://127.0.0.1:${ariPort}`, AMI_PORT: String(amiPort), ARI_CONNECT_WAIT_MS: '300' }));
    const pbx = new PbxModel({ extensions: ['1001'] });
    const ari = new AriSimulator({ pbx, port: ariPort });
    const ami = new AmiSimulator({ pbx, port: amiPort, username: 'cti', secret: 'cti' });
    try {
      const down = await fetch(`${node.url}/readyz`);
      expect(down.status).to.equal(503);
      const reasons = ((await down.json()) as { reasons: string[] }).reasons.join(' | ');
      expect(reasons).to.match(/ari: /);
      expect(reasons).to.match(/ami: /);
      await ari.start();
      await ami.start();
      await waitFor(async () => (await fetch(`${node.url}/readyz`)).status === 200, { what: 'ready once the PBX is up', timeoutMs: 30_000 });
    } finally {
      await node.mongo.dropDatabase().catch(() => undefined);
      await node.stop();
      await ari.stop();
      await ami.stop();
    }
  });
});

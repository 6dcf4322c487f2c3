import { expect } from 'chai';
import type { CreateOutageBody, OutageNoticeView } from '../../contracts';
import type { OutagePost } from '../../outages/publishers';
import { ConsoleNode } from '../helpers/console-node';
import { JsonSink } from '../helpers/json-sink';
import { deleteKeys, testRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';
import { SmsSink } from '../helpers/work-order-rig';

const HOUR = 3600_000;
const AREA = 'TST-A1';
const OTHER_AREA = 'TST-B2';
const BIG_USER = '13600009001';
const ESTATE = '13600009002';
const LEADER = '13800000202';
const BUREAU = '13800000301';

/** The publishers (WeChat, website, 红豆网): one HTTP endpoint on 127.0.0.1, a path each, refusing once each `<channel>:<number>` in `refuseOnce`. */
class PublisherSink {
  readonly got: Array<{ channel: string; post: OutagePost; key: string | undefined }> = [];
  /** Refused once, then taken: per outage, so another test's late post never uses up the refusal. */
  readonly refuseOnce = new Set<string>();
  private readonly sink = new JsonSink((path, body, headers) => {
    const channel = path.slice(1);
    const post = body as OutagePost;
    if (this.refuseOnce.delete(`${channel}:${post.number}`)) return 503;
    this.got.push({ channel, post, key: headers['idempotency-key'] as string | undefined });
    return 200;
  });
  get url(): string {
    return this.sink.url;
  }
  start(): Promise<void> {
    return this.sink.start();
  }
  of(number: string): Array<{ channel: string; version: number; what: string }> {
    return this.got.filter((g) => g.post.number === number).map((g) => ({ channel: g.channel, version: g.post.version, what: g.post.what }));
  }
  stop(): void {
    this.sink.stop();
  }
}

/**
 * Water-outage notices (停水, Art. 16–19) on two CTI processes sharing real Redis and FerretDB:
 * drafted, approved and published over REST; the publishers are webhooks on 127.0.0.1 and the SMS
 * provider another; the 5000-person rules on both sides of the threshold; every publication once.
 */
describe('outage notices (停水): the 5000-person rules, publication once per version, big users 24 h ahead', function () {
  this.timeout(60_000);
  const sms = new SmsSink();
  const pub = new PublisherSink();
  let a: ConsoleNode;
  let b: ConsoleNode;

  before(async () => {
    await sms.start();
    await pub.start();
    a = await ConsoleNode.start({
      SMS_GATEWAY: 'webhook',
      SMS_WEBHOOK_URL: sms.url,
      OUTAGE_PUBLISH_WECHAT_URL: `${pub.url}/wechat`,
      OUTAGE_PUBLISH_WEBSITE_URL: `${pub.url}/website`,
      OUTAGE_PUBLISH_HONGDOU_URL: `${pub.url}/hongdou`,
      OUTAGE_LEADER_CONTACTS: `deputy_manager=${LEADER}`,
      OUTAGE_BUREAU_CONTACTS: `bureau=${BUREAU}`,
    });
    b = await ConsoleNode.start({}, { ...a.config, NODE_ID: 'b' });
    const { Customer, AreaContact } = a.node.models;
    await Customer.create([
      { accountNumber: '90000001', name: '东城食品厂', phones: [BIG_USER], address: '东城工业路 1 号', areaCode: AREA, bigUser: true },
      { accountNumber: '90000002', name: '陈先生', phones: ['13600009003'], address: '东城工业路 2 号', areaCode: AREA },
      { accountNumber: '90000003', name: '西城酒店', phones: ['13600009004'], address: '西城大道 9 号', areaCode: OTHER_AREA, bigUser: true },
    ]);
    await AreaContact.create({ areaCode: AREA, kind: 'estate', name: '东城花园物业', phone: ESTATE });
  });
  after(async () => {
    await b?.stop({ dropDb: false });
    await a?.stop();
    sms.stop();
    pub.stop();
    if (a) {
      const redis = testRedis(a.config);
      await deleteKeys(redis, `*${a.config.REDIS_PREFIX}*`);
      redis.disconnect();
    }
  });

  const draft = (over: Partial<CreateOutageBody> = {}): CreateOutageBody => ({
    kind: 'planned',
    source: 'network',
    areaCodes: [AREA],
    streets: ['东城工业路'],
    areaDescription: '东城工业路一带',
    startsAt: Date.now() + 48 * HOUR,
    expectedEndAt: Date.now() + 56 * HOUR,
    valves: [{ count: 2, diameterMm: 300, number: 'F-12', location: '工业路与东风路口' }],
    mainRoadDug: true,
    peopleAffected: 1200,
    ...over,
  });

  async function call<T>(node: ConsoleNode, wn: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T & { error?: { zh?: string; message: string } } }> {
    const res = await fetch(`${node.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await node.token(wn)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T & { error?: { zh?: string; message: string } } };
  }
  const create = async (over: Partial<CreateOutageBody> = {}) => {
    const r = await call<OutageNoticeView>(a, '3101', 'POST', '/api/outages', draft(over));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body;
  };
  const step = (number: string, s: string, wn = '3101', node = a) => call<OutageNoticeView>(node, wn, 'POST', `/api/outages/${number}/${s}`);

  it('5000 people: no bureau approval needed, published to WeChat and the website only, no leader told', async () => {
    const o = await create({ peopleAffected: 5000 });
    expect(o).to.include({ status: 'draft', large: false, needsBureauApproval: false, department: 'engineering' });
    expect(o.number).to.match(/^TS\d{8}-\d{2}$/);
    expect((await step(o.number, 'approve', '3111')).status).to.equal(200);
    const done = await step(o.number, 'publish');
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    await waitFor(() => pub.of(o.number).length === 2, { what: 'two publications' });
    expect(pub.of(o.number).map((p) => p.channel).sort()).to.deep.equal(['website', 'wechat']);
    await waitFor(() => sms.got.some((m) => m.to === ESTATE && m.text.includes('东城工业路')), { what: 'the estate texted' });
    expect(sms.got.filter((m) => m.to === LEADER && m.text.includes(o.number))).to.have.length(0);
  });

  it('5001 people, planned network: publication refused in Chinese until the bureau approval is recorded; then 红豆网 too, and the leaders are texted', async () => {
    const o = await create({ peopleAffected: 5001 });
    expect(o).to.include({ large: true, needsBureauApproval: true });
    await step(o.number, 'approve', '3111');
    const refused = await step(o.number, 'publish');
    expect(refused.status).to.equal(409);
    expect(refused.body.error?.zh).to.contain('5001').and.contain('5000').and.contain('市水务局审批');
    const still = await call<OutageNoticeView>(a, '3101', 'GET', `/api/outages/${o.number}`);
    expect(still.body).to.include({ status: 'approved', version: 0 });
    expect(still.body.publications).to.deep.equal([]);

    const bad = await call<OutageNoticeView>(a, '3101', 'POST', `/api/outages/${o.number}/bureau-approval`, { by: '市水务局 李科长', reference: '' , at: Date.now() });
    expect(bad.status).to.equal(400);
    const ok = await call<OutageNoticeView>(a, '3101', 'POST', `/api/outages/${o.number}/bureau-approval`, { by: '市水务局 李科长', reference: '水务审〔2026〕118号', at: Date.now() - HOUR });
    expect(ok.status).to.equal(200);
    expect(ok.body.bureauApproval).to.include({ by: '市水务局 李科长', reference: '水务审〔2026〕118号', recordedBy: '3101' });
    const published = await step(o.number, 'publish');
    expect(published.status).to.equal(200);
    await waitFor(() => pub.of(o.number).length === 3, { what: 'three publications' });
    expect(pub.of(o.number).map((p) => p.channel).sort()).to.deep.equal(['hongdou', 'website', 'wechat']);
    const leader = await waitFor(() => sms.got.find((m) => m.to === LEADER && m.text.includes(o.number)), { what: 'the company leader texted' });
    expect(leader.text).to.contain('大范围停水').and.contain('5001');
    // Planned: the bureau approved it; its section is texted only of unplanned repairs.
    expect(sms.got.filter((m) => m.to === BUREAU && m.text.includes(o.number))).to.have.length(0);
  });

  it('5001 people, unplanned repair: published at once without approval, the bureau section texted; 5000 texts nobody', async () => {
    const small = await create({ kind: 'unplanned', peopleAffected: 5000, startsAt: Date.now() - 60_000, expectedEndAt: Date.now() + 4 * HOUR });
    expect((await step(small.number, 'publish')).status).to.equal(200);
    const large = await create({ kind: 'unplanned', peopleAffected: 5001, startsAt: Date.now() - 60_000, expectedEndAt: Date.now() + 4 * HOUR });
    expect(large.needsBureauApproval).to.equal(false);
    const r = await step(large.number, 'publish');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.history.at(-1)).to.include({ action: 'published', note: '抢修停水直接发布' });
    await waitFor(() => sms.got.some((m) => m.to === BUREAU && m.text.includes(large.number)), { what: 'the bureau section texted' });
    await waitFor(() => pub.of(small.number).length === 2, { what: 'the small one published' });
    expect(sms.got.filter((m) => (m.to === BUREAU || m.to === LEADER) && m.text.includes(small.number))).to.have.length(0);
  });

  it('each publisher receives each version exactly once with two processes, a refused post retried; asking both processes again sends nothing more', async () => {
    const o = await create();
    pub.refuseOnce.add(`wechat:${o.number}`);
    await step(o.number, 'approve', '3111', b);
    await step(o.number, 'publish', '3101', b);
    await waitFor(async () => (await a.node.services.outages.get(o.number)).publications.every((p) => p.status === 'sent'), { what: 'every publication sent', timeoutMs: 20_000 });
    await Promise.all([a.node.services.outages.effects(o.number), b.node.services.outages.effects(o.number), a.node.services.outages.effects(o.number)]);
    const after = await a.node.services.outages.get(o.number);
    expect(after.publications.find((p) => p.channel === 'wechat')).to.include({ status: 'sent', attempts: 2, version: 1 });
    expect(pub.of(o.number)).to.have.deep.members([
      { channel: 'wechat', version: 1, what: 'notice' },
      { channel: 'website', version: 1, what: 'notice' },
    ]);
    expect(pub.of(o.number)).to.have.length(2);
    expect(pub.got.find((g) => g.post.number === o.number)?.key).to.equal(`${o.number}.v1`);
    // The estate of the area: texted once for the version, whichever process asked.
    expect(sms.got.filter((m) => m.to === ESTATE && (m.id ?? '').includes(`outage.${o.number}.v1.`))).to.have.length(1);
  });

  it('big users: armed for T−24 h, moved with the start, told at once when less than 24 h is left; cancelled and restored go out as new versions', async () => {
    const svc = a.node.services.outages;
    const o = await create({ startsAt: Date.now() + 30 * HOUR, expectedEndAt: Date.now() + 34 * HOUR, streets: ['东城三路'] });
    await step(o.number, 'approve', '3111');
    await step(o.number, 'publish');
    const armed = await svc.rules.bigUsers.queue.getJob(svc.rules.bigUsers.idFor({ number: o.number, startsAt: o.startsAt }));
    expect(armed && (await armed.isDelayed())).to.equal(true);
    expect(armed!.timestamp + (armed!.opts.delay ?? 0)).to.be.closeTo(o.startsAt - 24 * HOUR, 5_000);

    const moved = await call<OutageNoticeView>(a, '3101', 'POST', `/api/outages/${o.number}/reschedule`, { startsAt: o.startsAt + 10 * HOUR, expectedEndAt: o.expectedEndAt + 10 * HOUR, note: '配合道路施工' });
    expect(moved.status).to.equal(200);
    expect(moved.body.version).to.equal(2);
    expect(await svc.rules.bigUsers.queue.getJob(svc.rules.bigUsers.idFor({ number: o.number, startsAt: o.startsAt }))).to.equal(undefined);
    const rearmed = await svc.rules.bigUsers.queue.getJob(svc.rules.bigUsers.idFor({ number: o.number, startsAt: o.startsAt + 10 * HOUR }));
    expect(rearmed!.timestamp + (rearmed!.opts.delay ?? 0)).to.be.closeTo(o.startsAt + 10 * HOUR - 24 * HOUR, 5_000);
    await waitFor(() => pub.of(o.number).filter((p) => p.version === 2).length === 2, { what: 'the moved notice published' });
    expect(sms.got.filter((m) => m.to === BIG_USER && m.text.includes('东城三路'))).to.have.length(0);

    // Cancelled (before the big users' 24 h notice): the publishers, the area and the big users hear it is off.
    const cancelled = await step(o.number, 'cancel');
    expect(cancelled.body).to.include({ status: 'cancelled', version: 3 });
    await waitFor(() => pub.of(o.number).filter((p) => p.what === 'cancelled').length === 2, { what: 'the cancellation published' });
    await waitFor(() => sms.got.some((m) => m.to === ESTATE && m.text.includes('停水已取消') && m.text.includes('东城三路')), { what: 'the area told of the cancellation' });
    await waitFor(() => sms.got.some((m) => m.to === BIG_USER && m.text.includes('停水已取消') && m.text.includes('东城三路')), { what: 'the big user told of the cancellation' });
    expect(sms.got.filter((m) => m.to === BIG_USER && m.text.includes('东城三路') && !m.text.includes('停水已取消'))).to.have.length(0);
    expect(await svc.rules.bigUsers.queue.getJob(svc.rules.bigUsers.idFor({ number: o.number, startsAt: o.startsAt + 10 * HOUR }))).to.equal(undefined);

    // Less than 24 h left: told at once; one of another area is not.
    const soon = await create({ kind: 'unplanned', startsAt: Date.now() + 2 * HOUR, expectedEndAt: Date.now() + 6 * HOUR, streets: ['东城二路'] });
    await step(soon.number, 'publish');
    const told = await waitFor(() => sms.got.find((m) => m.to === BIG_USER && m.text.includes('东城二路')), { what: 'the big user told at once' });
    expect(told.text).to.contain('停止供水');
    expect(sms.got.filter((m) => m.to === '13600009004' && m.text.includes('东城二路'))).to.have.length(0);
    // Not a big user: texted by nobody.
    expect(sms.got.filter((m) => m.to === '13600009003')).to.have.length(0);

    // Under way, then water back: published and texted to the area and the big users.
    expect((await step(soon.number, 'start', '3001')).body.status).to.equal('in_progress');
    const pop = await a.node.popContext.builder.outages(AREA, Date.now());
    expect(pop.find((x) => x.number === soon.number)).to.include({ status: 'in_progress', source: 'network' });
    // Under way, only the end may move (the page sends times to the minute).
    const longer = await call<OutageNoticeView>(a, '3101', 'POST', `/api/outages/${soon.number}/reschedule`, { startsAt: Math.floor(soon.startsAt / 60_000) * 60_000, expectedEndAt: soon.expectedEndAt + HOUR });
    expect(longer.status, JSON.stringify(longer.body)).to.equal(200);
    expect(longer.body).to.include({ startsAt: soon.startsAt, expectedEndAt: soon.expectedEndAt + HOUR, version: 2 });
    const moved2 = await call<OutageNoticeView>(a, '3101', 'POST', `/api/outages/${soon.number}/reschedule`, { startsAt: soon.startsAt + HOUR, expectedEndAt: soon.expectedEndAt + 2 * HOUR });
    expect(moved2.status).to.equal(409);
    expect(moved2.body.error?.zh).to.contain('只能修改预计恢复时间');
    const back = await step(soon.number, 'restore', '3001');
    expect(back.body).to.include({ status: 'restored' });
    await waitFor(() => sms.got.some((m) => m.to === BIG_USER && m.text.includes('恢复供水') && m.text.includes('东城二路')), { what: 'water back texted' });
    await waitFor(() => pub.of(soon.number).filter((p) => p.what === 'restored').length === 2, { what: 'water back published' });
    expect((await a.node.popContext.builder.outages(AREA, Date.now())).find((x) => x.number === soon.number)).to.equal(undefined);
  });

  it('who may do what: an agent drafts nothing, only the business leader approves, engineering may not publish, a step from the wrong status is refused', async () => {
    expect((await call(a, '1001', 'POST', '/api/outages', draft())).status).to.equal(403);
    const o = await create();
    const notLeader = await step(o.number, 'approve', '3101');
    expect(notLeader.status).to.equal(403);
    expect(notLeader.body.error?.zh).to.contain('营业部负责人');
    await step(o.number, 'approve', '3111');
    const eng = await step(o.number, 'publish', '3001');
    expect(eng.status).to.equal(403);
    const early = await step(o.number, 'restore');
    expect(early.status).to.equal(409);
    expect(early.body.error?.zh).to.contain('已审核');
    const bad = await call(a, '3101', 'POST', '/api/outages', { ...draft(), expectedEndAt: Date.now() });
    expect(bad.status).to.equal(400);
    // Agents read them (the pop, the IVR's words).
    const list = await call<OutageNoticeView[]>(a, '1001', 'GET', '/api/outages?active=true');
    expect(list.status).to.equal(200);
    expect(list.body.every((x) => x.status === 'published' || x.status === 'in_progress')).to.equal(true);
  });

  it('the big users\' notice goes out when T−24 h comes, not before', async () => {
    // Starts 24 h and 3 s from now: the 24 h notice is due in 3 s.
    const startsAt = Date.now() + 24 * HOUR + 3000;
    const o = await create({ kind: 'unplanned', startsAt, expectedEndAt: startsAt + 4 * HOUR, streets: ['东城四路'] });
    await step(o.number, 'publish');
    const publishedAt = Date.now();
    const early = sms.got.filter((m) => m.to === BIG_USER && m.text.includes('东城四路'));
    // Published, and still before T−24 h (the step took far less than 3 s): nothing yet.
    expect(publishedAt).to.be.below(startsAt - 24 * HOUR);
    expect(early).to.have.length(0);
    await waitFor(() => sms.got.some((m) => m.to === BIG_USER && m.text.includes('东城四路')), { what: 'the big user told at T−24 h', timeoutMs: 20_000 });
    const toldAt = Date.now();
    expect(toldAt, 'not before T−24 h').to.be.at.least(startsAt - 24 * HOUR);
    expect(toldAt - publishedAt).to.be.at.least(startsAt - 24 * HOUR - publishedAt);
    expect((await a.node.services.outages.get(o.number)).status).to.equal('published');
    expect((await a.node.models.Outage.findOne({ number: o.number }).lean())!.bigUsersToldFor!.getTime()).to.equal(startsAt);
  });
});

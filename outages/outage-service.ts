import type { Job } from 'bullmq';
import type { RedisClient } from '../core/connections';
import { badRequest, conflict, forbidden, isDuplicateKey, notFound } from '../core/errors';
import type { Logger } from '../core/logger';
import { fmtZh, shanghaiDay } from '../core/time';
import type { Models } from '../models';
import type { DepartmentCode } from '../models/enums';
import { OUTAGE_ACTIVE_STATUSES, type OutageAction, type OutageChannel, type OutageDoc, type OutageStatus } from '../models/outage';
import type { SmsOutbox } from '../notify/sms-outbox';
import type { OrderLocks } from '../work-orders/order-lock';
import type {
  BureauApprovalBody,
  CreateOutageBody,
  ListOutagesQuery,
  OutageNoticeView,
  OutageStep,
  RescheduleOutageBody,
  SessionUser,
} from '../contracts';
import type { OutageBigUsersJob, OutagePublishJob, OutageRules } from './outage-rules';
import { cancelledText, largeOutageText, noticeText, restoredText, SMS_HEAD, spokenLargeOutage } from './outage-text';
import { toOutageView } from './outage-view';
import type { OutagePost, OutagePublishers } from './publishers';

export interface OutageSettings {
  /** OUTAGE_LARGE_THRESHOLD: more people than this is a large outage (Art. 16: 5000). */
  largeThreshold: number;
  /** OUTAGE_BIG_USER_LEAD_MS: big users are told this long before the start (Art. 18: 24 h). */
  bigUserLeadMs: number;
  /** The company leader in charge (分管领导), texted of a large outage. */
  companyLeaders: Array<{ role: string; phone: string }>;
  /** The city water bureau's section, texted of a large unplanned repair. */
  bureauContacts: Array<{ role: string; phone: string }>;
  sweepMs: number;
}

export interface OutageDeps {
  models: Models;
  redis: RedisClient;
  keyPrefix: string;
  sms: Pick<SmsOutbox, 'send'>;
  rules: OutageRules;
  publishers: OutagePublishers;
  /** One writer per outage across processes (FerretDB's conditional updates are not atomic). */
  locks: Pick<OrderLocks, 'run'>;
  /** The recorded notice call (notices/outage-caller.ts): a large outage is phoned too; absent without telephony. */
  calls?: { call(o: { number: string; spoken: string; address: string }, callees: Array<{ name: string; phone: string; role: 'on_duty' | 'leader' }>): Promise<void> };
  /** The outage's areas changed what callers are told (the pop cache, the board). */
  changed: (number: string) => Promise<void>;
  settings: OutageSettings;
  logger: Logger;
}

type Stored = OutageDoc & { createdAt: Date; updatedAt: Date };

/** Who manages notices: 营业部 (Art. 3: it publishes outage notices), supervisors and admins. */
const isBusiness = (u: SessionUser) => u.role === 'admin' || u.role === 'supervisor' || (u.role === 'department' && u.department === 'business');
/** Who may say the works began or water is back: also the responsible department and dispatch. */
const isWorks = (u: SessionUser, dept: DepartmentCode) => isBusiness(u) || (u.role === 'department' && (u.department === dept || u.department === 'dispatch'));

/** Where each step may start from. Unplanned repairs are published without a separate approval. */
const FROM: Record<OutageStep, readonly OutageStatus[]> = {
  approve: ['draft'],
  publish: ['approved'],
  start: ['published'],
  restore: ['published', 'in_progress'],
  cancel: ['draft', 'approved', 'published'],
};
const TO: Record<OutageStep, OutageStatus> = { approve: 'approved', publish: 'published', start: 'in_progress', restore: 'restored', cancel: 'cancelled' };
const ACTION: Record<OutageStep, OutageAction> = { approve: 'approved', publish: 'published', start: 'started', restore: 'restored', cancel: 'cancelled' };
const STEP_ZH: Record<OutageStep, string> = { approve: '审核', publish: '发布', start: '开始停水', restore: '恢复供水', cancel: '取消' };
const STATUS_ZH: Record<OutageStatus, string> = { draft: '草稿', approved: '已审核', published: '已发布', in_progress: '停水中', restored: '已恢复供水', cancelled: '已取消' };

/**
 * Water-outage notices (停水, Art. 16–19): drafted, approved, published, begun, ended. Publication
 * goes to every publisher (WeChat, the website; 红豆网 over 5000 people) once per version, texts
 * the area's registered enterprises, estates, property managers and communities, and arms the big
 * users' notice 24 h before the start; over 5000 people the production department and the company
 * leader are texted, and a planned network outage waits for the city bureau's approval. A moved
 * start, a cancellation and the water's return are published and texted again. Every effect is
 * keyed (job ids, SMS keys) and owed in the same write as the step (`effectsPending`), so a
 * process that dies between them leaves them to the sweep, done once.
 */
export class OutageService {
  private readonly log: Logger;

  constructor(private readonly d: OutageDeps) {
    this.log = d.logger.child({ component: 'outages' });
  }

  get rules(): OutageDeps['rules'] {
    return this.d.rules;
  }

  async start(): Promise<void> {
    const { publish, bigUsers, sweep } = this.d.rules;
    publish.process((data, job) => this.publishDue(data, job.attemptsMade + 1));
    bigUsers.process((data) => this.bigUsersDue(data));
    sweep.process((_job, j, token) => this.sweepAndAgain(j, token));
    await sweep.schedule(sweep.jobId(), {}, this.d.settings.sweepMs);
  }

  async close(): Promise<void> {
    await Promise.all([this.d.rules.publish.close(), this.d.rules.bigUsers.close(), this.d.rules.sweep.close()]);
  }

  isLarge(people: number): boolean {
    return people > this.d.settings.largeThreshold;
  }

  // ---- steps ----

  async create(body: CreateOutageBody, by: SessionUser): Promise<OutageNoticeView> {
    if (!isBusiness(by)) throw forbidden('only the business department drafts outage notices', '只有营业部（或班长、管理员）可以登记停水通知');
    const department = body.department ?? (body.source === 'plant' ? 'production' : 'engineering');
    const at = new Date();
    for (let tries = 0; ; tries++) {
      const number = await this.nextNumber(at.getTime());
      try {
        const doc = await this.d.models.Outage.create({
          ...body,
          number,
          department,
          startsAt: new Date(body.startsAt),
          expectedEndAt: new Date(body.expectedEndAt),
          large: this.isLarge(body.peopleAffected),
          status: 'draft',
          createdBy: by.workNumber,
          history: [{ action: 'created', by: by.workNumber, at }],
        });
        this.log.info({ outage: number, people: body.peopleAffected, large: doc.large }, 'outage notice drafted');
        return this.view(doc.toObject() as Stored);
      } catch (err) {
        // The counter went back (Redis lost its data): catch up past the numbers taken.
        if (!isDuplicateKey(err) || tries >= 20) throw err;
      }
    }
  }

  /** Art. 16: the city bureau's approval of a large planned network outage, recorded once. */
  async recordBureauApproval(number: string, body: BureauApprovalBody, by: SessionUser): Promise<OutageNoticeView> {
    if (!isBusiness(by)) throw forbidden('only the business department records the bureau approval', '只有营业部可以登记市水务局审批');
    if (body.at > Date.now() + 60_000) throw badRequest('the approval cannot be in the future', '审批时间不能晚于现在');
    const after = await this.d.locks.run(number, async () => {
      const cur = await this.load(number);
      if (!this.needsBureau(cur)) throw conflict('this outage needs no bureau approval', `影响人数未超过 ${this.d.settings.largeThreshold} 人或不是计划管网停水，无需市水务局审批`);
      if (cur.bureauApproval?.at) throw conflict('the bureau approval is recorded already', `市水务局审批已登记（文号 ${cur.bureauApproval.reference ?? ''}）`);
      if (cur.status === 'restored' || cur.status === 'cancelled') throw conflict('the outage is over', `该停水通知${STATUS_ZH[cur.status as OutageStatus]}`);
      const at = new Date();
      return this.update(number, {
        $set: { bureauApproval: { by: body.by, reference: body.reference, at: new Date(body.at), recordedBy: by.workNumber } },
        $push: { history: { action: 'bureau-approved', by: by.workNumber, at, note: `市水务局 ${body.by} 批准，文号 ${body.reference}` } },
      });
    });
    return this.view(after);
  }

  /** 审核, 发布, 开始停水, 恢复供水, 取消. */
  async step(number: string, step: OutageStep, by: SessionUser, note?: string): Promise<OutageNoticeView> {
    const after = await this.d.locks.run(number, async () => {
      const cur = await this.load(number);
      this.mayStep(cur, step, by);
      const at = new Date();
      const from = cur.status as OutageStatus;
      // Each public step is a new version of the notice, to every publisher.
      const what = step === 'publish' ? 'notice' : step === 'restore' ? 'restored' : step === 'cancel' && cur.version > 0 ? 'cancelled' : null;
      const version = what ? cur.version + 1 : cur.version;
      const stamp: Partial<Record<OutageStep, string>> = { approve: 'approvedAt', publish: 'publishedAt', start: 'startedAt', restore: 'restoredAt', cancel: 'cancelledAt' };
      return this.update(number, {
        $set: {
          status: TO[step],
          [stamp[step]!]: at,
          ...(what ? { version, publications: [...(cur.publications ?? []), ...this.channels(cur).map((channel) => ({ channel, version, what, status: 'pending', attempts: 0 }))], effectsPending: true } : {}),
        },
        $push: { history: { action: ACTION[step], by: by.workNumber, at, ...(note ? { note } : from === 'draft' && step === 'publish' ? { note: '抢修停水直接发布' } : {}) } },
      });
    });
    this.log.info({ outage: number, step, status: after.status, version: after.version, by: by.workNumber }, 'outage notice step');
    await this.effects(number);
    return this.view((await this.load(number)) ?? after);
  }

  /** New times. Published: a new version goes out and the big users' notice follows the start. */
  async reschedule(number: string, body: RescheduleOutageBody, by: SessionUser): Promise<OutageNoticeView> {
    let oldStart = 0;
    const after = await this.d.locks.run(number, async () => {
      const cur = await this.load(number);
      oldStart = cur.startsAt.getTime();
      if (!isBusiness(by)) throw forbidden('only the business department changes outage notices', '只有营业部可以修改停水时间');
      const status = cur.status as OutageStatus;
      if (status === 'restored' || status === 'cancelled') throw conflict('the outage is over', `该停水通知${STATUS_ZH[status]}，不能修改时间`);
      // The page edits to the minute: the same minute is the same start.
      const sameStart = Math.floor(body.startsAt / 60_000) === Math.floor(cur.startsAt.getTime() / 60_000);
      if (status === 'in_progress' && !sameStart) throw conflict('the outage has begun: only its end may move', '停水已开始，只能修改预计恢复时间');
      if (sameStart) body = { ...body, startsAt: cur.startsAt.getTime() };
      const published = OUTAGE_ACTIVE_STATUSES.includes(status);
      const version = published ? cur.version + 1 : cur.version;
      const at = new Date();
      return this.update(number, {
        $set: {
          startsAt: new Date(body.startsAt),
          expectedEndAt: new Date(body.expectedEndAt),
          ...(published ? { version, publications: [...(cur.publications ?? []), ...this.channels(cur).map((channel) => ({ channel, version, what: 'notice', status: 'pending', attempts: 0 }))], effectsPending: true } : {}),
        },
        $push: { history: { action: 'rescheduled', by: by.workNumber, at, note: `${fmtRange(body.startsAt, body.expectedEndAt)}${body.note ? `：${body.note}` : ''}` } },
      });
    });
    // The big users' notice follows the start: the old one is dropped (it would find nothing to do).
    if (oldStart !== body.startsAt) await this.d.rules.bigUsers.cancel(this.d.rules.bigUsers.idFor({ number, startsAt: oldStart }));
    await this.effects(number);
    return this.view((await this.load(number)) ?? after);
  }

  // ---- effects ----

  /**
   * What the current status owes, each keyed so that asking twice does it once: the publications
   * of the current version, the texts, the big users' notice. Cleared when all is queued.
   */
  async effects(number: string): Promise<void> {
    const o = await this.d.models.Outage.findOne({ number }).lean<Stored>();
    if (!o) return;
    const { rules, sms, settings } = this.d;
    for (const p of o.publications ?? []) {
      if (p.version === o.version && p.status !== 'sent') await rules.publish.schedule(rules.publish.idFor({ number, channel: p.channel as OutageChannel, version: p.version }), { number, channel: p.channel as OutageChannel, version: p.version }, 0);
    }
    const status = o.status as OutageStatus;
    const contacts = await this.areaContacts(o);
    if (status === 'published' || status === 'in_progress') {
      const { text } = noticeText(o, o.version > 1);
      await sms.send(`outage.${number}.v${o.version}`, contacts, `${SMS_HEAD}${text}`, { purpose: 'outage' });
      if (o.large) {
        await sms.send(`outage.${number}.large`, [...(await this.productionContacts()), ...settings.companyLeaders], largeOutageText(o), { purpose: 'outage' });
        // Art. 16: phoned as well (the recorded notice call; key 1 acknowledges).
        await this.d.calls?.call({ number, spoken: spokenLargeOutage(o), address: o.areaDescription }, await this.callees());
        if (o.kind === 'unplanned') await sms.send(`outage.${number}.bureau`, settings.bureauContacts, largeOutageText(o), { purpose: 'outage' });
      }
      if (status === 'published') {
        const startsAt = o.startsAt.getTime();
        // Told of an earlier start already: told of the new one at once.
        const told = o.bigUsersToldFor && o.bigUsersToldFor.getTime() !== startsAt;
        const delay = told ? 0 : startsAt - settings.bigUserLeadMs - Date.now();
        await rules.bigUsers.schedule(rules.bigUsers.idFor({ number, startsAt }), { number, startsAt }, delay);
      }
    } else if (status === 'cancelled' || status === 'restored') {
      if (o.version > 0) {
        const { text } = status === 'cancelled' ? cancelledText(o) : restoredText(o, o.restoredAt?.getTime() ?? Date.now());
        // The notice was public (WeChat, the website): the area and its big users hear it is off, or water is back.
        await sms.send(`outage.${number}.${status}`, [...contacts, ...(await this.bigUsers(o))], `${SMS_HEAD}${text}`, { purpose: 'outage' });
      }
      await rules.bigUsers.cancel(rules.bigUsers.idFor({ number, startsAt: o.startsAt.getTime() }));
    }
    // Under the lock: FerretDB rewrites the whole document, and a publication's delivery recorded
    // meanwhile (its job may already run) would be lost to this stale copy.
    await this.d.locks.run(number, () => this.d.models.Outage.updateOne({ number, effectsPending: true, version: o.version, status: o.status }, { $unset: { effectsPending: 1 } }));
    await this.d.changed(number).catch((err: Error) => this.log.warn({ err: err.message }, 'outage change not announced'));
  }

  /** One version to one publisher: sent once; a failure is recorded and retried by the rule. */
  async publishDue(job: OutagePublishJob, attempt = 1): Promise<void> {
    const { number, channel, version } = job;
    const o = await this.d.models.Outage.findOne({ number }).lean<Stored>();
    const entry = o?.publications?.find((p) => p.channel === channel && p.version === version);
    if (!o || !entry || entry.status === 'sent') return;
    const what = entry.what as OutagePost['what'];
    const words = what === 'cancelled' ? cancelledText(o) : what === 'restored' ? restoredText(o, o.restoredAt?.getTime() ?? Date.now()) : noticeText(o, version > 1);
    const post: OutagePost = { id: `${number}.v${version}`, number, version, what, ...words, areaCodes: [...o.areaCodes], streets: [...(o.streets ?? [])], startsAt: o.startsAt.getTime(), expectedEndAt: o.expectedEndAt.getTime() };
    let error: string | undefined;
    try {
      await this.d.publishers[channel].publish(post);
    } catch (err) {
      error = (err as Error).message;
    }
    await this.d.locks.run(number, async () => {
      const cur = await this.d.models.Outage.findOne({ number }).lean<Stored>();
      if (!cur) return;
      const publications = (cur.publications ?? []).map((p) =>
        p.channel === channel && p.version === version && p.status !== 'sent'
          ? { ...p, attempts: (p.attempts ?? 0) + 1, ...(error ? { status: 'failed', error } : { status: 'sent', sentAt: new Date(), error: undefined }) }
          : p,
      );
      await this.d.models.Outage.updateOne({ number }, { $set: { publications } });
    });
    if (error) {
      this.log.warn({ outage: number, channel, version, attempt, err: error }, 'outage publication failed; retried');
      throw new Error(error);
    }
    this.log.info({ outage: number, channel, version, what }, 'outage notice published');
  }

  /** Art. 18: the areas' big water users, 24 h before the start (at once when less is left). */
  async bigUsersDue(job: OutageBigUsersJob): Promise<void> {
    const { number, startsAt } = job;
    const o = await this.d.models.Outage.findOne({ number }).lean<Stored>();
    if (!o || o.status !== 'published' || o.startsAt.getTime() !== startsAt) return;
    const users = await this.bigUsers(o);
    const moved = !!o.bigUsersToldFor && o.bigUsersToldFor.getTime() !== startsAt;
    const { text } = noticeText(o, moved);
    await this.d.sms.send(`outage.${number}.big.${startsAt}`, users, `${SMS_HEAD}${text}`, { purpose: 'outage' });
    await this.d.locks.run(number, () => this.d.models.Outage.updateOne({ number }, { $set: { bigUsersToldFor: new Date(startsAt) } }));
    this.log.info({ outage: number, bigUsers: users.length, moved }, 'big water users told of the outage');
  }

  private async sweepAndAgain(job: Job<Record<string, never>, void, string>, token: string | undefined): Promise<never> {
    try {
      await this.sweep();
    } catch (err) {
      this.log.error({ err }, 'outage sweep failed; trying again next round');
    }
    return this.d.rules.sweep.again(job, token, this.d.settings.sweepMs);
  }

  /** Effects a process that died left owed (a live one may be doing them right now: older ones only). */
  async sweep(olderThanMs = 30_000): Promise<number> {
    const owed = await this.d.models.Outage.find({ effectsPending: true, updatedAt: { $lt: new Date(Date.now() - olderThanMs) } }).select('number').limit(100).lean();
    for (const o of owed) await this.effects(o.number);
    if (owed.length) this.log.warn({ outages: owed.length }, 'outage sweep finished effects a process left undone');
    return owed.length;
  }

  // ---- reading ----

  async list(q: ListOutagesQuery): Promise<OutageNoticeView[]> {
    const filter: Record<string, unknown> = {};
    if (q.status) filter.status = q.status;
    if (q.active === 'true') filter.status = { $in: [...OUTAGE_ACTIVE_STATUSES] };
    const docs = await this.d.models.Outage.find(filter).sort({ startsAt: -1 }).limit(q.limit).lean<Stored[]>();
    return Promise.all(docs.map(async (d) => this.view(d, await this.callCounts(d))));
  }

  async get(number: string): Promise<OutageNoticeView> {
    const d = await this.load(number);
    return this.view(d, await this.callCounts(d));
  }

  /** The outage-aware greeting's tally (cti/calls/outage-ivr.ts tags each call told of it). */
  private async callCounts(d: Stored): Promise<OutageNoticeView['calls']> {
    if (!OUTAGE_ACTIVE_STATUSES.includes(d.status as OutageStatus)) return null;
    const { Call } = this.d.models;
    const [total, informed] = await Promise.all([Call.countDocuments({ outageNumber: d.number }), Call.countDocuments({ outageNumber: d.number, outcome: 'informed-ivr' })]);
    return { total, informed };
  }

  // ---- helpers ----

  private view(d: Stored, calls: OutageNoticeView['calls'] = null): OutageNoticeView {
    return toOutageView(d, this.needsBureau(d), calls);
  }

  /** Over the threshold, planned, on the network: the city bureau approves before publication (Art. 16). */
  needsBureau(o: Pick<OutageDoc, 'kind' | 'source' | 'peopleAffected'>): boolean {
    return o.kind === 'planned' && o.source === 'network' && this.isLarge(o.peopleAffected);
  }

  private mayStep(cur: Stored, step: OutageStep, by: SessionUser): void {
    const status = cur.status as OutageStatus;
    if (step === 'approve' && !(by.role === 'admin' || (by.role === 'department' && by.department === 'business' && by.leader))) {
      throw forbidden('only the business department\'s leader approves outage notices', '只有营业部负责人（或管理员）可以审核停水通知');
    }
    if ((step === 'start' || step === 'restore') && !isWorks(by, cur.department as DepartmentCode)) throw forbidden('not your outage', '只有营业部、责任部门或调度中心可以登记开始停水或恢复供水');
    if ((step === 'publish' || step === 'cancel') && !isBusiness(by)) throw forbidden('only the business department publishes outage notices', '只有营业部可以发布或取消停水通知');
    const from = step === 'publish' && cur.kind === 'unplanned' ? ['draft', 'approved'] : FROM[step];
    if (!from.includes(status)) throw conflict(`cannot ${step} an outage that is ${status}`, `停水通知当前为「${STATUS_ZH[status]}」，不能${STEP_ZH[step]}`);
    if (step === 'publish' && this.needsBureau(cur) && !cur.bureauApproval?.at) {
      throw conflict(
        'a planned network outage of more than the threshold needs the city bureau\'s approval before publication',
        `本次计划停水影响约 ${cur.peopleAffected} 人，超过 ${this.d.settings.largeThreshold} 人，须先登记市水务局审批（审批人、文号、时间）后才能发布`,
      );
    }
  }

  private channels(o: Pick<OutageDoc, 'large'>): OutageChannel[] {
    return o.large ? ['wechat', 'website', 'hongdou'] : ['wechat', 'website'];
  }

  private async areaContacts(o: Stored): Promise<Array<{ role: string; phone: string }>> {
    const docs = await this.d.models.AreaContact.find({ areaCode: { $in: o.areaCodes } }).lean();
    return docs.map((c) => ({ role: c.kind, phone: c.phone }));
  }

  private async bigUsers(o: Stored): Promise<Array<{ role: string; phone: string }>> {
    const docs = await this.d.models.Customer.find({ areaCode: { $in: o.areaCodes }, bigUser: true }).lean();
    return docs.filter((c) => c.phones?.length).map((c) => ({ role: 'big_user', phone: c.phones[0]! }));
  }

  /** Who is phoned of a large outage: 生产部's on-duty and leader contacts, the company leader(s) in charge. */
  private async callees(): Promise<Array<{ name: string; phone: string; role: 'on_duty' | 'leader' }>> {
    const d = await this.d.models.Department.findOne({ code: 'production' }).lean();
    return [
      ...(d?.onDutyContacts ?? []).map((c) => ({ name: c.name, phone: c.phone, role: 'on_duty' as const })),
      ...(d?.leaderContacts ?? []).map((c) => ({ name: c.name, phone: c.phone, role: 'leader' as const })),
      ...this.d.settings.companyLeaders.map((c) => ({ name: c.role, phone: c.phone, role: 'leader' as const })),
    ];
  }

  /** Key 1 on the large-outage call: kept in the history, once per receiver. */
  async callAcknowledged(number: string, phone: string): Promise<void> {
    await this.d.locks.run(number, async () => {
      const cur = await this.load(number);
      if ((cur.history ?? []).some((e) => e.action === 'call-acknowledged' && e.by === phone)) return;
      await this.update(number, { $push: { history: { action: 'call-acknowledged', by: phone, at: new Date(), note: '电话通知已确认（按1）' } } });
    });
    this.log.info({ outage: number, phone }, 'large outage call acknowledged');
  }

  private async productionContacts(): Promise<Array<{ role: string; phone: string }>> {
    const d = await this.d.models.Department.findOne({ code: 'production' }).lean();
    return [...(d?.onDutyContacts ?? []).map((c) => ({ role: 'production', phone: c.phone })), ...(d?.leaderContacts ?? []).map((c) => ({ role: 'production_leader', phone: c.phone }))];
  }

  private async load(number: string): Promise<Stored> {
    const doc = await this.d.models.Outage.findOne({ number }).lean<Stored>();
    if (!doc) throw notFound(`outage ${number}`, `停水通知 ${number} 不存在`);
    return doc;
  }

  private async update(number: string, change: Record<string, unknown>): Promise<Stored> {
    return (await this.d.models.Outage.findOneAndUpdate({ number }, change, { returnDocument: 'after', runValidators: true }).lean<Stored>())!;
  }

  private async nextNumber(at: number): Promise<string> {
    const day = shanghaiDay(at);
    const key = `${this.d.keyPrefix}:outage-seq:${day.compact}`;
    const res = await this.d.redis.multi().incr(key).pexpire(key, 3 * 24 * 3600_000).exec();
    const seq = Number(res?.[0]?.[1]);
    if (!Number.isInteger(seq) || seq < 1) throw new Error('outage counter unavailable');
    return `TS${day.compact}-${String(seq).padStart(2, '0')}`;
  }
}

function fmtRange(from: number, to: number): string {
  return `改为 ${fmtZh(from)} 至 ${fmtZh(to)}`;
}

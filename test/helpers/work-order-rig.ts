import type { Job } from 'bullmq';
import type { SessionUser } from '../../contracts';
import type { DepartmentCode } from '../../models/enums';
import type { SmsPurpose } from '../../models/sms-message';
import { queueConnection } from '../../core/connections';
import { deadlineRules, WorkOrderDeadlineRules, type DeadlineRules } from '../../work-orders/deadlines';
import { ConsoleNode } from './console-node';
import { JsonSink } from './json-sink';
import { deleteKeys, testRedis } from './redis';

/** One message as the SMS provider received it (notify/sms.ts WebhookSmsGateway's body). */
export interface SentSms {
  to: string;
  role: string;
  text: string;
  id?: string;
}

/** The SMS provider: a real HTTP endpoint on 127.0.0.1 that refuses (500) the next `refuse` requests. */
export class SmsSink {
  readonly got: SentSms[] = [];
  refuse = 0;
  refused = 0;
  private readonly sink = new JsonSink((_path, body) => {
    if (this.refuse > 0) {
      this.refuse--;
      this.refused++;
      return 500;
    }
    this.got.push(body as SentSms);
    return 200;
  });

  get url(): string {
    return `${this.sink.url}/sms`;
  }

  start(): Promise<void> {
    return this.sink.start();
  }

  /** What went to `phone` about `number`. */
  about(number: string, phone?: string): SentSms[] {
    return this.got.filter((m) => m.text.includes(number) && (!phone || m.to === phone));
  }

  stop(): void {
    this.sink.stop();
  }
}

/**
 * A CTI node without telephony (ConsoleNode, seeded) whose work orders run on the real ports as
 * main.ts wires them: the department notices (notices/department-notifier.ts) send SMS through the
 * SMS outbox to a webhook on `sink`, and the deadline rules (work-orders/deadlines.ts) are BullMQ
 * jobs on the node's queues. `rules` reads those queues; `deadlines` is the same class on them
 * without a worker, for running a handler at a moment of the test's choosing.
 */
export class WorkOrderRig {
  private constructor(
    readonly n: ConsoleNode,
    readonly sink: SmsSink,
    readonly rules: DeadlineRules,
    readonly deadlines: WorkOrderDeadlineRules,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<WorkOrderRig> {
    const sink = new SmsSink();
    await sink.start();
    const n = await ConsoleNode.start({ SMS_GATEWAY: 'webhook', SMS_WEBHOOK_URL: sink.url, NOTICE_CHANNELS: 'sms', ...env });
    const { config, redis, models, logger } = n.node;
    const rules = deadlineRules({ connection: queueConnection(config, redis), prefix: `{${config.REDIS_PREFIX}}-bull`, logger });
    const deadlines = new WorkOrderDeadlineRules({
      models,
      bus: n.live.bus,
      outbox: n.live.outbox,
      rules,
      logger,
      locks: n.node.services.workOrders.locks,
      settings: { noticeMs: config.WORK_ORDER_NOTICE_MS, acceptMs: config.WORK_ORDER_COMPLAINT_ACCEPT_MS, escalateNoticeLate: config.WORK_ORDER_ESCALATE_NOTICE_LATE },
    });
    return new WorkOrderRig(n, sink, rules, deadlines);
  }

  get models() {
    return this.n.node.models;
  }

  get service() {
    return this.n.node.services.workOrders;
  }

  /** The session of a seeded user, as the REST API and the consoles know it. */
  async user(workNumber: string): Promise<SessionUser> {
    const s = await this.n.session(workNumber);
    return { workNumber: s.workNumber, name: s.name, role: s.role, ...(s.department ? { department: s.department } : {}) };
  }

  /** The pending (delayed) job of a deadline rule, or undefined when none is armed. */
  async armed(rule: 'notice' | 'accept', number: string): Promise<Job | undefined>;
  async armed(rule: 'due', number: string, dueVersion: number): Promise<Job | undefined>;
  async armed(rule: keyof DeadlineRules, number: string, dueVersion = 0): Promise<Job | undefined> {
    const id = rule === 'due' ? this.rules.due.idFor(number, dueVersion) : this.rules[rule].idFor(number);
    const job = await this.rules[rule].queue.getJob(id);
    return job && (await job.isDelayed()) ? (job as Job) : undefined;
  }

  /** When an armed job is due (ms epoch). */
  static dueAt(job: Job): number {
    return job.timestamp + (job.opts.delay ?? 0);
  }

  /** The Notice documents of an order (one per receiver and notice), oldest first. */
  notices(number: string) {
    return this.models.Notice.find({ workOrderNumber: number }).sort({ createdAt: 1, seq: 1 }).lean();
  }

  /** The SmsMessage records of an order sent for `purpose`: its department notices unless said (a resolved order also texts the customer its callback). */
  smsOf(number: string, purpose: SmsPurpose = 'notice') {
    return this.models.SmsMessage.find({ workOrderNumber: number, purpose }).lean();
  }

  /** A department's on-duty contacts, e.g. emptied for a department nobody can be reached in. */
  async setOnDuty(department: DepartmentCode, contacts: Array<{ name: string; phone: string }>): Promise<void> {
    await this.models.Department.updateOne({ code: department }, { $set: { onDutyContacts: contacts } });
  }

  async onDuty(department: DepartmentCode): Promise<Array<{ name: string; phone: string }>> {
    const d = await this.models.Department.findOne({ code: department }).lean();
    return (d?.onDutyContacts ?? []).map((c) => ({ name: c.name, phone: c.phone }));
  }

  async stop(): Promise<void> {
    await Promise.all([this.rules.notice.close(), this.rules.accept.close(), this.rules.due.close()]);
    await this.n.stop();
    this.sink.stop();
    // The node leaves its BullMQ jobs and keys behind; the prefix is private to this test file.
    const redis = testRedis(this.n.config);
    await deleteKeys(redis, `*${this.n.config.REDIS_PREFIX}*`);
    redis.disconnect();
  }
}

/** Vocabulary shared by the models, the API and the consoles (DOMAIN.md). */

export const LANGUAGES = ['yue', 'cmn'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * An agent's live state. `reserved` is the instant between the ACD's choice and the phone ringing;
 * `acw` is after-call work (wrap-up), which ends by a timed job.
 */
export const AGENT_STATES = ['offline', 'ready', 'not_ready', 'reserved', 'ringing', 'talking', 'acw'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** Reasons an agent may give for Not Ready; the system adds `no-answer`, `phone-busy`, `phone-unreachable`. */
export const NOT_READY_REASONS = ['break', 'meal', 'meeting', 'training', 'callback', 'other'] as const;
export type NotReadyReason = (typeof NOT_READY_REASONS)[number];

export const ROLES = ['agent', 'supervisor', 'admin', 'department'] as const;
export type Role = (typeof ROLES)[number];

export const DEPARTMENTS = ['business', 'production', 'engineering', 'safety_tech', 'admin_hr', 'dispatch'] as const;
export type DepartmentCode = (typeof DEPARTMENTS)[number];

export const DEPARTMENT_LABEL: Record<DepartmentCode, string> = {
  business: '营业部',
  production: '生产部',
  engineering: '工程公司',
  safety_tech: '安监技术部',
  admin_hr: '行政人事部',
  dispatch: '供水调度中心',
};

/** Work-order categories the call centre takes (DOMAIN.md "Work orders"). */
export const WORK_ORDER_CATEGORIES = [
  'leak', // 报漏
  'fault', // 报障
  'pipe_burst', // 爆管
  'water_quality', // 水质
  'pressure', // 水压
  'billing', // 收费
  'metering', // 计量
  'quality', // 质量
  'service_conduct', // 文明服务
  'inquiry', // 咨询
  'complaint', // 投诉
  'report', // 举报
  'installation', // 报装
  'meter_relocation', // 表位改造
  'after_meter_repair', // 表后维修
] as const;
export type WorkOrderCategory = (typeof WORK_ORDER_CATEGORIES)[number];

/** Category names as the call centre says and writes them (DOMAIN.md "Work orders"): pages, SMS, spoken notices. */
export const CATEGORY_LABEL: Readonly<Record<WorkOrderCategory, string>> = {
  leak: '报漏',
  fault: '报障',
  pipe_burst: '爆管',
  water_quality: '水质',
  pressure: '水压',
  billing: '收费',
  metering: '计量',
  quality: '质量',
  service_conduct: '文明服务',
  inquiry: '咨询',
  complaint: '投诉',
  report: '举报',
  installation: '报装',
  meter_relocation: '表位改造',
  after_meter_repair: '表后维修',
};

/** The department that handles each category (DOMAIN.md "Who is who", Art. 3–6). */
export const DEPARTMENT_FOR_CATEGORY: Readonly<Record<WorkOrderCategory, DepartmentCode>> = {
  leak: 'engineering',
  fault: 'engineering',
  pipe_burst: 'engineering',
  installation: 'engineering',
  meter_relocation: 'engineering',
  after_meter_repair: 'engineering',
  pressure: 'production',
  water_quality: 'safety_tech',
  billing: 'business',
  metering: 'business',
  inquiry: 'business',
  complaint: 'business',
  report: 'business',
  service_conduct: 'business',
  quality: 'business',
};

/** Categories that go to the department's leader at once (Art. 10). */
export const EMERGENCY_CATEGORIES: readonly WorkOrderCategory[] = ['pipe_burst'];

/** Categories for which the agent asks the Art. 13 questions (location, diameter, meter side, landmarks). */
export const LEAK_DETAIL_CATEGORIES: readonly WorkOrderCategory[] = ['leak', 'fault', 'pipe_burst'];

/** The order's life (issue 12); escalation is a flag on the order (`escalated`), not a state it is stuck in. */
export const WORK_ORDER_STATUSES = ['open', 'dispatched', 'accepted', 'in_progress', 'resolved', 'archived'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

/** What a history entry records: every transition, flag and notice of an order. */
export const WORK_ORDER_ACTIONS = [
  'created',
  'dispatched',
  'accepted',
  'started',
  'resolved',
  'archived',
  'reopened',
  'notice-sent',
  'notice-failed',
  'notice-acknowledged',
  'notice-late',
  'accept-late',
  'overdue',
  'escalated',
  'extension-requested',
  'extension-approved',
  'extension-rejected',
  'handed-over',
  'participant-added',
  'urged',
  'settled',
] as const;
export type WorkOrderAction = (typeof WORK_ORDER_ACTIONS)[number];

/** Why an order went to admin_hr (Art. 7): a deadline missed, or beyond the department (manual). */
export const ESCALATION_REASONS = ['notice-late', 'accept-late', 'overdue', 'manual'] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

export const EXTENSION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ExtensionStatus = (typeof EXTENSION_STATUSES)[number];

/** How a department is told of an order (Art. 8): SMS and/or a recorded phone call. */
export const NOTICE_CHANNELS = ['sms', 'call'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

export const CALL_OUTCOMES = [
  'answered',
  'abandoned-greeting',
  'abandoned-queue',
  'abandoned-ringing',
  'failed',
  /** Told of an outage of their area right after the greeting, the caller pressed 1 and left: informed, not abandoned. */
  'informed-ivr',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * `callback-waiting`: the caller chose to be called back keeping their place (issue 18), hung up,
 * and waits as a virtual caller: in the queue at their original place, or for the next dial-out.
 */
export const CALL_STATES = ['arrived', 'greeting', 'queued', 'callback-waiting', 'ringing', 'announcing', 'talking', 'ended'] as const;
export type CallState = (typeof CALL_STATES)[number];

/** How one ring of one agent's phone ended; `declined`: the agent (console or phone, SIP 603) refused it. */
export const OFFER_RESULTS = ['ringing', 'answered', 'no-answer', 'busy', 'unreachable', 'declined', 'caller-gone', 'failed'] as const;
export type OfferResult = (typeof OFFER_RESULTS)[number];

/** `long-wait`: a caller still waiting QUEUE_MAX_WAIT_MS after entering the queue (the max-wait watchdog). */
/** `queue-callback`: a queue callback (排队回拨) whose caller could not be reached: a person calls them back. */
export const ALARM_KINDS = ['answer-timeout', 'silence', 'emergency', 'deadline', 'system', 'long-wait', 'queue-callback'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** Work numbers and extensions are short digit strings (e.g. 1001); read digit by digit. */
export const WORK_NUMBER_RE = /^\d{3,6}$/;
/** Phone numbers as they arrive from the carrier: digits, optional leading +. */
export const PHONE_RE = /^\+?\d{3,20}$/;

/**
 * Lengths and ranges of a work order's fields: the zod contract refuses beyond them and the
 * agent's form counts against the same numbers, so a person is told before the server refuses.
 */
export const WORK_ORDER_LIMITS = {
  contactName: 100,
  address: 200,
  description: 4000,
  location: 200,
  landmarks: 200,
  pipeDiameterMm: { min: 1, max: 3000 },
} as const;
/** Customer account numbers (户号). */
export const ACCOUNT_NUMBER_RE = /^\d{6,12}$/;

/**
 * Why a callback (回访, Art. 20–22) exists: an after-sales order drawn 95 % SMS / 5 % phone, a
 * complaint (always by phone), an engineering job's monthly sample, or the manual callback an
 * "unsatisfied" SMS reply turns into.
 */
/** The callbacks a work order owes (回访, Art. 20–22): the only ones the callback figures and the monthly report count. */
export const WORK_ORDER_CALLBACK_REASONS = ['after_sales', 'complaint', 'engineering', 'sms_unsatisfied'] as const;
/** …and `queue_callback` (排队回拨): a caller who asked to be called back from the queue and was not reached; no order behind it. */
export const CALLBACK_REASONS = [...WORK_ORDER_CALLBACK_REASONS, 'queue_callback'] as const;
export type CallbackReason = (typeof CALLBACK_REASONS)[number];

export const CALLBACK_METHODS = ['sms', 'phone'] as const;
export type CallbackMethod = (typeof CALLBACK_METHODS)[number];

/** pending: a phone callback to make; sms_sent: waiting for the customer's reply; done; no_reply: the SMS went unanswered after its reminder. */
export const CALLBACK_STATUSES = ['pending', 'sms_sent', 'done', 'no_reply'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

/** The customer's verdict (Art. 21 五: 满意 / 不满意). */
export const CALLBACK_VERDICTS = ['satisfied', 'unsatisfied'] as const;
export type CallbackVerdict = (typeof CALLBACK_VERDICTS)[number];

/** How the customer grades each aspect of a phone callback (服务质量, 服务态度, 工程质量, 工程时限). */
export const CALLBACK_GRADES = ['satisfied', 'fair', 'unsatisfied'] as const;
export type CallbackGrade = (typeof CALLBACK_GRADES)[number];

/** Engineering jobs (Art. 20 二, 22 二): called back after settlement, sampled monthly; not after-sales. */
export const ENGINEERING_CATEGORIES: readonly WorkOrderCategory[] = ['installation', 'meter_relocation', 'after_meter_repair'];

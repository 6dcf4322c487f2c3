import { createHash } from 'node:crypto';
import { z } from 'zod';
import { shiftTableSchema } from './shifts';

/**
 * Every setting the CTI reads from the environment, validated once at start.
 * Defaults are the embedded development/demo values (local Redis + FerretDB + simulated PBX);
 * durations default to the production values of DOMAIN.md and are shortened only by tests.
 */

const port = z.coerce.number().int().min(0).max(65535);
const ms = z.coerce.number().int().min(1);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** `3600`, `90s`, `30m`, `12h`, `7d` → seconds. */
const duration = z
  .string()
  .regex(/^\d+[smhd]?$/, 'a duration such as 3600, 30m, 12h or 7d')
  .transform((v) => {
    const n = Number.parseInt(v, 10);
    const unit = v.at(-1) ?? 's';
    return unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : unit === 'd' ? n * 86_400 : n;
  })
  .refine((s) => s >= 60 && s <= 7 * 86_400, 'between 1 minute and 7 days');

/** `2026-10-01,2026-10-02` → sorted unique dates (YYYY-MM-DD); empty → none. */
const dateList = z
  .string()
  .regex(/^(\d{4}-\d{2}-\d{2}(,\d{4}-\d{2}-\d{2})*)?$/, 'comma list of dates YYYY-MM-DD, e.g. 2026-10-01,2026-10-02')
  .transform((v, ctx) => {
    const days = v ? v.split(',') : [];
    for (const d of days) {
      // Round-tripping through Date refuses 2026-02-30 and the like.
      if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) {
        ctx.addIssue({ code: 'custom', message: `not a calendar date: ${d}` });
        return z.NEVER;
      }
    }
    return [...new Set(days)].sort();
  });

/**
 * Signing key of console tokens when none is configured outside production. Derived from a
 * constant (not random per process) so that every CTI process of a development or test setup
 * accepts the tokens of the others; it is public, so production refuses to start without
 * JWT_SECRET and refuses this value.
 */
export const DEV_JWT_SECRET = createHash('sha256').update('hotline-cti development-only token key; never use in production').digest('hex');

const url = (schemes: string[]) =>
  z.string().refine((v) => {
    try {
      return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${schemes.join(' or ')}`);

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * `host:port` pairs, comma-separated. A list, not a `redis+cluster://` URL: a URL holds one host,
 * and a list of plain addresses reads the same as `redis-cli --cluster create` takes them.
 */
const clusterNodes = z
  .string()
  .transform((v, ctx): RedisNode[] => {
    const nodes: RedisNode[] = [];
    for (const part of v.split(',').map((p) => p.trim())) {
      const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(part);
      const port = m ? Number(m[2]) : 0;
      if (!m || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `comma list of host:port, e.g. 127.0.0.1:6391,127.0.0.1:6392 (bad entry ${JSON.stringify(part)})` });
        return z.NEVER;
      }
      nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
    }
    if (new Set(nodes.map((n) => `${n.host}:${n.port}`)).size !== nodes.length) {
      ctx.addIssue({ code: 'custom', message: 'a node is listed twice' });
      return z.NEVER;
    }
    return nodes;
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, 'lower-case letters, digits and dashes, at most 32')
    .default('a'),

  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Other web origins allowed to call the REST API and the consoles' sockets from a browser (e.g. a
   * CRM page): `https://crm.example,http://10.0.0.5:8080`. Empty (the default): none, only the
   * consoles' own pages.
   */
  CORS_ORIGINS: z
    .string()
    .regex(/^((https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)(,https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?)*)?$/, 'comma list of origins, e.g. https://crm.example,http://10.0.0.5:8080 (scheme, host, port; no path)')
    .default('')
    .transform((v) => (v ? v.split(',') : [])),
  HTTP_PORT: port.default(3000),
  /**
   * The V8 heap's ceiling for `npm start` (read by the start script's shell as
   * --max-old-space-size; listed here so a bad value is named at start). V8 otherwise lets its
   * heap fill with garbage up to a limit sized from the machine's memory: two CTI processes with
   * 1,000 agents each grew to 350 and 580 MB of RSS over a soak while about 130 MB of their heap was live.
   */
  CTI_HEAP_MB: z.coerce.number().int().min(128).max(16_384).default(384),

  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6380'),
  /**
   * A Redis Cluster instead of REDIS_URL: `host:port,host:port,…` (some masters to start from;
   * the client learns the rest of the cluster from them). Set, it wins over REDIS_URL.
   */
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('hotline'),
  MONGO_URL: url(['mongodb', 'mongodb+srv']).default('mongodb://127.0.0.1:27018/hotline'),

  ARI_URL: url(['http', 'https']).default('http://127.0.0.1:8088'),
  ARI_USERNAME: z.string().min(1).default('cti'),
  ARI_PASSWORD: z.string().min(1).default('cti'),
  /** App name stem; in broadcast mode each node registers `<stem>-<NODE_ID>`. */
  ARI_APP: z.string().regex(/^[A-Za-z0-9_-]+$/).default('hotline'),
  ARI_MODE: z.enum(['broadcast', 'single']).default('broadcast'),
  /**
   * Broadcast mode: how long a process that is not a call's preferred claimer waits before claiming
   * it anyway. Below StasisBroadcast's own timeout (2000 ms in asterisk-conf), or the call goes to
   * the dialplan fallback.
   */
  BROADCAST_HANDOFF_MS: z.coerce.number().int().min(0).max(1500).default(300),
  /** How long start-up waits for the first ARI connection before serving anyway. */
  ARI_CONNECT_WAIT_MS: ms.default(10_000),
  /** Every ARI request gives up after this long (a hung Asterisk must not hang a call). */
  ARI_REQUEST_TIMEOUT_MS: ms.default(5_000),

  AMI_HOST: z.string().min(1).default('127.0.0.1'),
  AMI_PORT: port.default(5038),
  AMI_USERNAME: z.string().min(1).default('cti'),
  AMI_SECRET: z.string().min(1).default('cti'),

  HOTLINE_NUMBER: z.string().regex(/^\d+$/).default('952525'),
  DEFAULT_LANGUAGE: z.enum(['yue', 'cmn']).default('yue'),

  ANSWER_ALARM_MS: ms.default(20_000),
  SILENCE_ALARM_MS: ms.default(30 * 60_000),
  LANGUAGE_FALLBACK_MS: ms.default(60_000),
  AFTER_CALL_WORK_MS: ms.default(15_000),
  QUEUE_ANNOUNCE_MS: z.coerce.number().int().min(0).default(0),
  /**
   * A finished call's recording stores its record when Asterisk reports the recording's end; a
   * PBX that went away never does, so after this long the record is stored without it.
   */
  RECORDING_END_GRACE_MS: ms.default(10_000),
  /**
   * A caller still waiting (queued or ringing) this long after entering the queue raises a
   * supervisor alarm, and the watchdog checks that nothing has lost the call (cti/calls/max-wait.ts).
   */
  QUEUE_MAX_WAIT_MS: ms.default(10 * 60_000),
  /** After the first look, the watchdog looks again this often while the caller still waits. */
  QUEUE_MAX_WAIT_RECHECK_MS: ms.default(60_000),
  /**
   * Queue callback (排队回拨, cti/calls/queue-callback.ts): after this long in the queue the caller is
   * offered to be called back keeping their place (press 1). 0 = never offered.
   */
  QUEUE_CALLBACK_OFFER_MS: z.coerce.number().int().min(0).default(60_000),
  /** A called-back caller who does not answer is dialled again this long after, at most QUEUE_CALLBACK_RETRIES more times. */
  QUEUE_CALLBACK_RETRY_MS: ms.default(2 * 60_000),
  QUEUE_CALLBACK_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /** How long the caller's phone rings (through NOTICE_TRUNK_ENDPOINT) before the attempt counts as not answered. */
  QUEUE_CALLBACK_RING_SEC: z.coerce.number().int().min(5).max(120).default(30),
  /** In the offer and the number confirmation: how long the caller has for a key (and between the keys of a number). */
  QUEUE_CALLBACK_KEY_WAIT_MS: ms.default(6000),
  RECORDINGS_DIR: z.string().min(1).default('var/recordings'),
  /**
   * Asterisk's MixMonitor directory (`<spool>/monitor`, e.g. /var/spool/asterisk/monitor, or a
   * mount of it): the recordings of calls the dialplan fallback took (`fallback-<Uniqueid>.wav`).
   */
  ASTERISK_MONITOR_DIR: z.string().min(1).default('var/monitor'),
  /**
   * Asterisk's queue_log (`<astlogdir>/queue_log`, e.g. /var/log/asterisk/queue_log, or a mount of
   * that directory): calls the dialplan fallback queue took while no CTI process answered are
   * imported from it. Unset: no import.
   */
  ASTERISK_QUEUE_LOG: z.string().min(1).optional(),
  /** How often every process looks for new queue_log lines (one imports at a time). */
  FALLBACK_IMPORT_MS: ms.default(60_000),

  /** Self-check's synthetic call: a Local channel to HOTLINE_NUMBER in this context. */
  SELF_CHECK_CONTEXT: z.string().regex(/^[A-Za-z0-9_-]+$/).default('from-pstn'),
  SELF_CHECK_LOCAL_CONTEXT: z.string().regex(/^[A-Za-z0-9_-]+$/).default('hotline-selfcheck'),
  SELF_CHECK_TIMEOUT_MS: ms.default(20_000),
  /** Who is told of a silence alarm: `role=phone,…` (shift leader, system administrator, department leader). */
  ALARM_CONTACTS: z
    .string()
    .regex(/^([a-z_]+=\+?\d{3,20})(,[a-z_]+=\+?\d{3,20})*$/, 'comma list of role=phone, e.g. shift_leader=13800000001')
    .default('shift_leader=13800000111,sysadmin=13800000112,dept_leader=13800000101'),
  SMS_GATEWAY: z.enum(['log', 'webhook']).default('log'),
  SMS_WEBHOOK_URL: url(['http', 'https']).optional(),
  SMS_WEBHOOK_TOKEN: z.string().min(1).optional(),
  /** How a department is told of an order (Art. 8): `sms`, `call` or both, comma-separated. */
  NOTICE_CHANNELS: z
    .string()
    .regex(/^(sms|call)(,(sms|call))?$/, 'sms, call or sms,call')
    .default('sms,call')
    .transform((v) => [...new Set(v.split(','))] as Array<'sms' | 'call'>),
  /** PJSIP endpoint of the carrier trunk notice calls go out through: `PJSIP/<number>@<endpoint>`. */
  NOTICE_TRUNK_ENDPOINT: z.string().regex(/^[A-Za-z0-9_-]+$/).default('carrier'),
  /** How long a notice call rings before it counts as not answered (originate timeout). */
  NOTICE_CALL_RING_SEC: z.coerce.number().int().min(5).max(120).default(30),
  /** Busy, no answer or failed: the notice call is placed once more after this long. */
  NOTICE_CALL_RETRY_MS: ms.default(60_000),
  /** After the notice prompt, how long to wait for key 1 or 2 before replaying it (once) or hanging up. */
  NOTICE_KEY_WAIT_MS: ms.default(8_000),
  /**
   * Where the CTI writes the spoken part of each notice (category and address, generated per order
   * with espeak-ng + sox): Asterisk's `<sounds>/hotline-notices` or a mount of it.
   */
  NOTICE_SOUNDS_DIR: z.string().min(1).default('var/sounds/hotline-notices'),
  /** The same folder as Asterisk names it in `sound:` URIs: relative to its sounds directory, or absolute. */
  NOTICE_SOUNDS_MEDIA: z.string().regex(/^\/?[A-Za-z0-9_./-]+$/).default('hotline-notices'),
  DEMO: bool.default(false),
  /** `npm run bench` only: NDJSON timing points of each call (core/bench-trace.ts) go to this file. */
  BENCH_TRACE_FILE: z.string().min(1).optional(),

  /** Art. 8: the department acknowledges the notice within this long of the order's creation, else a supervisor alarm. */
  WORK_ORDER_NOTICE_MS: ms.default(5 * 60_000),
  /** Art. 9: a complaint is accepted within this long of the caller's report, else escalation to admin_hr. */
  WORK_ORDER_COMPLAINT_ACCEPT_MS: ms.default(60 * 60_000),
  /**
   * Overrides of the per-category completion limits (work-orders/time-limits.ts holds the defaults):
   * `leak=4h,billing=3wd`; units m (minutes), h (hours), d (calendar days), wd (working days).
   * Category names are checked when the limits are built.
   */
  WORK_ORDER_TIME_LIMITS: z
    .string()
    .regex(/^[a-z_]+=\d+(m|h|d|wd)(,[a-z_]+=\d+(m|h|d|wd))*$/, 'comma list of category=amount+unit, e.g. leak=4h,billing=3wd (units m, h, d, wd)')
    .optional(),
  /** Public holidays (no working day) for `wd` limits, Asia/Shanghai dates: `2026-10-01,2026-10-02`. */
  WORK_ORDER_HOLIDAYS: dateList.default([]),
  /** Weekend days worked in lieu (调休), counted as working days: `2026-09-27,2026-10-10`. */
  WORK_ORDER_WORKDAYS: dateList.default([]),
  /**
   * Whether a notice nobody acknowledged in time is also escalated to admin_hr. Off: the Art. 8
   * notice is the call centre's task, so its supervisors get the alarm; Art. 7 escalates what the
   * department is late with (acceptance, completion).
   */
  WORK_ORDER_ESCALATE_NOTICE_LATE: bool.default(false),
  /** The monthly report (Art. 15: before the 28th) is built on this day of the month… */
  REPORT_DAY: z.coerce.number().int().min(1, 'a day of the month 1–27').max(27, 'a day of the month 1–27: the report is due before the 28th').default(27),
  /** …at this time, Asia/Shanghai (HH:MM). */
  REPORT_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM, e.g. 08:00')
    .default('08:00'),
  /** Who is texted that the monthly report is ready (the call centre's supervisors): `role=phone,…`. */
  REPORT_CONTACTS: z
    .string()
    .regex(/^([a-z_]+=\+?\d{3,20})(,[a-z_]+=\+?\d{3,20})*$/, 'comma list of role=phone, e.g. supervisor=13800000121')
    .default('supervisor=13800000121'),
  /** When the daily digest of major matters goes to company leaders, Asia/Shanghai time (HH:MM). */
  MAJOR_DIGEST_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM, e.g. 08:00')
    .default('08:00'),
  /** Company leaders who get the daily digest: `role=phone,…`. */
  MAJOR_DIGEST_CONTACTS: z
    .string()
    .regex(/^([a-z_]+=\+?\d{3,20})(,[a-z_]+=\+?\d{3,20})*$/, 'comma list of role=phone, e.g. general_manager=13800000201')
    .default('general_manager=13800000201,deputy_manager=13800000202'),

  /**
   * The call centre's shifts (rule 八), Asia/Shanghai wall clock, covering the day exactly once:
   * at each start the handover of the shifts before is announced to the agents on duty.
   */
  SHIFTS: shiftTableSchema.default(shiftTableSchema.parse('08:00-16:00,16:00-24:00,00:00-08:00')),
  /** 催办: a second urging of one order within this window (a double click, two agents at once) is the same urging. */
  URGE_REPEAT_MS: ms.default(60_000),

  /** Art. 22 (一): a phone callback is made within this long of the order's completion, else a supervisor alarm. */
  CALLBACK_PHONE_WITHIN_MS: ms.default(3 * 24 * 3600_000),
  /** An SMS callback unanswered this long gets one reminder… */
  CALLBACK_SMS_REPLY_MS: ms.default(48 * 3600_000),
  /** …and, still unanswered this long after the reminder, is closed as "no reply". */
  CALLBACK_SMS_REMINDER_MS: ms.default(24 * 3600_000),
  /** Share of after-sales callbacks drawn for an SMS (Art. 22: 95 %); the rest by phone. */
  CALLBACK_SMS_SHARE: z.coerce.number().min(0).max(1).default(0.95),
  /** Art. 21 (四): the share of last month's settled engineering jobs called back each month (rounded up). */
  CALLBACK_ENGINEERING_SHARE: z.coerce.number().min(0).max(1).default(0.1),
  /** When, on a month's first working day (Asia/Shanghai, WORK_ORDER_HOLIDAYS/WORKDAYS), last month's engineering jobs are sampled. */
  CALLBACK_SAMPLE_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM, e.g. 09:00')
    .default('09:00'),
  /** Click-to-call (回访拨打): how long the agent's own phone rings first before the call is given up. */
  CALLBACK_AGENT_RING_SEC: z.coerce.number().int().min(5).max(120).default(30),
  /** …then how long the customer's phone rings (through NOTICE_TRUNK_ENDPOINT) before it counts as not answered. */
  CALLBACK_CUSTOMER_RING_SEC: z.coerce.number().int().min(5).max(120).default(45),
  /** 转部门: how long the department's line rings before the agent is told and stays with the caller. */
  TRANSFER_RING_SEC: z.coerce.number().int().min(2).max(120).default(30),
  /** How often the callback sweep finishes what a process that died left half done (a callback owed, a follow-up). */
  CALLBACK_SWEEP_MS: ms.default(60_000),
  /** Supervisor monitoring: the agent's console is told of listen and whisper too (a barge is always told: the agent hears a third voice). */
  MONITOR_TELL_AGENT: bool.default(false),
  /** How long the supervisor's own phone rings when a listen, whisper or barge starts. */
  MONITOR_RING_SEC: z.coerce.number().int().min(5).max(120).default(30),
  /** Art. 16: more people affected than this is a large outage (the bureau's approval, the leaders told, 红豆网). */
  OUTAGE_LARGE_THRESHOLD: z.coerce.number().int().min(0).default(5000),
  /** Art. 18: big water users are told this long before an outage starts (at once when less is left). */
  OUTAGE_BIG_USER_LEAD_MS: ms.default(24 * 3600_000),
  /** Publisher webhooks of outage notices; unset, the notice is written to the log. */
  OUTAGE_PUBLISH_WECHAT_URL: z.string().url().optional(),
  OUTAGE_PUBLISH_WEBSITE_URL: z.string().url().optional(),
  OUTAGE_PUBLISH_HONGDOU_URL: z.string().url().optional(),
  /** Bearer token sent to the publisher webhooks. */
  OUTAGE_PUBLISH_TOKEN: z.string().optional(),
  /** `role=phone,…`: the company leader(s) in charge, texted of a large outage (with 生产部's contacts). */
  OUTAGE_LEADER_CONTACTS: z.string().regex(/^(([a-z_]+=\+?\d{3,20})(,[a-z_]+=\+?\d{3,20})*)?$/, 'comma list of role=phone, e.g. deputy_manager=13800000202').default('deputy_manager=13800000202'),
  /** `role=phone,…`: the city water bureau's section, texted of a large unplanned repair. */
  OUTAGE_BUREAU_CONTACTS: z.string().regex(/^(([a-z_]+=\+?\d{3,20})(,[a-z_]+=\+?\d{3,20})*)?$/, 'comma list of role=phone, e.g. deputy_manager=13800000202').default(''),
  /** The outage-aware greeting: a known caller from an area with an outage hears it and may press 1 to leave. */
  OUTAGE_IVR: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** After the outage prompt, how long the caller has to press 1 before being queued. */
  OUTAGE_IVR_KEY_WAIT_MS: ms.default(3000),
  /**
   * The areas an unknown caller may key in to hear an outage (`<digit>=<area code>:<name>,…`); only
   * those with an outage are offered. Empty: unknown callers are not asked.
   */
  OUTAGE_IVR_AREAS: z
    .string()
    .regex(/^(\d=[A-Z0-9-]{2,16}:[^,:=]{1,20}(,\d=[A-Z0-9-]{2,16}:[^,:=]{1,20})*)?$/, 'comma list of <digit>=<area code>:<name>, e.g. 1=DC-01:东城区')
    .default('1=DC-01:东城区,2=XC-02:西城区,3=NC-03:南城区,4=BC-04:北城区,5=KF-05:高新开发区')
    .transform((v) =>
      v
        ? v.split(',').map((s) => {
            const [digit, rest] = s.split('=') as [string, string];
            const [code, name] = rest.split(':') as [string, string];
            return { digit, code, name };
          })
        : [],
    ),
  /** How often the outage sweep finishes effects a process that died left owed. */
  OUTAGE_SWEEP_MS: ms.default(60_000),
  /** HMAC-SHA256 key the SMS provider signs customers' replies with; unset, the inbound webhook refuses everything (503). */
  SMS_INBOUND_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /** How far an inbound SMS's signed timestamp may be from now; each nonce is remembered twice this long. */
  SMS_INBOUND_MAX_SKEW_MS: ms.default(5 * 60_000),

  /** HMAC key of console log-in tokens (HS256); required in production (see DEV_JWT_SECRET). */
  JWT_SECRET: z.string().min(32, 'at least 32 characters').default(DEV_JWT_SECRET),
  /** Lifetime of a console log-in token (a shift, by default). */
  TOKEN_TTL: duration.default(12 * 3600),
});

export type Config = z.infer<typeof envSchema>;

/** Rules that tie two settings together, reported with the rest. */
function crossChecks(c: Config): string[] {
  const problems: string[] = [];
  if (c.SMS_GATEWAY === 'webhook' && !c.SMS_WEBHOOK_URL) problems.push('SMS_WEBHOOK_URL: required when SMS_GATEWAY=webhook');
  return problems;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, so `FOO= npm start` falls back to the default instead of failing. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = withoutEmpty(env);
  const parsed = envSchema.safeParse(given);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const key = i.path.join('.') || '(env)';
        const value = given[key];
        const shown = value === undefined ? '' : ` (got ${JSON.stringify(redact(key, value))})`;
        return `${key}: ${i.message}${shown}`;
      });
  // Checked beside the schema (not as a refinement) so it is listed with every other problem.
  if (given.NODE_ENV === 'production' && (!given.JWT_SECRET || given.JWT_SECRET === DEV_JWT_SECRET)) {
    problems.push('JWT_SECRET: required when NODE_ENV=production (a random string of at least 32 characters)');
  }
  if (parsed.success) problems.push(...crossChecks(parsed.data));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/** True when tokens are signed with the public development key (the server warns at start). */
export function usesDevJwtSecret(config: Pick<Config, 'JWT_SECRET'>): boolean {
  return config.JWT_SECRET === DEV_JWT_SECRET;
}

function redact(key: string, value: string): string {
  return /PASSWORD|SECRET|TOKEN/.test(key) ? '***' : value;
}

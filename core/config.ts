import { z } from 'zod';

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

const url = (schemes: string[]) =>
  z.string().refine((v) => {
    try {
      return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${schemes.join(' or ')}`);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, 'lower-case letters, digits and dashes, at most 32')
    .default('a'),

  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(3000),

  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6380'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('hotline'),
  MONGO_URL: url(['mongodb', 'mongodb+srv']).default('mongodb://127.0.0.1:27018/hotline'),

  ARI_URL: url(['http', 'https']).default('http://127.0.0.1:8088'),
  ARI_USERNAME: z.string().min(1).default('cti'),
  ARI_PASSWORD: z.string().min(1).default('cti'),
  /** App name stem; in broadcast mode each node registers `<stem>-<NODE_ID>`. */
  ARI_APP: z.string().regex(/^[A-Za-z0-9_-]+$/).default('hotline'),
  ARI_MODE: z.enum(['broadcast', 'single']).default('broadcast'),

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
  RECORDINGS_DIR: z.string().min(1).default('var/recordings'),
  DEMO: bool.default(false),
});

export type Config = z.infer<typeof envSchema>;

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
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = i.path.join('.') || '(env)';
      const value = withoutEmpty(env)[key];
      const shown = value === undefined ? '' : ` (got ${JSON.stringify(redact(key, value))})`;
      return `${key}: ${i.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  return parsed.data;
}

function redact(key: string, value: string): string {
  return /PASSWORD|SECRET|TOKEN/.test(key) ? '***' : value;
}

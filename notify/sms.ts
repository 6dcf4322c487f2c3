import { z } from 'zod';
import type { Logger } from '../core/logger';

/** Who is told of a system fault (rule 十一): shift leader, system administrator, department leader. */
export interface AlarmContact {
  role: string;
  phone: string;
}

export interface SmsGateway {
  readonly name: string;
  /** `id`: the message's key, the same on every retry, so a provider can drop a duplicate. */
  send(to: AlarmContact, text: string, id?: string): Promise<void>;
}

/** Writes the message to the log: the default where no SMS provider is configured. */
export class LogSmsGateway implements SmsGateway {
  readonly name = 'log';
  constructor(private readonly logger: Logger) {}
  async send(to: AlarmContact, text: string, id?: string): Promise<void> {
    this.logger.warn({ to: to.phone, role: to.role, text, ...(id ? { id } : {}) }, 'SMS (log gateway)');
  }
}

/**
 * POSTs `{ to, role, text, id }` as JSON to an HTTP endpoint: the adapter for an SMS provider's
 * webhook or an internal messaging service. A non-2xx answer or a timeout is an error.
 */
export class WebhookSmsGateway implements SmsGateway {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
    private readonly token?: string,
  ) {}
  async send(to: AlarmContact, text: string, id?: string): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ to: to.phone, role: to.role, text, ...(id ? { id } : {}) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`SMS webhook answered ${res.status}`);
  }
}

const contact = z.string().regex(/^[a-z_]+=\+?\d{3,20}$/, 'role=phone');

/** `shift_leader=13800000001,sysadmin=13800000002` → contacts; validated with the rest of the config. */
export function parseContacts(spec: string): AlarmContact[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      contact.parse(s);
      const [role, phone] = s.split('=') as [string, string];
      return { role, phone };
    });
}

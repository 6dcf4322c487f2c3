import { z } from 'zod';
import type { AlarmFeedServerToClient, SessionEvents } from './agent';
import type { AlarmAckCommand, AlarmView } from './alarms';
import { epochMs, type AckFn } from './common';

export interface ProbeView {
  ok: boolean;
  ms: number;
  reason?: string;
}

export interface PhoneHealthView {
  extension: string;
  status: string;
  reachable: boolean;
  since: string;
}

export interface NodeHealth {
  node: string;
  at: number;
  /** null: this process runs without telephony. */
  ari: { connected: boolean } | null;
  ami: { connected: boolean; state: string; since: string; reconnects: number; lastError?: string } | null;
  trunk: { registered: boolean; registrations: Array<{ name: string; status: string; since: string }> } | null;
  phones: PhoneHealthView[];
  redis: ProbeView;
  mongodb: ProbeView;
  consoles: { agent: number; supervisor: number; admin: number };
}

export interface SystemHealth {
  serverNow: number;
  /** One entry per CTI process that reported within the last 20 s; `stale` when it stopped reporting. */
  nodes: Array<NodeHealth & { stale: boolean }>;
  /** The last self-checks of the whole hotline (any process, automatic or on demand), newest first. */
  selfChecks: SelfCheckRecord[];
}

export const SELF_CHECK_ITEMS = ['ari', 'ami', 'trunk', 'agent-phones', 'redis', 'mongodb', 'test-call'] as const;

export const checkItemSchema = z.object({
  item: z.enum(SELF_CHECK_ITEMS),
  ok: z.boolean(),
  durationMs: z.number(),
  /** English, for logs and API users ("apps registered: hotline-a"). */
  detail: z.string(),
  /** The same in Chinese, for the admin page and the alarm text (「已注册热线应用：hotline-a」). */
  zh: z.string(),
});
export type CheckItem = z.infer<typeof checkItemSchema>;

export const selfCheckResultSchema = z
  .object({ at: epochMs, ok: z.boolean(), items: z.array(checkItemSchema) })
  .meta({ id: 'SelfCheckResult' });
export type SelfCheckResult = z.infer<typeof selfCheckResultSchema>;

/** `silence`: the 30-minute silence alarm ran it; `manual`: an admin pressed 立即自检. */
export const SELF_CHECK_TRIGGERS = ['silence', 'manual'] as const;

export const selfCheckRecordSchema = selfCheckResultSchema
  .extend({ trigger: z.enum(SELF_CHECK_TRIGGERS), by: z.string().nullable() })
  .meta({ id: 'SelfCheckRecord' });
export type SelfCheckRecord = z.infer<typeof selfCheckRecordSchema>;

export interface AdminServerToClient extends SessionEvents, AlarmFeedServerToClient {
  'health:snapshot': (h: SystemHealth) => void;
}

export interface AdminClientToServer {
  'alarm:ack': (cmd: AlarmAckCommand, ack: AckFn<AlarmView>) => void;
  'health:resync': (ack: AckFn<SystemHealth>) => void;
}

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { duplicateRedis, type RedisClient } from '../../core/connections';
import { AppError, conflict, unavailable } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { TransferView } from '../../contracts';
import type { AcdStore } from '../acd/acd-store';
import { transferRequestSchema, type TransferRequest } from './transfer';

const envelopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), id: z.string().min(1).max(64), from: z.string().regex(/^[a-z0-9-]+$/), req: z.unknown() }),
  z.object({
    kind: z.literal('reply'),
    id: z.string().min(1).max(64),
    ok: z.boolean(),
    result: z.unknown().optional(),
    error: z.object({ status: z.number(), code: z.string(), message: z.string(), zh: z.string().optional() }).optional(),
  }),
]);

export interface CallControlDeps {
  redis: RedisClient;
  acd: AcdStore;
  node: string;
  /** Runs a request on a call this process owns. */
  run: (req: TransferRequest) => Promise<TransferView>;
  /** How long a request waits for the owning process's reply. */
  timeoutMs?: number;
  logger: Logger;
}

/**
 * A console's request about a call goes to the process that owns the call (its CallSession and its
 * Stasis legs live there): run here when that is this process, otherwise sent on the owner's Redis
 * channel, and its reply comes back on this process's. The owner is the one the shared live-call
 * list names. No reply in time (the owner died or stalls) is a refusal the agent can read.
 */
export class CallControl {
  private sub?: RedisClient;
  private readonly waiting = new Map<string, { resolve: (v: TransferView) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly log: Logger;

  constructor(private readonly d: CallControlDeps) {
    this.log = d.logger.child({ component: 'call-control' });
  }

  private channel(node: string): string {
    return `${this.d.acd.keys.p}:control:${node}`;
  }

  async start(): Promise<void> {
    this.sub = duplicateRedis(this.d.redis);
    this.sub.on('error', () => undefined);
    this.sub.on('message', (_ch: string, msg: string) => void this.onMessage(msg));
    await this.sub.subscribe(this.channel(this.d.node));
  }

  stop(): void {
    this.sub?.disconnect();
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(unavailable('process stopping', '服务器正在重启，请稍后再试'));
      this.waiting.delete(id);
    }
  }

  async request(req: TransferRequest): Promise<TransferView> {
    const owner = await this.d.acd.liveOwner(req.callId);
    if (!owner) throw conflict('the call is not in progress', '该通话已结束');
    if (owner === this.d.node) return this.d.run(req);
    const id = randomUUID();
    const reply = new Promise<TransferView>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(unavailable(`the process owning the call (${owner}) did not answer`, '负责该通话的服务器暂时无响应，请稍后再试'));
      }, this.d.timeoutMs ?? 5000);
      timer.unref();
      this.waiting.set(id, { resolve, reject, timer });
    });
    await this.d.redis.publish(this.channel(owner), JSON.stringify({ kind: 'request', id, from: this.d.node, req }));
    return reply;
  }

  private async onMessage(msg: string): Promise<void> {
    let parsed: z.infer<typeof envelopeSchema>;
    try {
      parsed = envelopeSchema.parse(JSON.parse(msg));
    } catch {
      this.log.warn('malformed call-control message dropped');
      return;
    }
    if (parsed.kind === 'reply') {
      const w = this.waiting.get(parsed.id);
      if (!w) return;
      this.waiting.delete(parsed.id);
      clearTimeout(w.timer);
      if (parsed.ok) w.resolve(parsed.result as TransferView);
      else {
        const e = parsed.error ?? { status: 500, code: 'internal', message: 'call control failed' };
        w.reject(new AppError(e.status, e.code, e.message, e.zh ? { zh: e.zh } : {}));
      }
      return;
    }
    // Checked here too: the channel is open to anything that can publish on this Redis.
    const req = transferRequestSchema.safeParse(parsed.req);
    type Answer = { ok: true; result: TransferView } | { ok: false; error: ReturnType<typeof errorOf> };
    const answer: Answer = req.success
      ? await this.d.run(req.data).then(
          (result): Answer => ({ ok: true, result }),
          (err: unknown): Answer => {
            if (!(err instanceof AppError)) this.log.error({ err, callId: req.data.callId }, 'call-control request failed');
            return { ok: false, error: errorOf(err) };
          },
        )
      : { ok: false, error: { status: 400, code: 'bad_request', message: 'malformed call-control request', zh: '请求格式不正确' } };
    if (!answer.ok && answer.error.code !== 'internal') this.log.info({ callId: req.success ? req.data.callId : undefined, error: answer.error.message }, 'call-control request refused');
    await this.d.redis.publish(this.channel(parsed.from), JSON.stringify({ kind: 'reply', id: parsed.id, ...answer })).catch((err: Error) => this.log.warn({ err: err.message }, 'call-control reply not sent'));
  }
}

/** What travels back to the requester, and so to a browser: an unexpected error's own words stay in this process's log. */
function errorOf(err: unknown): { status: number; code: string; message: string; zh?: string } {
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, ...(err.zh ? { zh: err.zh } : {}) };
  return { status: 500, code: 'internal', message: 'the call could not be changed' };
}

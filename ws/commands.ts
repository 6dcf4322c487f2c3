import type { Socket } from 'socket.io';
import { containsNul } from '../core/nul';
import { describeError } from '../core/errors';
import type { Logger } from '../core/logger';
import { ZH_VOCABULARY, zhForCode, type Ack, type AckError } from '../contracts';

/** Errors become acks through the same mapping as HTTP responses (core/errors.ts). */
export function toAckError(err: unknown): AckError {
  const { status: _status, ...error } = describeError(err, ZH_VOCABULARY);
  return error;
}

/**
 * Runs one browser command and answers its ack with the result or the reason it failed.
 * A command sent without an ack function cannot be answered and is dropped: every command
 * in contracts/ has one.
 */
export function runCommand<T>(log: Logger, event: string, ack: unknown, fn: () => Promise<T>): void {
  if (typeof ack !== 'function') {
    log.debug({ event }, 'command without ack ignored');
    return;
  }
  const reply = ack as (res: Ack<T>) => void;
  // A synchronous throw (e.g. the command's schema refusing it) is answered like a rejection.
  Promise.resolve().then(fn).then(
    (data) => reply({ ok: true, data }),
    (err: unknown) => {
      const error = toAckError(err);
      if (error.code === 'internal') log.error({ err, event }, 'command failed');
      else log.debug({ event, code: error.code }, 'command refused');
      reply({ ok: false, error });
    },
  );
}

export interface RateLimitOptions {
  /** Bucket size: how many commands a burst may have. */
  burst: number;
  /** Refill per second: the sustained rate. */
  perSecond: number;
  /** Refused commands within one minute after which the socket is disconnected. */
  disconnectAfter: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 20, perSecond: 5, disconnectAfter: 200 };

/**
 * Per-socket token bucket in front of every incoming packet; packets for events the namespace
 * does not know are dropped silently. Over the limit, a command is answered `rate_limited`
 * (when it has an ack) without running; a socket that keeps flooding is disconnected.
 * Kept in the process: a socket lives on exactly one process.
 */
export function guardSocket(socket: Socket, known: ReadonlySet<string>, log: Logger, opts: RateLimitOptions = DEFAULT_RATE_LIMIT): void {
  let tokens = opts.burst;
  let last = Date.now();
  let refused = 0;
  let windowStart = last;
  socket.use((packet, next) => {
    const now = Date.now();
    tokens = Math.min(opts.burst, tokens + ((now - last) / 1000) * opts.perSecond);
    last = now;
    const [event] = packet;
    if (tokens < 1) {
      if (now - windowStart > 60_000) {
        windowStart = now;
        refused = 0;
      }
      refused++;
      if (refused === 1) log.warn({ user: socket.data?.user?.workNumber, nsp: socket.nsp.name }, 'socket rate-limited');
      if (refused >= opts.disconnectAfter) {
        log.warn({ user: socket.data?.user?.workNumber, nsp: socket.nsp.name }, 'flooding socket disconnected');
        socket.disconnect(true);
        return;
      }
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function' && known.has(String(event))) {
        (ack as (r: Ack<never>) => void)({ ok: false, error: { code: 'rate_limited', message: 'too many commands; slow down', zh: zhForCode('rate_limited') } });
      }
      return;
    }
    tokens -= 1;
    if (typeof event !== 'string' || !known.has(event)) {
      log.debug({ event: String(event).slice(0, 64), nsp: socket.nsp.name }, 'unknown event ignored');
      return;
    }
    const tail = packet[packet.length - 1];
    if (containsNul(packet.slice(1, typeof tail === 'function' ? -1 : undefined))) {
      if (typeof tail === 'function') {
        (tail as (r: Ack<never>) => void)({ ok: false, error: { code: 'bad_request', message: 'the command holds a NUL character', zh: '提交的内容含有不可见的空字符（NUL），请删除后重试' } });
      }
      return;
    }
    next();
  });
}

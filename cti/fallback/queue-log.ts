import { z } from 'zod';
import { LANGUAGES } from '../../models/enums';

/**
 * One line of Asterisk's queue_log (`<astlogdir>/queue_log`), validated: the record app_queue
 * keeps of the calls it handled while no CTI process answered. Format (Asterisk 22, trace
 * ami/06): `epoch seconds|call id|queue|agent|EVENT|data…`, the call id being the caller's
 * Uniqueid, the agent the member name ("Agent 1001") or `NONE`. LANGUAGE is the hotline's own
 * line (extensions.conf writes it with QueueLog() before the caller joins the queue).
 */

const uint = z.string().regex(/^\d+$/, 'a whole number').transform(Number);
const more = z.string();

/** The data fields of each event the import uses; anything after them is ignored. */
const eventSchema = z.discriminatedUnion('event', [
  // url|caller id number|position (the position is missing on old versions)
  z.object({ event: z.literal('ENTERQUEUE'), data: z.tuple([z.string(), z.string()], more) }),
  // language|key pressed ('' = none)
  z.object({ event: z.literal('LANGUAGE'), data: z.tuple([z.enum(LANGUAGES), z.string()], more) }),
  // ring time ms
  z.object({ event: z.literal('RINGNOANSWER'), data: z.tuple([uint], more) }),
  z.object({ event: z.literal('RINGCANCELED'), data: z.tuple([uint], more) }),
  // hold time s|member channel Uniqueid|ring time s
  z.object({ event: z.literal('CONNECT'), data: z.tuple([uint, z.string().min(1), uint], more) }),
  // hold time s|talk time s|original position
  z.object({ event: z.literal('COMPLETECALLER'), data: z.tuple([uint, uint], more) }),
  z.object({ event: z.literal('COMPLETEAGENT'), data: z.tuple([uint, uint], more) }),
  // position|original position|wait s
  z.object({ event: z.literal('ABANDON'), data: z.tuple([uint, uint, uint], more) }),
  z.object({ event: z.literal('EXITWITHTIMEOUT'), data: z.tuple([uint, uint, uint], more) }),
  z.object({ event: z.literal('EXITEMPTY'), data: z.tuple([uint, uint, uint], more) }),
  // key|position|original position|wait s
  z.object({ event: z.literal('EXITWITHKEY'), data: z.tuple([z.string(), uint, uint, uint], more) }),
  // …|hold time s|talk time s|original position (what comes before depends on the kind of transfer)
  z.object({ event: z.literal('BLINDTRANSFER'), data: z.array(z.string()).min(3).transform(holdAndTalk) }),
  z.object({ event: z.literal('ATTENDEDTRANSFER'), data: z.array(z.string()).min(3).transform(holdAndTalk) }),
]);

function holdAndTalk(data: string[], ctx: z.RefinementCtx): { holdSec: number; talkSec: number } {
  const [hold, talk, pos] = data.slice(-3);
  if (![hold, talk, pos].every((v) => v !== undefined && /^\d+$/.test(v))) {
    ctx.addIssue({ code: 'custom', message: 'a transfer ends with hold time|talk time|position' });
    return z.NEVER;
  }
  return { holdSec: Number(hold), talkSec: Number(talk) };
}

export type QueueLogEventName = z.infer<typeof eventSchema>['event'];
const USED: ReadonlySet<string> = new Set<QueueLogEventName>(eventSchema.options.map((o) => o.shape.event.value));

const lineSchema = z.object({
  /** Epoch seconds (a fraction is accepted and dropped). */
  at: z
    .string()
    .regex(/^\d{9,12}(\.\d{1,6})?$/, 'epoch seconds')
    .transform((s) => new Date(Math.floor(Number(s)) * 1000)),
  callId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a Uniqueid'),
  queue: z.string().min(1),
  agent: z.string(),
});

export type QueueLogLine = z.infer<typeof lineSchema> & z.infer<typeof eventSchema>;

export type ParsedLine =
  | { kind: 'call'; line: QueueLogLine }
  /** Well-formed, but nothing the import needs (QUEUESTART, ADDMEMBER, PAUSE, another queue's DID…). */
  | { kind: 'other' }
  | { kind: 'malformed'; reason: string };

/** Parses one line (without its newline). Never throws. */
export function parseQueueLogLine(text: string): ParsedLine {
  const fields = text.split('|');
  if (fields.length < 5) return { kind: 'malformed', reason: `${fields.length} field${fields.length === 1 ? '' : 's'}, at least 5 expected` };
  const [at, callId, queue, agent, event, ...data] = fields as [string, string, string, string, string, ...string[]];
  const head = lineSchema.safeParse({ at, callId, queue, agent });
  if (!head.success) return { kind: 'malformed', reason: describe(head.error) };
  if (!/^[A-Z][A-Z_]*$/.test(event)) return { kind: 'malformed', reason: `event ${JSON.stringify(event)} is not an event name` };
  if (!USED.has(event) || callId === 'NONE') return { kind: 'other' };
  const body = eventSchema.safeParse({ event, data });
  if (!body.success) return { kind: 'malformed', reason: `${event}: ${describe(body.error)}` };
  return { kind: 'call', line: { ...head.data, ...body.data } };
}

function describe(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; ');
}

import { z } from 'zod';
import { ALARM_KINDS } from '../models/enums';
import { epochMs } from './common';

export const alarmIdSchema = z.string().regex(/^[0-9a-f]{24}$/, 'not an alarm id');

export const alarmAckSchema = z.object({ alarmId: alarmIdSchema }).strict();
export type AlarmAckCommand = z.infer<typeof alarmAckSchema>;

export const alarmIdParams = z.object({ id: alarmIdSchema });

export const ALARM_SEVERITIES = ['info', 'warning', 'critical'] as const;

export const alarmViewSchema = z
  .object({
    id: z.string(),
    /** The rule instance's deterministic key (e.g. the answer-alarm job id). */
    key: z.string(),
    kind: z.enum(ALARM_KINDS),
    severity: z.enum(ALARM_SEVERITIES),
    message: z.string(),
    callId: z.string().nullable(),
    agentWorkNumber: z.string().nullable(),
    /** Named in the alarm so a supervisor knows whom to go to without looking the work number up. */
    agentName: z.string().nullable(),
    /** The caller of the missed call, so the supervisor can have them called back. */
    callerNumber: z.string().nullable(),
    ringMs: z.number().nullable(),
    raisedAt: epochMs,
    acknowledgedAt: epochMs.nullable(),
    acknowledgedBy: z.string().nullable(),
  })
  .meta({ id: 'Alarm' });
export type AlarmView = z.infer<typeof alarmViewSchema>;

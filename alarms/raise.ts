import { Types } from 'mongoose';
import type { EventBus } from '../events/event-bus';
import type { AlarmKind } from '../models/enums';
import type { RecordOutbox } from '../queue/record-outbox';

export interface NewAlarm {
  /** The rule instance's deterministic key: a retried job or a racing process stores it once. */
  key: string;
  kind: AlarmKind;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  callId?: string;
  agentWorkNumber?: string;
  agentName?: string;
  callerNumber?: string;
  ringMs?: number;
  checks?: Array<{ item: string; ok: boolean; durationMs: number; detail: string }>;
  at?: number;
}

export interface AlarmDeps {
  outbox: RecordOutbox;
  bus: EventBus;
}

/** How long a raised key is remembered in Redis (MongoDB's unique index on `key` holds beyond). */
const KEY_MEMORY_MS = 30 * 24 * 3600_000;

/**
 * Stores an alarm and tells every supervisor and admin console (`alarm.raised`). Returns false,
 * and tells nobody, when an alarm with this key was raised already. Decided and queued in Redis in
 * one step (the record outbox), so an alarm is raised once and stored even while MongoDB is down.
 */
export async function raiseAlarm(d: AlarmDeps, a: NewAlarm): Promise<boolean> {
  const at = a.at ?? Date.now();
  const id = new Types.ObjectId().toHexString();
  const first = await d.outbox.writeOnce(`alarm:${a.key}`, KEY_MEMORY_MS, `alarm:${a.key}`, {
    collection: 'alarms',
    filter: { key: a.key },
    set: {},
    setOnInsert: { _id: id, ...a, raisedAt: new Date(at) },
  });
  if (!first) return false;
  await d.bus.publish({
    type: 'alarm.raised',
    alarmId: id,
    key: a.key,
    kind: a.kind,
    severity: a.severity,
    message: a.message,
    ...(a.callId ? { callId: a.callId } : {}),
    ...(a.agentWorkNumber ? { agentWorkNumber: a.agentWorkNumber } : {}),
    ...(a.agentName ? { agentName: a.agentName } : {}),
    ...(a.callerNumber ? { callerNumber: a.callerNumber } : {}),
    ...(a.ringMs !== undefined ? { ringMs: a.ringMs } : {}),
    at,
  });
  return true;
}

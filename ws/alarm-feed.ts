import type { DomainEvent } from '../events/domain-events';
import type { AlarmKind } from '../models/enums';
import type { AlarmView } from './contracts';

type AlarmRaised = Extract<DomainEvent, { type: 'alarm.raised' }>;

/** The alarm as the consoles show it, straight from the event (no read of what was just written). */
export function alarmFromEvent(e: AlarmRaised): AlarmView {
  return {
    id: e.alarmId,
    key: e.key,
    kind: e.kind as AlarmKind,
    severity: e.severity === 'info' || e.severity === 'critical' ? e.severity : 'warning',
    message: e.message,
    callId: e.callId ?? null,
    agentWorkNumber: e.agentWorkNumber ?? null,
    ringMs: e.ringMs ?? null,
    raisedAt: e.at,
    acknowledgedAt: null,
    acknowledgedBy: null,
  };
}

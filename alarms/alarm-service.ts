import { EventEmitter } from 'node:events';
import { notFound } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import type { AlarmDoc } from '../models/alarm';
import type { AlarmKind } from '../models/enums';
import type { AlarmAckCommand, AlarmView, SessionUser } from '../contracts';
import type { RecordOutbox } from '../queue/record-outbox';

export interface AlarmServiceEvents {
  /** An alarm was acknowledged here; the feed tells every supervisor and admin console. */
  updated: [AlarmView];
}

/** The alarm feed of the supervisor board and the admin page, and its acknowledgement. */
export class AlarmService extends EventEmitter<AlarmServiceEvents> {
  constructor(private readonly deps: { models: Models; logger: Logger; outbox?: Pick<RecordOutbox, 'settled'> }) {
    super();
  }

  /** Unacknowledged alarms of any age, plus the acknowledged ones of the last 24 h; newest first. */
  async recent(limit = 100): Promise<AlarmView[]> {
    const since = new Date(Date.now() - 24 * 3600_000);
    const docs = await this.deps.models.Alarm.find({ $or: [{ acknowledgedAt: { $exists: false } }, { raisedAt: { $gte: since } }] })
      .sort({ raisedAt: -1 })
      .limit(limit)
      .lean();
    return docs.map(toAlarmView);
  }

  async byId(id: string): Promise<AlarmView | null> {
    const d = await this.deps.models.Alarm.findById(id).lean();
    return d ? toAlarmView(d) : null;
  }

  /** Idempotent: a second acknowledgement returns the first one's time and person. */
  async acknowledge({ alarmId }: AlarmAckCommand, by: SessionUser): Promise<AlarmView> {
    const { Alarm } = this.deps.models;
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await Alarm.updateOne(
        { _id: alarmId, acknowledgedAt: { $exists: false } },
        { $set: { acknowledgedAt: new Date(), acknowledgedBy: by.workNumber } },
      );
      const view = await this.byId(alarmId);
      if (view && res.modifiedCount === 1) {
        this.deps.logger.info({ alarm: alarmId, kind: view.kind, by: by.workNumber }, 'alarm acknowledged');
        this.emit('updated', view);
        return view;
      }
      if (view?.acknowledgedAt) return view;
      // Raised a moment ago: its record may still be on its way to MongoDB (the record outbox).
      if (!this.deps.outbox || !(await this.deps.outbox.settled('alarm:', 3000))) break;
    }
    throw notFound(`alarm ${alarmId}`, '该告警不存在或已被删除');
  }
}

type StoredAlarm = AlarmDoc & { _id: unknown };

export function toAlarmView(d: StoredAlarm): AlarmView {
  return {
    id: String(d._id),
    key: d.key,
    kind: d.kind as AlarmKind,
    severity: d.severity as AlarmView['severity'],
    message: d.message,
    callId: d.callId ?? null,
    agentWorkNumber: d.agentWorkNumber ?? null,
    agentName: d.agentName ?? null,
    callerNumber: d.callerNumber ?? null,
    ringMs: typeof d.ringMs === 'number' ? d.ringMs : null,
    raisedAt: d.raisedAt.getTime(),
    acknowledgedAt: d.acknowledgedAt ? d.acknowledgedAt.getTime() : null,
    acknowledgedBy: d.acknowledgedBy ?? null,
  };
}

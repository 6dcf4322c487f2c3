import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ALARM_KINDS } from './enums';

const checkSchema = new Schema(
  {
    item: { type: String, required: true },
    ok: { type: Boolean, required: true },
    durationMs: { type: Number, required: true, min: 0 },
    detail: { type: String },
  },
  { _id: false },
);

export const alarmSchema = new Schema(
  {
    /**
     * Deterministic key of the rule instance that raised it (e.g. `answer-alarm:<callId>:<attempt>`).
     * Unique, so two CTI processes racing on one rule store one alarm.
     */
    key: { type: String, required: true },
    kind: { type: String, required: true, enum: ALARM_KINDS },
    severity: { type: String, required: true, enum: ['info', 'warning', 'critical'], default: 'warning' },
    message: { type: String, required: true },
    callId: { type: String },
    agentWorkNumber: { type: String },
    agentName: { type: String },
    callerNumber: { type: String },
    ringMs: { type: Number, min: 0 },
    raisedAt: { type: Date, required: true },
    acknowledgedAt: { type: Date },
    acknowledgedBy: { type: String },
    closedAt: { type: Date },
    closeNote: { type: String },
    checks: { type: [checkSchema], default: [] },
  },
  { timestamps: true },
);
alarmSchema.index({ key: 1 }, { unique: true });
alarmSchema.index({ kind: 1, raisedAt: -1 });
alarmSchema.index({ acknowledgedAt: 1, raisedAt: -1 });

export type AlarmDoc = InferSchemaType<typeof alarmSchema>;
export const alarmModel = (conn: Connection): Model<AlarmDoc> => conn.model<AlarmDoc>('Alarm', alarmSchema);

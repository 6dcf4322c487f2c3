import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { DEPARTMENTS, NOTICE_CHANNELS, PHONE_RE, WORK_ORDER_CATEGORIES } from './enums';
import { NOTICE_CALL_RESULTS } from './call';

/** `outage`: a large outage told to 生产部 and the company leader (Art. 16); its `workOrderNumber` is the outage's number. */
export const NOTICE_REASONS = ['dispatch', 'emergency', 'urge', 'outage'] as const;

/** Who in the department is told: the on-duty receiver, or (emergencies) the leader. */
export const NOTICE_RECEIVER_ROLES = ['on_duty', 'leader'] as const;

/**
 * The recorded notice call to one receiver: `pending` (placing is due), `calling` (a call is up
 * or ringing), `retry-wait` (busy / no answer: once more after a minute), then one of the ends.
 */
export const NOTICE_CALL_STATUSES = ['pending', 'calling', 'retry-wait', 'acknowledged', 'unacknowledged', 'unreached'] as const;
export type NoticeCallStatus = (typeof NOTICE_CALL_STATUSES)[number];

/**
 * One notice of one order to one receiver (Art. 8, 10). `key` = `<order>:<reason>:<seq>:<phone>`
 * is unique: two CTI processes telling the same thing write one document, send one SMS and place
 * one call (every step below checks its status first).
 */
export const noticeSchema = new Schema(
  {
    key: { type: String, required: true },
    /** `<order>:<reason>:<seq>`: the notice, shared by its receivers. */
    noticeId: { type: String, required: true },
    workOrderNumber: { type: String, required: true },
    reason: { type: String, required: true, enum: NOTICE_REASONS },
    seq: { type: Number, required: true, min: 0 },
    department: { type: String, required: true, enum: DEPARTMENTS },
    emergency: { type: Boolean, default: false },
    /** What the call says and the SMS writes, as the order was when the notice was made. */
    category: {
      type: String,
      enum: WORK_ORDER_CATEGORIES,
      required(this: { reason?: string }) {
        return this.reason !== 'outage';
      },
    },
    address: { type: String, required: true, maxlength: 200 },
    /** An outage notice: what the call says after its opening (the order's category and address otherwise). */
    spoken: { type: String, maxlength: 500 },
    receiver: {
      name: { type: String, required: true },
      phone: { type: String, required: true, match: [PHONE_RE, 'phone must be digits'] },
      role: { type: String, required: true, enum: NOTICE_RECEIVER_ROLES },
    },
    channels: { type: [{ type: String, enum: NOTICE_CHANNELS }], default: [] },
    /** Who asked (a work number, or `system` for the automatic dispatch). */
    by: { type: String, required: true },
    createdAt: { type: Date, required: true },
    /** Key of the SmsMessage sent for this notice, when SMS is one of its channels. */
    smsKey: { type: String },
    call: {
      status: { type: String, enum: NOTICE_CALL_STATUSES },
      attempts: { type: Number, default: 0, min: 0 },
      /** The current (or last) attempt's channel; notice calls are routed by it. */
      channelId: { type: String },
      lastResult: { type: String, enum: NOTICE_CALL_RESULTS },
      /** Times the prompt was played on the current attempt (2 = replayed). */
      plays: { type: Number, default: 0 },
      recordingName: { type: String },
    },
    acknowledgedAt: { type: Date },
  },
  { timestamps: { createdAt: false, updatedAt: true } },
);
noticeSchema.index({ key: 1 }, { unique: true });
noticeSchema.index({ workOrderNumber: 1, createdAt: -1 });
noticeSchema.index({ 'call.channelId': 1 }, { sparse: true });

export type NoticeDoc = InferSchemaType<typeof noticeSchema>;
export const noticeModel = (conn: Connection): Model<NoticeDoc> => conn.model<NoticeDoc>('Notice', noticeSchema);

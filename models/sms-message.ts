import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { PHONE_RE } from './enums';

/** Why a message was sent: a department notice (Art. 8, 10), a system alarm (rule 十一) or a customer callback (Art. 22). */
export const SMS_PURPOSES = ['notice', 'alarm', 'callback', 'outage'] as const;
export type SmsPurpose = (typeof SMS_PURPOSES)[number];

/** queued → sent, or failed once the gateway refused every attempt. */
export const SMS_STATUSES = ['queued', 'sent', 'failed'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

/** Every SMS the CTI sends, with its delivery status (notify/sms-outbox.ts writes it). */
export const smsMessageSchema = new Schema(
  {
    /** What the message is about and to whom (the outbox job's id): one message per key. */
    key: { type: String, required: true },
    to: { type: String, required: true, match: [PHONE_RE, 'phone must be digits'] },
    role: { type: String, required: true },
    text: { type: String, required: true, maxlength: 1000 },
    purpose: { type: String, required: true, enum: SMS_PURPOSES },
    workOrderNumber: { type: String },
    /** Gateway adapter that sent (or tried to send) it: `log`, `webhook`. */
    gateway: { type: String, required: true },
    status: { type: String, required: true, enum: SMS_STATUSES, default: 'queued' },
    attempts: { type: Number, required: true, default: 0, min: 0 },
    error: { type: String, maxlength: 1000 },
    queuedAt: { type: Date, required: true },
    sentAt: { type: Date },
    failedAt: { type: Date },
  },
  { timestamps: true },
);
smsMessageSchema.index({ key: 1 }, { unique: true });
smsMessageSchema.index({ workOrderNumber: 1 }, { sparse: true });
smsMessageSchema.index({ status: 1, queuedAt: -1 });

export type SmsMessageDoc = InferSchemaType<typeof smsMessageSchema>;
export const smsMessageModel = (conn: Connection): Model<SmsMessageDoc> => conn.model<SmsMessageDoc>('SmsMessage', smsMessageSchema);

import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const score = { type: Number, min: 1, max: 5 };

export const callbackSchema = new Schema(
  {
    workOrderNumber: { type: String, required: true },
    method: { type: String, required: true, enum: ['sms', 'phone'] },
    /** Why this callback exists: after-sales sampling, complaint (100 % phone), engineering sample, SMS "unsatisfied". */
    reason: { type: String, required: true, enum: ['after_sales', 'complaint', 'engineering', 'sms_unsatisfied'] },
    status: { type: String, required: true, enum: ['pending', 'sent', 'done', 'unreachable'], default: 'pending' },
    /** Phone callbacks happen within 3 days of completion. */
    dueBy: { type: Date, required: true },
    doneAt: { type: Date },
    doneBy: { type: String },
    serviceQuality: score,
    attitude: score,
    engineeringQuality: score,
    timeliness: score,
    verdict: { type: String, enum: ['satisfied', 'unsatisfied'] },
    customerWords: { type: String, maxlength: 2000 },
  },
  { timestamps: true },
);
callbackSchema.index({ workOrderNumber: 1, method: 1, reason: 1 }, { unique: true });
callbackSchema.index({ status: 1, dueBy: 1 });

export type CallbackDoc = InferSchemaType<typeof callbackSchema>;
export const callbackModel = (conn: Connection): Model<CallbackDoc> => conn.model<CallbackDoc>('Callback', callbackSchema);

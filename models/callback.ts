import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { CALLBACK_GRADES, CALLBACK_METHODS, CALLBACK_REASONS, CALLBACK_STATUSES, CALLBACK_VERDICTS, DEPARTMENTS, PHONE_RE, WORK_ORDER_CATEGORIES } from './enums';

const grade = { type: String, enum: CALLBACK_GRADES };

function ownsOrder(this: { reason?: string }): boolean {
  return this.reason !== 'queue_callback';
}

/** One callback (回访) of one order for one reason; its id is `<order number>.<reason>`, so making it twice is one. */
export const callbackSchema = new Schema(
  {
    id: { type: String, required: true },
    // A queue callback (排队回拨) has no order, so no category, department or address.
    workOrderNumber: { type: String, required: ownsOrder },
    category: { type: String, required: ownsOrder, enum: WORK_ORDER_CATEGORIES },
    department: { type: String, required: ownsOrder, enum: DEPARTMENTS },
    reason: { type: String, required: true, enum: CALLBACK_REASONS },
    method: { type: String, required: true, enum: CALLBACK_METHODS },
    /**
     * The draw's seed and its roll in [0, 1) (SHA-256 of the seed): after-sales, `roll < smsShare` is an
     * SMS (callbacks/draw.ts); engineering, the month's lowest rolls are sampled (engineering-sample.ts).
     */
    draw: {
      seed: { type: String },
      roll: { type: Number },
      smsShare: { type: Number },
    },
    /** Engineering only: the monthly sample that picked it (⌈10 %⌉ of the month's counted jobs). */
    sample: {
      month: { type: String },
      population: { type: Number },
      picked: { type: Number },
    },
    /** Whom the callback asks: the order's contact. */
    phone: { type: String, required: true, match: [PHONE_RE, 'phone must be digits'] },
    contactName: { type: String },
    address: { type: String, required: ownsOrder },
    status: { type: String, required: true, enum: CALLBACK_STATUSES },
    /** When the order was completed (resolved): the 3 days count from here. */
    completedAt: { type: Date, required: true },
    /** Phone: the 3-day limit; SMS: when the reply wait ends. */
    dueBy: { type: Date, required: true },
    overdue: { type: Boolean, default: false },
    sms: {
      sentAt: { type: Date },
      remindedAt: { type: Date },
      repliedAt: { type: Date },
      reply: { type: String, maxlength: 500 },
    },
    serviceQuality: grade,
    attitude: grade,
    engineeringQuality: grade,
    timeliness: grade,
    verdict: { type: String, enum: CALLBACK_VERDICTS },
    customerWords: { type: String, maxlength: 2000 },
    doneAt: { type: Date },
    doneBy: { type: String },
    /** The calls placed for it from the agent console (click-to-call), each as it ended. */
    calls: {
      type: [
        new Schema(
          {
            callId: { type: String, required: true },
            by: { type: String, required: true },
            startedAt: { type: Date, required: true },
            endedAt: { type: Date, required: true },
            outcome: { type: String, required: true, enum: ['answered', 'failed'] },
            failureReason: { type: String },
            talkMs: { type: Number, min: 0 },
            recordingName: { type: String },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** Queue callback: the hotline call whose caller was not reached, and who last dialled them. */
    callId: { type: String },
    lastAgent: { type: String },
    /** Queue callback's result: whether the person calling back reached the caller. */
    reached: { type: Boolean },
    /** The manual callback an "unsatisfied" SMS reply made: the callback it came from. */
    fromCallback: { type: String },
    /**
     * "Unsatisfied": the follow-ups owed (a manual phone callback for an SMS, a new order to the
     * department). `pending` is set with the verdict in one update and cleared once both exist,
     * so a process that dies in between leaves them to the sweep, never lost.
     */
    followUp: {
      pending: { type: Boolean },
      callbackId: { type: String },
      workOrderNumber: { type: String },
    },
  },
  { timestamps: true },
);
callbackSchema.index({ id: 1 }, { unique: true });
callbackSchema.index({ status: 1, dueBy: 1 });
callbackSchema.index({ phone: 1, status: 1 });
callbackSchema.index({ workOrderNumber: 1 });

export type CallbackDoc = InferSchemaType<typeof callbackSchema>;
export const callbackModel = (conn: Connection): Model<CallbackDoc> => conn.model<CallbackDoc>('Callback', callbackSchema);

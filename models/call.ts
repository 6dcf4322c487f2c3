import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { CALL_OUTCOMES, CALL_STATES, LANGUAGES, OFFER_RESULTS } from './enums';

/** `inbound`: a call to the hotline; `outbound`: one the CTI placed (a department notice call, a callback call). */
export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

/**
 * How one attempt of a notice call ended: the receiver pressed 1 (`acknowledged`), answered but
 * never pressed 1 (`unacknowledged`), or was not reached (busy, no answer, unreachable, failed).
 */
export const NOTICE_CALL_RESULTS = ['acknowledged', 'unacknowledged', 'busy', 'no-answer', 'unreachable', 'failed'] as const;
export type NoticeCallResult = (typeof NOTICE_CALL_RESULTS)[number];

/**
 * A Call's writes are stamped with the 5-second slot of their time (`changedIn`), so a reader of
 * recent changes asks by equality, slot by slot. FerretDB hands equality down to PostgreSQL but
 * not a range: the supervisor board's `updatedAt >= …` read decoded every call ever stored, each
 * refresh (210 ms per read with 3,000 calls, measured), where one slot's read decodes that slot's.
 */
export const CHANGE_SLOT_MS = 5_000;
export const changeSlot = (t: number): number => Math.floor(t / CHANGE_SLOT_MS);

/** One ring of one agent's phone for this call. Every offer's ring time is kept (issue: 20 s rule). */
const offerSchema = new Schema(
  {
    attempt: { type: Number, required: true, min: 1 },
    agentWorkNumber: { type: String, required: true },
    extension: { type: String, required: true },
    channelId: { type: String },
    offeredAt: { type: Date, required: true },
    ringingAt: { type: Date },
    endedAt: { type: Date },
    ringMs: { type: Number, min: 0 },
    result: { type: String, enum: OFFER_RESULTS, required: true, default: 'ringing' },
    alarmed: { type: Boolean, default: false },
  },
  { _id: false },
);

/**
 * A supervisor on the call (cti/monitor/): one entry per mode, from when it took effect to when
 * the supervisor switched, stopped or the call ended.
 */
const monitoringSchema = new Schema(
  {
    supervisor: { type: String, required: true },
    mode: { type: String, enum: ['listen', 'whisper', 'barge'], required: true },
    startedAt: { type: Date, required: true },
    endedAt: { type: Date },
  },
  { _id: false },
);

/** A completed hand-over of the conversation (consult transfer or blind transfer to a department). */
const handoverSchema = new Schema(
  {
    /** The agent who handed the call on. */
    from: { type: String, required: true },
    /** The colleague or supervisor who took it (a work number); absent for a department. */
    to: { type: String },
    kind: { type: String, required: true, enum: ['consult', 'department'] },
    /** Department transfers: the number dialled and the department it belongs to. */
    number: { type: String },
    department: { type: String },
    at: { type: Date, required: true },
  },
  { _id: false },
);

export const callSchema = new Schema(
  {
    callId: { type: String, required: true },
    /** CTI process (NODE_ID) that owns the call. */
    node: { type: String, required: true },
    callerChannelId: { type: String, required: true },
    // Empty when the carrier withholds the caller ID (mongoose's required would refuse '').
    callerNumber: { type: String, default: '' },
    dialledNumber: { type: String, required: true },
    language: { type: String, enum: LANGUAGES },
    /** How the language was settled: known customer, remembered choice, key press, default. */
    languageSource: { type: String, enum: ['customer', 'remembered', 'dtmf', 'default'] },
    customerAccount: { type: String },
    state: { type: String, enum: CALL_STATES, required: true, default: 'arrived' },
    /** A timestamp for every state the call went through. */
    arrivedAt: { type: Date, required: true },
    greetingAt: { type: Date },
    queuedAt: { type: Date },
    ringingAt: { type: Date },
    answeredAt: { type: Date },
    announcingAt: { type: Date },
    talkingAt: { type: Date },
    endedAt: { type: Date },
    offers: { type: [offerSchema], default: [] },
    agentWorkNumber: { type: String },
    agentChannelId: { type: String },
    /** Queue entry → agent answer (speed of answer). */
    answerDelayMs: { type: Number, min: 0 },
    /** Ring time of the offer that was answered; ≤ 20 s unless an alarm was raised. */
    answerRingMs: { type: Number, min: 0 },
    hangupBy: { type: String, enum: ['caller', 'agent', 'system'] },
    /** The rule is that the caller hangs up first; true flags the call for review. */
    agentHungUpFirst: { type: Boolean, default: false },
    outcome: { type: String, enum: CALL_OUTCOMES },
    /** For abandoned calls: how long the caller waited before giving up. */
    abandonWaitMs: { type: Number, min: 0 },
    failureReason: { type: String },
    recordingName: { type: String },
    /** 首问负责制: each hand-over of the conversation, in order; the recording goes on in a linked part. */
    handovers: { type: [handoverSchema], default: undefined },
    /** Synthetic self-check call: never offered to agents, never counted in statistics. */
    test: { type: Boolean, default: false },
    /**
     * Taken by Asterisk's own queue (the dialplan fallback) while no CTI process answered, and
     * imported afterwards from queue_log (cti/fallback/): no language routing, no 20 s alarm, no
     * work number announced; offers and times are as app_queue logged them (whole seconds).
     */
    fallback: { type: Boolean, default: false },
    /**
     * `outbound`: a call the CTI placed itself (the recorded notice call to a department, Art. 8):
     * never offered to agents and never counted in the hotline's statistics. Then `callerNumber`
     * is the number shown to the callee (the hotline's) and `dialledNumber` the callee's. Absent
     * means `inbound` (no schema default, so the typed inbound writers need not name it; every
     * statistic filters `direction: { $ne: 'outbound' }`).
     */
    direction: { type: String, enum: CALL_DIRECTIONS },
    /**
     * A callback call (回访, click-to-call): the callback it made. The agent's phone rang first
     * (`ringingAt`, answered at `agentAnsweredAt`), then the customer's (`customerRingingAt`;
     * `answeredAt` is the customer's answer). `callerChannelId` is the customer's leg.
     */
    callbackId: { type: String },
    agentAnsweredAt: { type: Date },
    customerRingingAt: { type: Date },
    /** An outage of the caller's area announced right after the greeting (`informed-ivr` when they left with 1). */
    outageNumber: { type: String },
    /**
     * Queue callback (排队回拨, cti/calls/queue-callback.ts): the caller hung up keeping their place.
     * `answeredAt` and `answerDelayMs` are then the moment the caller answered the dial-out
     * (`reachedAt`): their wait ends there, not when the agent picked up. `callerChannelId` becomes
     * the dial-out leg once reached.
     */
    queueCallback: {
      type: new Schema(
        {
          number: { type: String, required: true, match: [/^\d{7,16}$/, 'number must be digits'] },
          requestedAt: { type: Date, required: true },
          attempts: {
            type: [
              new Schema(
                {
                  at: { type: Date, required: true },
                  agentWorkNumber: { type: String, required: true },
                  result: { type: String, required: true, enum: ['answered', 'no-answer', 'busy', 'unreachable', 'failed', 'cancelled'] },
                },
                { _id: false },
              ),
            ],
            default: [],
          },
          reachedAt: { type: Date },
        },
        { _id: false },
      ),
      default: undefined,
    },
    /** How an answered call was answered: `callback` = a queue callback that reached the caller. */
    answeredVia: { type: String, enum: ['callback'] },
    /** The work order an outbound call was about. */
    workOrderNumber: { type: String },
    /** Outbound notice calls: the notice (`<order>:<reason>:<seq>:<phone>`), the attempt, how it went. */
    noticeKey: { type: String },
    noticeAttempt: { type: Number, min: 1 },
    noticeResult: { type: String, enum: NOTICE_CALL_RESULTS },
    /** Listen, whisper and barge by supervisors, in order (written whole each time, through the call's outbox). */
    monitoring: { type: [monitoringSchema], default: undefined },
    /** See CHANGE_SLOT_MS: set by every write through the model (the default covers creation). */
    changedIn: { type: Number, default: () => changeSlot(Date.now()) },
  },
  { timestamps: true },
);
callSchema.pre(['updateOne', 'updateMany', 'findOneAndUpdate'], function () {
  this.set('changedIn', changeSlot(Date.now()));
});
callSchema.pre('save', function () {
  this.set('changedIn', changeSlot(Date.now()));
});
// The record outbox applies its writes in batches: each update of a batch is stamped too.
callSchema.pre('bulkWrite', function (ops) {
  const $set = { changedIn: changeSlot(Date.now()) };
  for (const op of ops) {
    const u = 'updateOne' in op ? op.updateOne : 'updateMany' in op ? op.updateMany : null;
    if (!u || Array.isArray(u.update)) continue;
    const update = u.update as Record<string, unknown> & { $set?: Record<string, unknown> };
    update.$set = { ...(update.$set ?? {}), ...$set };
  }
});
callSchema.index({ callId: 1 }, { unique: true });
callSchema.index({ callerChannelId: 1 });
callSchema.index({ callerNumber: 1, arrivedAt: -1 });
callSchema.index({ arrivedAt: -1 });
callSchema.index({ state: 1 });
callSchema.index({ agentWorkNumber: 1, arrivedAt: -1 });
callSchema.index({ workOrderNumber: 1 }, { sparse: true });
callSchema.index({ changedIn: 1 });

export type CallDoc = InferSchemaType<typeof callSchema>;
export const callModel = (conn: Connection): Model<CallDoc> => conn.model<CallDoc>('Call', callSchema);

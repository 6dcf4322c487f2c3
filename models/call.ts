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
    /** The work order an outbound call was about. */
    workOrderNumber: { type: String },
    /** Outbound notice calls: the notice (`<order>:<reason>:<seq>:<phone>`), the attempt, how it went. */
    noticeKey: { type: String },
    noticeAttempt: { type: Number, min: 1 },
    noticeResult: { type: String, enum: NOTICE_CALL_RESULTS },
  },
  { timestamps: true },
);
callSchema.index({ callId: 1 }, { unique: true });
callSchema.index({ callerChannelId: 1 });
callSchema.index({ callerNumber: 1, arrivedAt: -1 });
callSchema.index({ arrivedAt: -1 });
callSchema.index({ state: 1 });
callSchema.index({ agentWorkNumber: 1, arrivedAt: -1 });
callSchema.index({ workOrderNumber: 1 }, { sparse: true });

export type CallDoc = InferSchemaType<typeof callSchema>;
export const callModel = (conn: Connection): Model<CallDoc> => conn.model<CallDoc>('Call', callSchema);

import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import {
  DEPARTMENTS,
  ESCALATION_REASONS,
  EXTENSION_STATUSES,
  NOTICE_CHANNELS,
  PHONE_RE,
  WORK_NUMBER_RE,
  WORK_ORDER_ACTIONS,
  WORK_ORDER_CATEGORIES,
  WORK_ORDER_STATUSES,
} from './enums';

const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    /** A work number, `system`, or a receiver's phone number (a key press on a notice call). */
    by: { type: String, required: true },
    action: { type: String, required: true, enum: WORK_ORDER_ACTIONS },
    /** Set on transitions: the status before and after. */
    from: { type: String, enum: WORK_ORDER_STATUSES },
    to: { type: String, enum: WORK_ORDER_STATUSES },
    note: { type: String, maxlength: 2000 },
  },
  { _id: false },
);

const escalationSchema = new Schema(
  {
    at: { type: Date, required: true },
    reason: { type: String, required: true, enum: ESCALATION_REASONS },
    /** Art. 7: escalations go to the administration & HR department. */
    to: { type: String, required: true, enum: DEPARTMENTS, default: 'admin_hr' },
    by: { type: String, required: true },
    note: { type: String, maxlength: 2000 },
  },
  { _id: false },
);

/** Art. 9: the department explains why and proposes a new time; its leader decides. */
const extensionSchema = new Schema(
  {
    id: { type: String, required: true },
    requestedAt: { type: Date, required: true },
    requestedBy: { type: String, required: true },
    reason: { type: String, required: true, trim: true, maxlength: 2000 },
    newDueBy: { type: Date, required: true },
    status: { type: String, required: true, enum: EXTENSION_STATUSES, default: 'pending' },
    decidedAt: { type: Date },
    decidedBy: { type: String },
    note: { type: String, maxlength: 2000 },
  },
  { _id: false },
);

export const workOrderSchema = new Schema(
  {
    number: { type: String, required: true, match: [/^WO\d{8}-\d{4,}$/, 'number must look like WO20261129-0001'] },
    category: { type: String, required: true, enum: WORK_ORDER_CATEGORIES },
    department: { type: String, required: true, enum: DEPARTMENTS },
    status: { type: String, required: true, enum: WORK_ORDER_STATUSES, default: 'open' },
    emergency: { type: Boolean, default: false },
    /** Orders needing several departments: `department` leads, these take part (they see the order too). */
    participants: { type: [{ type: String, enum: DEPARTMENTS }], default: [] },
    /** 首问负责制: the agent who owns the caller's order until it is handed over in the system. */
    owner: { type: String, match: [WORK_NUMBER_RE, 'owner must be a work number'] },
    callId: { type: String },
    createdBy: { type: String, required: true, match: [WORK_NUMBER_RE, 'creator must be a work number'] },
    customerAccount: { type: String },
    /** The caller's number, copied from the call at creation: the department may need to ring back the line that reported it. */
    callerNumber: { type: String },
    contactName: { type: String, trim: true, maxlength: 100 },
    contactPhone: { type: String, required: true, match: [PHONE_RE, 'a valid contact number is required'] },
    address: { type: String, required: true, trim: true, maxlength: 200 },
    description: { type: String, required: true, trim: true, maxlength: 4000 },
    /** Art. 13: what the agent asks for a leak or fault report. */
    leak: {
      location: { type: String, trim: true, maxlength: 200 },
      pipeDiameterMm: { type: Number, min: 0, max: 3000 },
      meterSide: { type: String, enum: ['before', 'after', 'unknown'] },
      landmarks: { type: String, trim: true, maxlength: 200 },
    },
    /** Pipe, valve and hydrant orders carry a GIS location. */
    gis: {
      lat: { type: Number, min: -90, max: 90 },
      lng: { type: Number, min: -180, max: 180 },
    },
    /** Deadlines derived from the rules at creation (5 min dispatch, 1 h complaint acceptance). */
    dispatchBy: { type: Date },
    acceptBy: { type: Date },
    dueBy: { type: Date },
    /** Bumped whenever `dueBy` moves (an approved extension): deadline job ids carry it, so an old one never fires. */
    dueVersion: { type: Number, default: 0 },
    dispatchedAt: { type: Date },
    /** The Art. 8 notice: how it went out, and who acknowledged it (a key press on the call, or the page). */
    notice: {
      channels: { type: [{ type: String, enum: NOTICE_CHANNELS }], default: undefined },
      sentAt: { type: Date },
      acknowledgedAt: { type: Date },
      acknowledgedBy: { type: String },
    },
    /** Flags set by the deadline rules; an order keeps its status while flagged. */
    noticeLate: { type: Boolean, default: false },
    acceptLate: { type: Boolean, default: false },
    overdue: { type: Boolean, default: false },
    escalated: { type: Boolean, default: false },
    escalations: { type: [escalationSchema], default: [] },
    extensions: { type: [extensionSchema], default: [] },
    /** The last 催办 (urging) of the order, and how many times it was urged. */
    urgedAt: { type: Date },
    urgeCount: { type: Number, default: 0 },
    archivedAt: { type: Date },
    acceptedAt: { type: Date },
    resolvedAt: { type: Date },
    result: { type: String, maxlength: 4000 },
    /** Engineering jobs (报装, 表位改造, 表后维修): when the works were settled (竣工结算); callbacks sample them monthly (Art. 21 四, 22 二). */
    settledAt: { type: Date },
    /**
     * Set with the move to resolved, cleared once the callback (回访) it owes exists (or it owes
     * none): a process that dies in between leaves it to the callback sweep.
     */
    callbackPending: { type: Boolean },
    /** A follow-up order: the customer answered a callback "unsatisfied" (Art. 21 三), so the department visits until it is solved. */
    linkedFrom: {
      workOrderNumber: { type: String },
      callbackId: { type: String },
    },
    history: { type: [historySchema], default: [] },
  },
  { timestamps: true },
);
workOrderSchema.index({ number: 1 }, { unique: true });
workOrderSchema.index({ contactPhone: 1, createdAt: -1 });
workOrderSchema.index({ customerAccount: 1, status: 1 });
workOrderSchema.index({ department: 1, status: 1 });
workOrderSchema.index({ participants: 1, status: 1 });
workOrderSchema.index({ owner: 1, status: 1 });
workOrderSchema.index({ status: 1, dueBy: 1 });
workOrderSchema.index({ callId: 1 });
workOrderSchema.index({ callbackPending: 1 }, { sparse: true });
workOrderSchema.index({ settledAt: 1 }, { sparse: true });
workOrderSchema.index({ 'linkedFrom.callbackId': 1 }, { sparse: true });

export type WorkOrderDoc = InferSchemaType<typeof workOrderSchema>;
export const workOrderModel = (conn: Connection): Model<WorkOrderDoc> =>
  conn.model<WorkOrderDoc>('WorkOrder', workOrderSchema);

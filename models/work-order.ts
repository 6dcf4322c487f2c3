import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { DEPARTMENTS, PHONE_RE, WORK_NUMBER_RE, WORK_ORDER_CATEGORIES } from './enums';

const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: String, required: true },
    action: { type: String, required: true },
    note: { type: String, maxlength: 2000 },
  },
  { _id: false },
);

export const workOrderSchema = new Schema(
  {
    number: { type: String, required: true, match: [/^WO\d{8}-\d{4,}$/, 'number must look like WO20261129-0001'] },
    category: { type: String, required: true, enum: WORK_ORDER_CATEGORIES },
    department: { type: String, required: true, enum: DEPARTMENTS },
    status: {
      type: String,
      required: true,
      enum: ['open', 'dispatched', 'accepted', 'in_progress', 'resolved', 'archived', 'escalated'],
      default: 'open',
    },
    emergency: { type: Boolean, default: false },
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
    dispatchedAt: { type: Date },
    acceptedAt: { type: Date },
    resolvedAt: { type: Date },
    result: { type: String, maxlength: 4000 },
    history: { type: [historySchema], default: [] },
  },
  { timestamps: true },
);
workOrderSchema.index({ number: 1 }, { unique: true });
workOrderSchema.index({ contactPhone: 1, createdAt: -1 });
workOrderSchema.index({ customerAccount: 1, status: 1 });
workOrderSchema.index({ department: 1, status: 1 });
workOrderSchema.index({ callId: 1 });

export type WorkOrderDoc = InferSchemaType<typeof workOrderSchema>;
export const workOrderModel = (conn: Connection): Model<WorkOrderDoc> =>
  conn.model<WorkOrderDoc>('WorkOrder', workOrderSchema);

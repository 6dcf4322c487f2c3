import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * What passes between the call centre and the dispatch centre (Art. 19): large leaks, repairs and
 * valve closures the call centre enters, and network anomalies dispatch posts (pressure drops,
 * a main burst seen on the SCADA) for the call centre to expect calls.
 */
export const DISPATCH_KINDS = ['leak', 'repair', 'valve', 'anomaly'] as const;
export type DispatchKind = (typeof DISPATCH_KINDS)[number];
export const VALVE_STATES = ['open', 'closed', 'partly'] as const;

export const dispatchEntrySchema = new Schema(
  {
    kind: { type: String, required: true, enum: DISPATCH_KINDS },
    location: { type: String, required: true, trim: true, maxlength: 200 },
    diameterMm: { type: Number, min: 15, max: 3000 },
    valveStatus: { type: String, enum: VALVE_STATES },
    areaCodes: { type: [{ type: String, match: [/^[A-Z0-9-]{2,16}$/, 'area code must be A-Z, digits, dash'] }], default: [] },
    affectedArea: { type: String, trim: true, maxlength: 500 },
    expectedRepairAt: { type: Date },
    note: { type: String, trim: true, maxlength: 2000 },
    workOrderNumber: { type: String },
    outageNumber: { type: String },
    status: { type: String, required: true, enum: ['open', 'closed'], default: 'open' },
    createdBy: { type: String, required: true },
    /** Who entered it: the call centre (leaks, repairs, valves) or dispatch (anomalies). */
    side: { type: String, required: true, enum: ['call-centre', 'dispatch'] },
    closedBy: { type: String },
    closedAt: { type: Date },
  },
  { timestamps: true },
);
dispatchEntrySchema.index({ status: 1, createdAt: -1 });

export type DispatchEntryDoc = InferSchemaType<typeof dispatchEntrySchema>;
export const dispatchEntryModel = (conn: Connection): Model<DispatchEntryDoc> => conn.model<DispatchEntryDoc>('DispatchEntry', dispatchEntrySchema);

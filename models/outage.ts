import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const valveSchema = new Schema(
  {
    count: { type: Number, required: true, min: 1 },
    diameterMm: { type: Number, required: true, min: 1, max: 3000 },
    number: { type: String, trim: true },
    location: { type: String, required: true, trim: true },
  },
  { _id: false },
);

export const outageSchema = new Schema(
  {
    kind: { type: String, required: true, enum: ['planned', 'unplanned'] },
    scope: { type: String, required: true, enum: ['network', 'plant'] },
    areaCodes: {
      type: [{ type: String, match: [/^[A-Z0-9-]{2,16}$/, 'area code must be A-Z, digits, dash'] }],
      validate: { validator: (v: string[]) => v.length > 0, message: 'at least one affected area' },
    },
    areaDescription: { type: String, required: true, trim: true, maxlength: 1000 },
    startsAt: { type: Date, required: true },
    expectedEndAt: {
      type: Date,
      required: true,
      validate: {
        validator(this: { startsAt?: Date }, v: Date) {
          return !this.startsAt || v > this.startsAt;
        },
        message: 'expected end must be after the start',
      },
    },
    valves: { type: [valveSchema], default: [] },
    mainRoadDug: { type: Boolean, default: false },
    peopleAffected: { type: Number, required: true, min: 0 },
    /** Over 5000 people: planned network work needs the city bureau's approval first (Art. 16). */
    bureauApprovedAt: { type: Date },
    status: { type: String, required: true, enum: ['draft', 'published', 'ended', 'cancelled'], default: 'draft' },
    publishedAt: { type: Date },
    createdBy: { type: String, required: true },
  },
  { timestamps: true },
);
outageSchema.index({ areaCodes: 1, status: 1, startsAt: 1 });

export type OutageDoc = InferSchemaType<typeof outageSchema>;
export const outageModel = (conn: Connection): Model<OutageDoc> => conn.model<OutageDoc>('Outage', outageSchema);

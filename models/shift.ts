import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { WORK_NUMBER_RE } from './enums';

export const shiftSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    startsAt: { type: Date, required: true },
    endsAt: {
      type: Date,
      required: true,
      validate: {
        validator(this: { startsAt?: Date }, v: Date) {
          return !this.startsAt || v > this.startsAt;
        },
        message: 'a shift ends after it starts',
      },
    },
    leader: { type: String, required: true, match: [WORK_NUMBER_RE, 'leader must be a work number'] },
    agents: { type: [{ type: String, match: [WORK_NUMBER_RE, 'agents are work numbers'] }], default: [] },
    /** What this shift passes on to the next (rule 八); the next reviews it at its start. */
    handoverNotes: { type: String, maxlength: 4000 },
    reviewedAt: { type: Date },
    reviewedBy: { type: String },
  },
  { timestamps: true },
);
shiftSchema.index({ startsAt: -1 });

export type ShiftDoc = InferSchemaType<typeof shiftSchema>;
export const shiftModel = (conn: Connection): Model<ShiftDoc> => conn.model<ShiftDoc>('Shift', shiftSchema);

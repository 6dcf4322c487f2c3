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
    /** The shift leader (班长) from the roster; without one, the supervisors lead the shift. */
    leader: { type: String, match: [WORK_NUMBER_RE, 'leader must be a work number'] },
    agents: { type: [{ type: String, match: [WORK_NUMBER_RE, 'agents are work numbers'] }], default: [] },
    /** What this shift passes on to the next (rule 八); the next reviews it at its start. */
    handoverNotes: { type: String, maxlength: 4000 },
    /** When the shift-start rule announced this shift's handover to its agents (set once). */
    announcedAt: { type: Date },
    /** The leader's acknowledgement of the handover list (set once: a second one changes nothing). */
    reviewedAt: { type: Date },
    reviewedBy: { type: String },
    /** The orders on the handover list when it was acknowledged. */
    reviewedOrders: { type: [String], default: undefined },
  },
  { timestamps: true },
);
shiftSchema.index({ startsAt: -1 });
// One document per shift on the calendar (the roster's, or the one the handover rule creates). Its
// own key, ascending: an index of an existing database cannot change to unique in place.
shiftSchema.index({ startsAt: 1 }, { unique: true });

export type ShiftDoc = InferSchemaType<typeof shiftSchema>;
export const shiftModel = (conn: Connection): Model<ShiftDoc> => conn.model<ShiftDoc>('Shift', shiftSchema);

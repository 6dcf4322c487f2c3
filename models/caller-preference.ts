import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { LANGUAGES } from './enums';

/** The language a caller chose by key press, remembered for their number (callers need not be customers). */
export const callerPreferenceSchema = new Schema(
  {
    number: { type: String, required: true, match: [/^\+?\d{1,20}$/, 'number must be digits'] },
    language: { type: String, required: true, enum: LANGUAGES },
  },
  { timestamps: true },
);
callerPreferenceSchema.index({ number: 1 }, { unique: true });

export type CallerPreferenceDoc = InferSchemaType<typeof callerPreferenceSchema>;
export const callerPreferenceModel = (conn: Connection): Model<CallerPreferenceDoc> =>
  conn.model<CallerPreferenceDoc>('CallerPreference', callerPreferenceSchema);

import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const recordingSchema = new Schema(
  {
    /** Asterisk's recording name (unique on the PBX); the file is <name>.<format>. */
    name: { type: String, required: true, match: [/^[A-Za-z0-9._-]{1,128}$/, 'recording name must be a safe file name'] },
    callId: { type: String, required: true },
    bridgeId: { type: String },
    format: { type: String, required: true, enum: ['wav', 'gsm', 'ulaw', 'alaw', 'sln'], default: 'wav' },
    file: { type: String, required: true },
    startedAt: { type: Date, required: true },
    endedAt: { type: Date },
    durationSec: { type: Number, min: 0 },
    state: { type: String, enum: ['recording', 'done', 'failed'], required: true, default: 'recording' },
    /** A call transferred on is recorded in parts: 2, 3, …, each naming the part before it. */
    part: { type: Number, min: 1 },
    previous: { type: String },
  },
  { timestamps: true },
);
recordingSchema.index({ name: 1 }, { unique: true });
recordingSchema.index({ callId: 1 });

export type RecordingDoc = InferSchemaType<typeof recordingSchema>;
export const recordingModel = (conn: Connection): Model<RecordingDoc> =>
  conn.model<RecordingDoc>('Recording', recordingSchema);

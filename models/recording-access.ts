import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ROLES } from './enums';

/**
 * Who listened to which call's recording, and when (personal data: the admins' audit). Written
 * before the recording is handed out: a listen that cannot be recorded does not happen.
 */
export const recordingAccessSchema = new Schema(
  {
    at: { type: Date, required: true },
    workNumber: { type: String, required: true },
    role: { type: String, required: true, enum: ROLES },
    recording: { type: String, required: true },
    /** The call recorded, when known (fallback recordings of Asterisk's own queue have none). */
    callId: { type: String },
    /** `play`: a player link was issued; `download`: the file was fetched with a bearer token. */
    via: { type: String, required: true, enum: ['play', 'download'] },
    ip: { type: String },
  },
  { versionKey: false },
);
recordingAccessSchema.index({ at: -1 });
recordingAccessSchema.index({ workNumber: 1, at: -1 });
recordingAccessSchema.index({ callId: 1, at: -1 });

export type RecordingAccessDoc = InferSchemaType<typeof recordingAccessSchema>;
export const recordingAccessModel = (conn: Connection): Model<RecordingAccessDoc> => conn.model<RecordingAccessDoc>('RecordingAccess', recordingAccessSchema);

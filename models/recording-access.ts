import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { ROLES } from './enums';

export const RECORDING_ACCESS_VIA = ['play', 'download', 'listen', 'whisper', 'barge'] as const;
export type RecordingAccessVia = (typeof RECORDING_ACCESS_VIA)[number];

/**
 * Who listened to which call's recording, or to which live call, and when (personal data: the
 * admins' audit). Written before the recording is handed out or the call joined: a listen that
 * cannot be recorded does not happen.
 */
export const recordingAccessSchema = new Schema(
  {
    at: { type: Date, required: true },
    workNumber: { type: String, required: true },
    role: { type: String, required: true, enum: ROLES },
    /** Absent for live monitoring (no recording is handed out). */
    recording: { type: String },
    /** The call recorded, when known (fallback recordings of Asterisk's own queue have none). */
    callId: { type: String },
    /**
     * `play`: a player link was issued; `download`: the file was fetched with a bearer token;
     * `listen`, `whisper`, `barge`: a supervisor joined the live call so (written before the phone is rung or the mode changed).
     */
    via: { type: String, required: true, enum: RECORDING_ACCESS_VIA },
    ip: { type: String },
  },
  { versionKey: false },
);
recordingAccessSchema.index({ at: -1 });
recordingAccessSchema.index({ workNumber: 1, at: -1 });
recordingAccessSchema.index({ callId: 1, at: -1 });

export type RecordingAccessDoc = InferSchemaType<typeof recordingAccessSchema>;
export const recordingAccessModel = (conn: Connection): Model<RecordingAccessDoc> => conn.model<RecordingAccessDoc>('RecordingAccess', recordingAccessSchema);

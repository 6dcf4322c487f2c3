import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { DEPARTMENTS, LANGUAGES, ROLES, WORK_NUMBER_RE } from './enums';

export const agentSchema = new Schema(
  {
    workNumber: { type: String, required: true, match: [WORK_NUMBER_RE, 'work number must be 3-6 digits'] },
    name: { type: String, required: true, trim: true, maxlength: 64 },
    passwordHash: { type: String, required: true, select: false },
    role: { type: String, required: true, enum: ROLES },
    languages: {
      type: [{ type: String, enum: LANGUAGES }],
      validate: {
        // Only people who take calls need a language; a department user or admin may have none.
        validator(this: { role?: string }, v: string[]) {
          return this.role !== 'agent' || (Array.isArray(v) && v.length > 0);
        },
        message: 'an agent speaks at least one of yue, cmn',
      },
    },
    /** PJSIP endpoint resource of the agent's desk phone (PJSIP/<extension>). */
    extension: { type: String, match: [WORK_NUMBER_RE, 'extension must be 3-6 digits'] },
    department: {
      type: String,
      enum: DEPARTMENTS,
      required: [
        function (this: { role?: string }) {
          return this.role === 'department';
        },
        'a department user needs a department',
      ],
    },
    /** A department user who leads the department: approves extension requests, is phoned for emergencies (Art. 9, 10). */
    leader: { type: Boolean, default: false },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
agentSchema.index({ workNumber: 1 }, { unique: true });
agentSchema.index({ extension: 1 });
agentSchema.index({ role: 1, active: 1 });

export type AgentDoc = InferSchemaType<typeof agentSchema>;
export const agentModel = (conn: Connection): Model<AgentDoc> => conn.model<AgentDoc>('Agent', agentSchema);

import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { DEPARTMENTS, PHONE_RE } from './enums';

const contactSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    phone: { type: String, required: true, match: [PHONE_RE, 'phone must be digits'] },
    title: { type: String, trim: true },
  },
  { _id: false },
);

export const departmentSchema = new Schema(
  {
    code: { type: String, required: true, enum: DEPARTMENTS },
    name: { type: String, required: true, trim: true },
    /** Who receives dispatched orders by phone/SMS within 5 minutes (Art. 8). */
    onDutyContacts: { type: [contactSchema], default: [] },
    /** Emergencies and extension approvals go to the leader (Art. 9, 10). */
    leaderContacts: { type: [contactSchema], default: [] },
    /** The line an agent may transfer a caller to (转部门), dialled through the carrier trunk; none: not offered. */
    transferNumber: { type: String, match: [PHONE_RE, 'phone must be digits'] },
  },
  { timestamps: true },
);
departmentSchema.index({ code: 1 }, { unique: true });

export type DepartmentDoc = InferSchemaType<typeof departmentSchema>;
export const departmentModel = (conn: Connection): Model<DepartmentDoc> =>
  conn.model<DepartmentDoc>('Department', departmentSchema);

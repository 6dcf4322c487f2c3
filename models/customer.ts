import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { LANGUAGES, PHONE_RE } from './enums';

export const customerSchema = new Schema(
  {
    accountNumber: { type: String, required: true, match: [/^\d{6,12}$/, 'account number must be 6-12 digits'] },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    phones: {
      type: [{ type: String, match: [PHONE_RE, 'phone must be digits'] }],
      default: [],
    },
    address: { type: String, required: true, trim: true, maxlength: 200 },
    /** Supply area; outages are published per area and matched to callers by it. */
    areaCode: { type: String, required: true, match: [/^[A-Z0-9-]{2,16}$/, 'area code must be A-Z, digits, dash'] },
    /** Important / big water user: notified 24 h ahead of an outage (Art. 18). */
    bigUser: { type: Boolean, default: false },
    preferredLanguage: { type: String, enum: LANGUAGES },
  },
  { timestamps: true },
);
customerSchema.index({ accountNumber: 1 }, { unique: true });
// The screen-pop looks customers up by the caller's number.
customerSchema.index({ phones: 1 });
customerSchema.index({ areaCode: 1 });

export type CustomerDoc = InferSchemaType<typeof customerSchema>;
export const customerModel = (conn: Connection): Model<CustomerDoc> => conn.model<CustomerDoc>('Customer', customerSchema);

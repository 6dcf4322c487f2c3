import { SharedReads } from '../core/shared-read';
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

type CustomerModel = Pick<Model<CustomerDoc>, 'findOne'>;
const lookups = new WeakMap<CustomerModel, SharedReads<CustomerDoc | null>>();

/**
 * How long a number's lookup answers again. A call's arrival asks twice (the greeting's language,
 * then the screen-pop's content, a few round trips later, once the first read is often done):
 * both are answered by one read, and a customer edited just then shows this much later.
 */
const KEEP_MS = 3_000;

/** The customer on file for a phone number; see KEEP_MS. */
export function customerByPhone(Customer: CustomerModel, phone: string): Promise<CustomerDoc | null> {
  let reads = lookups.get(Customer);
  if (!reads) {
    reads = new SharedReads((p) => Customer.findOne({ phones: p }).lean<CustomerDoc>().exec(), KEEP_MS);
    lookups.set(Customer, reads);
  }
  return reads.get(phone);
}

import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { DEPARTMENTS, PHONE_RE } from './enums';

/** draft → approved → published → in_progress → restored, or cancelled before it is over (Art. 16–18). */
export const OUTAGE_STATUSES = ['draft', 'approved', 'published', 'in_progress', 'restored', 'cancelled'] as const;
export type OutageStatus = (typeof OUTAGE_STATUSES)[number];
/** Statuses in which the outage is public and callers of its areas are told of it. */
export const OUTAGE_ACTIVE_STATUSES: readonly OutageStatus[] = ['published', 'in_progress'];
export const OUTAGE_KINDS = ['planned', 'unplanned'] as const;
/** Pipe network (工程公司's work) or a water plant / booster station (生产部's). */
export const OUTAGE_SOURCES = ['network', 'plant'] as const;
export const OUTAGE_ACTIONS = ['created', 'updated', 'approved', 'bureau-approved', 'published', 'rescheduled', 'started', 'restored', 'cancelled', 'call-acknowledged'] as const;
export type OutageAction = (typeof OUTAGE_ACTIONS)[number];
/** Where a published notice goes (Art. 17): WeChat official account, company website, 红豆网 (over 5000 people). */
export const OUTAGE_CHANNELS = ['wechat', 'website', 'hongdou'] as const;
export type OutageChannel = (typeof OUTAGE_CHANNELS)[number];

const valveSchema = new Schema(
  {
    count: { type: Number, required: true, min: 1 },
    diameterMm: { type: Number, required: true, min: 1, max: 3000 },
    number: { type: String, trim: true },
    location: { type: String, required: true, trim: true },
  },
  { _id: false },
);

const historySchema = new Schema(
  {
    action: { type: String, required: true, enum: OUTAGE_ACTIONS },
    by: { type: String, required: true },
    at: { type: Date, required: true },
    note: { type: String, maxlength: 2000 },
  },
  { _id: false },
);

/** One delivery of one version of the notice to one channel, as the adapter took it. */
const publicationSchema = new Schema(
  {
    channel: { type: String, required: true, enum: OUTAGE_CHANNELS },
    version: { type: Number, required: true, min: 1 },
    /** What the version said: published (or moved), cancelled, restored. */
    what: { type: String, required: true, enum: ['notice', 'cancelled', 'restored'] },
    status: { type: String, required: true, enum: ['pending', 'sent', 'failed'] },
    attempts: { type: Number, default: 0 },
    sentAt: { type: Date },
    error: { type: String },
  },
  { _id: false },
);

export const outageSchema = new Schema(
  {
    /** `TS20261203-01`: what people quote. */
    number: { type: String, required: true },
    kind: { type: String, required: true, enum: OUTAGE_KINDS },
    source: { type: String, required: true, enum: OUTAGE_SOURCES },
    areaCodes: {
      type: [{ type: String, match: [/^[A-Z0-9-]{2,16}$/, 'area code must be A-Z, digits, dash'] }],
      validate: { validator: (v: string[]) => v.length > 0, message: 'at least one affected area' },
    },
    streets: { type: [{ type: String, trim: true, maxlength: 100 }], default: [] },
    areaDescription: { type: String, required: true, trim: true, maxlength: 1000 },
    startsAt: { type: Date, required: true },
    expectedEndAt: {
      type: Date,
      required: true,
      validate: {
        validator(this: { startsAt?: Date }, v: Date) {
          return !this.startsAt || v > this.startsAt;
        },
        message: 'expected end must be after the start',
      },
    },
    valves: { type: [valveSchema], default: [] },
    mainRoadDug: { type: Boolean, default: false },
    peopleAffected: { type: Number, required: true, min: 0 },
    /** The department responsible for the works. */
    department: { type: String, required: true, enum: DEPARTMENTS },
    reason: { type: String, trim: true, maxlength: 1000 },
    /** More people affected than OUTAGE_LARGE_THRESHOLD (5000): the bureau's approval, the leaders told, 红豆网 (Art. 16). */
    large: { type: Boolean, required: true, default: false },
    status: { type: String, required: true, enum: OUTAGE_STATUSES, default: 'draft' },
    /** Over 5000 people, planned network work: the city bureau's approval, recorded before publication. */
    bureauApproval: {
      by: { type: String, trim: true },
      reference: { type: String, trim: true },
      at: { type: Date },
      recordedBy: { type: String },
    },
    /** Each publication (or change of it) is a new version: every channel gets each version once. */
    version: { type: Number, default: 0 },
    publications: { type: [publicationSchema], default: [] },
    /** The step's effects (publications, texts, the big users' job) are owed: set with the step, cleared once queued. */
    effectsPending: { type: Boolean },
    /** The start the big users were last told of (their T−24 h notice). */
    bigUsersToldFor: { type: Date },
    createdBy: { type: String, required: true },
    approvedAt: { type: Date },
    publishedAt: { type: Date },
    startedAt: { type: Date },
    restoredAt: { type: Date },
    cancelledAt: { type: Date },
    history: { type: [historySchema], default: [] },
  },
  { timestamps: true },
);
outageSchema.index({ number: 1 }, { unique: true });
outageSchema.index({ areaCodes: 1, status: 1, startsAt: 1 });
outageSchema.index({ status: 1, startsAt: -1 });

export type OutageDoc = InferSchemaType<typeof outageSchema>;
export const outageModel = (conn: Connection): Model<OutageDoc> => conn.model<OutageDoc>('Outage', outageSchema);

/** Who in an area is phoned or texted when a notice is published (Art. 17): enterprises, estates, property managers, communities. */
export const AREA_CONTACT_KINDS = ['enterprise', 'estate', 'property', 'community'] as const;

export const areaContactSchema = new Schema(
  {
    areaCode: { type: String, required: true, match: [/^[A-Z0-9-]{2,16}$/, 'area code must be A-Z, digits, dash'] },
    kind: { type: String, required: true, enum: AREA_CONTACT_KINDS },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    phone: { type: String, required: true, match: [PHONE_RE, 'phone must be digits'] },
  },
  { timestamps: true },
);
areaContactSchema.index({ areaCode: 1 });

export type AreaContactDoc = InferSchemaType<typeof areaContactSchema>;
export const areaContactModel = (conn: Connection): Model<AreaContactDoc> => conn.model<AreaContactDoc>('AreaContact', areaContactSchema);

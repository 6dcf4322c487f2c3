import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * A monthly report as built (Art. 15): the figures and how many records each came from. Every
 * build of a month is kept, so a rebuild can be compared with what was sent before.
 */
export const monthlyReportSchema = new Schema(
  {
    month: { type: String, required: true, match: [/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM'] },
    build: { type: Number, required: true, min: 1 },
    /**
     * Unique: `schedule:<month>` for the scheduled build, so the job of the 27th run by two
     * processes (or retried) stores one report; `asked:<id>` for a build someone asked for.
     */
    onceKey: { type: String, required: true },
    builtBy: { type: String, required: true },
    builtAt: { type: Date, required: true },
    /** The report itself, as `contracts/reports.ts` monthlyReportSchema validated it. */
    report: { type: Schema.Types.Mixed, required: true },
  },
  { minimize: false },
);
monthlyReportSchema.index({ month: 1, build: 1 }, { unique: true });
monthlyReportSchema.index({ onceKey: 1 }, { unique: true });

export type MonthlyReportDoc = InferSchemaType<typeof monthlyReportSchema>;
export const monthlyReportModel = (conn: Connection): Model<MonthlyReportDoc> => conn.model<MonthlyReportDoc>('MonthlyReport', monthlyReportSchema);

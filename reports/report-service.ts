import { randomUUID } from 'node:crypto';
import { forbidden, isDuplicateKey, notFound, badRequest } from '../core/errors';
import type { Logger } from '../core/logger';
import { monthOf } from '../core/time';
import type { Models } from '../models';
import { monthlyReportSchema, type MonthlyReport, type ReportListItem, type SessionUser } from '../contracts';
import { buildReportFigures, type ReportOptions } from './report-builder';
import { monthZh } from '../contracts/report-tables';

/** Who reads and builds the monthly report: the call centre's supervisors, admins, and 营业部, which owns it (Art. 15). */
export const REPORT_ROLES = ['supervisor', 'admin', 'department'] as const;

/** Numbers under races: two builds of one month asked at the same moment take the next number each. */
const BUILD_TRIES = 5;

export function mayReadReports(user: SessionUser): boolean {
  return user.role === 'supervisor' || user.role === 'admin' || (user.role === 'department' && user.department === 'business');
}

export function assertMayReadReports(user: SessionUser): void {
  if (!mayReadReports(user)) throw forbidden('monthly reports are for supervisors, admins and the business department', '月报仅供班长、管理员和营业部查看');
}

/** The monthly report (Art. 15, rule 十二): built, kept build by build, read back. */
export class ReportService {
  private readonly log: Logger;
  constructor(private readonly d: { models: Models; options: ReportOptions; logger: Logger }) {
    this.log = d.logger.child({ component: 'monthly-report' });
  }

  /**
   * Builds `month` as the records stand and stores it as the month's next build. With `onceKey`
   * (the scheduled build), a build stored under that key earlier is returned instead and nothing
   * is built: the job of the 27th stores one report however many processes or retries run it.
   */
  async build(month: string, builtBy: string, onceKey?: string, now = Date.now()): Promise<{ report: MonthlyReport; first: boolean }> {
    if (month > monthOf(now)) throw badRequest(`month ${month} has not begun`, `${monthZh(month)}尚未开始，不能生成月报`);
    const { MonthlyReport: Reports } = this.d.models;
    if (onceKey) {
      const done = await Reports.findOne({ onceKey }).lean();
      if (done) return { report: monthlyReportSchema.parse(done.report), first: false };
    }
    const figures = await buildReportFigures(this.d.models, month, this.d.options);
    for (let i = 0; i < BUILD_TRIES; i++) {
      const last = await Reports.findOne({ month }).sort({ build: -1 }).select('build').lean();
      const build = (last?.build ?? 0) + 1;
      const builtAt = new Date(now);
      const report = monthlyReportSchema.parse({ ...figures, build, builtAt: builtAt.toISOString(), builtBy });
      try {
        await Reports.create({ month, build, onceKey: onceKey ?? `asked:${randomUUID()}`, builtBy, builtAt, report });
        this.log.info({ month, build, builtBy, inputs: report.inputs }, 'monthly report built');
        return { report, first: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Another process stored the scheduled build first: that one stands.
        if (onceKey) {
          const done = await Reports.findOne({ onceKey }).lean();
          if (done) return { report: monthlyReportSchema.parse(done.report), first: false };
        }
      }
    }
    throw new Error(`monthly report ${month}: no free build number after ${BUILD_TRIES} tries`);
  }

  async get(month: string, build?: number): Promise<MonthlyReport> {
    const q = this.d.models.MonthlyReport.findOne(build ? { month, build } : { month });
    const doc = await (build ? q : q.sort({ build: -1 })).lean();
    if (!doc) throw notFound(`monthly report ${month}${build ? ` build ${build}` : ''}`, build ? `${monthZh(month)}月报没有第 ${build} 版` : `${monthZh(month)}的月报尚未生成`);
    return monthlyReportSchema.parse(doc.report);
  }

  /** Every month's latest build, newest month first, with how many builds it has. */
  async list(): Promise<ReportListItem[]> {
    const docs = await this.d.models.MonthlyReport.find({}).select('month build builtAt builtBy').sort({ month: -1, build: -1 }).limit(2000).lean();
    const out = new Map<string, ReportListItem>();
    for (const d of docs) {
      const seen = out.get(d.month);
      if (seen) seen.builds++;
      else out.set(d.month, { month: d.month, build: d.build, builtAt: d.builtAt.toISOString(), builtBy: d.builtBy, builds: 1 });
    }
    return [...out.values()];
  }
}

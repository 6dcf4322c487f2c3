import { z } from 'zod';
import type { ApiRoutes } from '../api/routes';
import {
  alarmHistoryQuery,
  alarmHistorySchema,
  callSearchQuery,
  callSearchResultSchema,
  errorBodySchema,
  hotlineHistoryQuery,
  hotlineHistorySchema,
  monthlyReportSchema,
  reportBuildQuery,
  reportListItemSchema,
  reportMonthParams,
} from '../contracts';
import type { Models } from '../models';
import { alarmHistory, hotlineHistory, searchCalls } from './history';
import { reportCsv, reportXlsx } from './report-export';
import { assertMayReadReports, type ReportService } from './report-service';

const refusals = {
  401: { description: 'not signed in', schema: errorBodySchema },
  403: { description: 'not a supervisor, an admin or a 营业部 user (agents and other departments are refused)', schema: errorBodySchema },
};

/**
 * The monthly report over REST (the list, a build on demand, the report as JSON, XLSX and CSV), and
 * the history the consoles show beside it.
 */
export function reportRoutes(api: ApiRoutes, reports: ReportService, models: Pick<Models, 'Call' | 'Agent' | 'Alarm'>, opts: { serviceLevelMs: number }): void {
  api
    .group('/api/history', 'history')
    .add(
      {
        method: 'get',
        path: '/hotline',
        summary: 'Today by hour, this week or this month by day: calls, service level within 20 s, abandons (the board\'s period switch)',
        query: hotlineHistoryQuery,
        responses: { 200: { description: 'the period\'s figures', schema: hotlineHistorySchema } },
      },
      ({ query }) => hotlineHistory(models, query.period, opts),
    )
    .add(
      {
        method: 'get',
        path: '/calls',
        summary: 'Call search: any part of the number, agent, days (Asia/Shanghai, the last 7 by default), outcome, language; newest first, with the recording to play',
        query: callSearchQuery,
        responses: { 200: { description: 'the calls found (`more`: there are more than `limit`)', schema: callSearchResultSchema } },
      },
      ({ query }) => searchCalls(models, query),
    )
    .add(
      {
        method: 'get',
        path: '/alarms',
        summary: 'Alarms per day over the last `days` days by kind: 30 min silence, 20 s ring-no-answer, long wait, others',
        query: alarmHistoryQuery,
        responses: { 200: { description: 'one row per day, oldest first', schema: alarmHistorySchema } },
      },
      ({ query }) => alarmHistory(models, query.days),
    );

  api
    .group('/api/reports', 'reports')
    .add(
      {
        method: 'get',
        path: '/',
        summary: 'Monthly reports built so far: each month\'s latest build, newest month first',
        responses: { 200: { description: 'the reports', schema: z.array(reportListItemSchema) }, ...refusals },
      },
      ({ user }) => {
        assertMayReadReports(user!);
        return reports.list();
      },
    )
    .add(
      {
        method: 'post',
        path: '/:month/build',
        summary: 'Build the report of a month now (the month so far, or any past month); kept as the month\'s next build beside the earlier ones',
        params: reportMonthParams,
        status: 201,
        responses: { 201: { description: 'the report as built', schema: monthlyReportSchema }, 400: { description: 'a month not begun yet', schema: errorBodySchema }, ...refusals },
      },
      async ({ params, user }) => {
        assertMayReadReports(user!);
        return (await reports.build(params.month, user!.workNumber)).report;
      },
    )
    .add(
      {
        method: 'get',
        path: '/:month',
        summary: 'A month\'s report (its latest build, or `build`)',
        params: reportMonthParams,
        query: reportBuildQuery,
        responses: { 200: { description: 'the report', schema: monthlyReportSchema }, 404: { description: 'not built', schema: errorBodySchema }, ...refusals },
      },
      ({ params, query, user }) => {
        assertMayReadReports(user!);
        return reports.get(params.month, query.build);
      },
    )
    .add(
      {
        method: 'get',
        path: '/:month/xlsx',
        summary: 'A month\'s report as an Excel workbook, one sheet per section',
        params: reportMonthParams,
        query: reportBuildQuery,
        responses: {
          200: { description: 'the workbook', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
          404: { description: 'not built', schema: errorBodySchema },
          ...refusals,
        },
      },
      async ({ params, query, user, res }) => {
        assertMayReadReports(user!);
        const r = await reports.get(params.month, query.build);
        res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        res.setHeader('Content-Disposition', `attachment; filename="hotline-report-${r.month}-v${r.build}.xlsx"`);
        res.setHeader('Cache-Control', 'private, no-store');
        res.end(await reportXlsx(r));
      },
    )
    .add(
      {
        method: 'get',
        path: '/:month/csv',
        summary: 'A month\'s report as CSV (UTF-8 with BOM): every section one after another',
        params: reportMonthParams,
        query: reportBuildQuery,
        responses: { 200: { description: 'the CSV', contentType: 'text/csv' }, 404: { description: 'not built', schema: errorBodySchema }, ...refusals },
      },
      async ({ params, query, user, res }) => {
        assertMayReadReports(user!);
        const r = await reports.get(params.month, query.build);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="hotline-report-${r.month}-v${r.build}.csv"`);
        res.setHeader('Cache-Control', 'private, no-store');
        res.end(reportCsv(r));
      },
    );
}

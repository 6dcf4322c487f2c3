import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { monthOf } from '../../core/time';
import type { MonthlyReport, ReportListItem } from '../../contracts';
import { ConsoleNode } from '../helpers/console-node';

/**
 * The monthly report's routes on a CTI process: who may build and download it (supervisors,
 * admins, 营业部), who is refused (agents, other departments, nobody signed in), in what words.
 */
describe('monthly report routes: JSON, XLSX and CSV for those authorised only', function () {
  this.timeout(30_000);
  let n: ConsoleNode;
  const month = monthOf(Date.now());

  before(async () => {
    n = await ConsoleNode.start();
  });
  after(async () => n?.stop());

  const get = async (path: string, workNumber?: string, init: RequestInit = {}) => {
    const headers: Record<string, string> = workNumber ? { authorization: `Bearer ${await n.token(workNumber)}` } : {};
    return fetch(`${n.url}${path}`, { ...init, headers });
  };

  it('a supervisor builds the month so far; the list, the JSON, the XLSX and the CSV follow', async () => {
    const built = await get(`/api/reports/${month}/build`, '2001', { method: 'POST' });
    expect(built.status).to.equal(201);
    const report = (await built.json()) as MonthlyReport;
    expect(report).to.include({ month, build: 1, builtBy: '2001' });

    const list = (await (await get('/api/reports', '9001')).json()) as ReportListItem[];
    expect(list).to.deep.include({ month, build: 1, builtAt: report.builtAt, builtBy: '2001', builds: 1 });

    const json = await get(`/api/reports/${month}`, '3101');
    expect(json.status).to.equal(200);
    expect(((await json.json()) as MonthlyReport).inputs).to.deep.equal(report.inputs);

    const xlsx = await get(`/api/reports/${month}/xlsx`, '2001');
    expect(xlsx.status).to.equal(200);
    expect(xlsx.headers.get('content-disposition')).to.equal(`attachment; filename="hotline-report-${month}-v1.xlsx"`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await xlsx.arrayBuffer()) as ExcelJS.Buffer);
    expect(book.getWorksheet('概要')!.getRow(2).values).to.deep.equal([undefined, '月份', month]);

    const csv = await get(`/api/reports/${month}/csv`, '9001');
    expect(csv.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    const bytes = Buffer.from(await csv.arrayBuffer());
    // The byte-order mark Excel needs to read Chinese (fetch's text() would drop it).
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).to.match(/^【概要】\r\n项目,值\r\n月份,/);
  });

  it('refuses agents and other departments (403) and anyone not signed in (401), on every route, in Chinese', async () => {
    const paths: Array<[string, string]> = [
      ['GET', '/api/reports'],
      ['POST', `/api/reports/${month}/build`],
      ['GET', `/api/reports/${month}`],
      ['GET', `/api/reports/${month}/xlsx`],
      ['GET', `/api/reports/${month}/csv`],
    ];
    for (const [method, path] of paths) {
      expect((await get(path, undefined, { method })).status, `${method} ${path} anonymous`).to.equal(401);
      for (const who of ['1001', '3201']) {
        const res = await get(path, who, { method });
        expect(res.status, `${method} ${path} as ${who}`).to.equal(403);
        const body = (await res.json()) as { error: { zh?: string } };
        expect(JSON.stringify(body)).to.match(/月报仅供班长、管理员和营业部查看|无权/);
      }
    }
  });

  it('the history routes answer supervisors and admins, refuse agents and department users', async () => {
    for (const path of ['/api/history/hotline?period=week', '/api/history/calls?number=139', '/api/history/alarms?days=7']) {
      expect((await get(path, '2001')).status, `${path} as supervisor`).to.equal(200);
      expect((await get(path, '9001')).status, `${path} as admin`).to.equal(200);
      expect((await get(path, '1001')).status, `${path} as agent`).to.equal(403);
      expect((await get(path, '3101')).status, `${path} as 营业部`).to.equal(403);
      expect((await get(path)).status, `${path} anonymous`).to.equal(401);
    }
    const bad = await get('/api/history/calls?from=2026-10-09&to=2026-10-01&number=13a', '2001');
    expect(bad.status).to.equal(400);
    expect((await get('/api/history/hotline?period=year', '2001')).status).to.equal(400);
  });

  it('answers a month never built with 404 and a bad month with 400, in Chinese', async () => {
    const none = await get('/api/reports/2001-01', '2001');
    expect(none.status).to.equal(404);
    expect(JSON.stringify(await none.json())).to.include('2001年1月的月报尚未生成');
    expect((await get('/api/reports/2026-13', '2001')).status).to.equal(400);
    expect((await get(`/api/reports/2099-01/build`, '2001', { method: 'POST' })).status).to.equal(400);
  });
});

import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { MonthlyReport } from '../contracts';
import { reportTables } from '../contracts/report-tables';

/** One sheet per section, the header row bold and frozen, columns wide enough for their words. */
export async function reportXlsx(r: MonthlyReport): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'hotline-cti';
  book.created = new Date(r.builtAt);
  for (const t of reportTables(r)) {
    const sheet = book.addWorksheet(t.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(t.header).font = { bold: true };
    for (const row of t.rows) sheet.addRow(row);
    sheet.columns.forEach((col, i) => {
      const widest = Math.max(...[t.header[i] ?? '', ...t.rows.map((r) => String(r[i] ?? ''))].map((s) => [...s].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
      col.width = Math.min(60, Math.max(6, widest + 2));
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/**
 * Every section one after another, each under its name and separated by an empty line; UTF-8 with
 * a byte-order mark, which Excel needs to read Chinese from a CSV.
 */
export function reportCsv(r: MonthlyReport): string {
  const blocks = reportTables(r).map((t) => stringify([[`【${t.sheet}】`], t.header, ...t.rows.map((row) => row.map((c) => (c === null ? '' : c)))], { record_delimiter: 'windows' }));
  return `\uFEFF${blocks.join('\r\n')}`;
}

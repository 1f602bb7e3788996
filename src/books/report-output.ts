/**
 * Reports as text (a table for the terminal), CSV (RFC 4180, one header row) and JSON. CSV and
 * JSON carry, for each row, the ids of the sealed records behind its figures.
 */
import type { Report } from './reports.js';

/** Returns `report` as JSON text: its columns, rows (values and `records`) and notes. */
export function reportJson(report: Report): string {
  return JSON.stringify(
    {
      kind: report.kind,
      title: report.title,
      ...(report.from === undefined ? {} : { from: report.from }),
      ...(report.to === undefined ? {} : { to: report.to }),
      columns: report.columns,
      rows: report.rows.map((r) => ({
        ...r.values,
        records: r.records,
        ...(r.total ? { total: true } : {}),
      })),
      notes: report.notes,
    },
    null,
    2,
  );
}

// OWASP "CSV Injection": a cell a spreadsheet reads as a formula starts with = + - @, or with
// a tab or CR. Spreadsheets also skip leading spaces (and read the full-width ＝ ＋ － ＠ of
// East Asian input as the same signs), so those are looked through first.
const FORMULA = /^(?:[\t\r]|[\s\p{Cf}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * Returns `value` as a spreadsheet will show it, not run it: a cell that would start a formula
 * gets a leading apostrophe (OWASP's advice), except a plain number such as `-120.00`, which
 * is a number to the spreadsheet and stays one. The one rule of every CSV Tamga writes.
 */
export function spreadsheetText(value: string): string {
  return FORMULA.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

function csvCell(value: string): string {
  const safe = spreadsheetText(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Returns `report` as CSV: the columns, then `records` (ids separated by spaces), CRLF lines. */
export function reportCsv(report: Report): string {
  const lines = [[...report.columns.map((c) => csvCell(c.key)), 'records'].join(',')];
  for (const r of report.rows) {
    lines.push(
      [
        ...report.columns.map((c) => csvCell(r.values[c.key] ?? '')),
        csvCell(r.records.join(' ')),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Returns `report` as a text table, with the number of records behind each row and the notes. */
export function reportText(report: Report): string {
  const columns = [...report.columns, { key: '#records', title: 'Records', amount: true }];
  const cells = report.rows.map((r) =>
    columns.map((c) =>
      c.key === '#records' ? (r.total ? '' : String(r.records.length)) : (r.values[c.key] ?? ''),
    ),
  );
  const widths = columns.map((c, i) =>
    Math.min(60, Math.max([...c.title].length, ...cells.map((row) => [...(row[i] ?? '')].length))),
  );
  const padCell = (s: string, w: number, right: boolean) => {
    const chars = [...s];
    const t = chars.length > w ? `${chars.slice(0, w - 1).join('')}…` : s;
    const pad = ' '.repeat(Math.max(0, w - [...t].length));
    return right ? pad + t : t + pad;
  };
  const line = (row: readonly string[]) =>
    columns
      .map((c, i) => padCell(row[i] ?? '', widths[i] ?? 0, c.amount === true))
      .join('  ')
      .trimEnd();
  const period =
    report.from === undefined && report.to === undefined
      ? 'all dates'
      : `${report.from ?? 'the beginning'} to ${report.to ?? 'today'}`;
  const out = [`${report.title}, ${period}`, '', line(columns.map((c) => c.title))];
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) out.push(line(row));
  if (report.notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of report.notes) out.push(`  - ${n}`);
  }
  out.push(
    '',
    'Each row rests on the sealed records listed by --json or --csv; prove one with `tamga show ID`.',
  );
  return `${out.join('\n')}\n`;
}

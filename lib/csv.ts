// CSV cells for files people open in spreadsheets: RFC 4180 quoting, and text that would start a formula
// neutralised by OWASP's rule (a leading single quote, and the cell quoted). Parquet and JSONL keep the raw text.

/** A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets. */
export const FORMULA_START = /^[=+\-@\t\r]/;
/** The same class for DuckDB's regexp functions (RE2 syntax) in the dataset's CSV export. */
export const FORMULA_START_RE2 = '^[=+\\-@\\t\\r]';

/** Text as a spreadsheet will show it and never evaluate it: `=SUM(1)` becomes `'=SUM(1)`. */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

const NEEDS_QUOTES = /[",\n\r]/;

/** One CSV cell. Numbers are written as they are (a negative number is not a formula); text is neutralised. */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  const s = neutraliseFormula(v);
  return s !== v || NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

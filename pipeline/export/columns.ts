// The dataset's columns: Megalith-10m's three URL columns first, then optional metadata; built in one SQL place.
import { FORMULA_START_RE2 } from '../../lib/csv.ts';
import { descriptionText } from './description.ts';

/** What the exporter reads from PostgreSQL for each included photo (the staging row). */
export type ExportRow = {
  id: string;
  owner: string;
  secret: string;
  server: string;
  license: number;
  title: string;
  /** As Flickr sends it (HTML); the staging line carries it as plain text. */
  description: string;
  tags: string;
  width: number | null;
  height: number | null;
  /** Unix seconds. */
  dateUpload: number;
};

/** Rows on their way to DuckDB: staging CSV text (one line per row) and how many rows it holds. */
export type StagingChunk = { text: string; rows: number };

export const STAGING_COLUMNS = [
  ['id', 'VARCHAR'],
  ['owner', 'VARCHAR'],
  ['secret', 'VARCHAR'],
  ['server', 'VARCHAR'],
  ['license', 'INTEGER'],
  ['title', 'VARCHAR'],
  ['tags', 'VARCHAR'],
  ['width', 'INTEGER'],
  ['height', 'INTEGER'],
  ['date_upload', 'BIGINT'],
  ['description', 'VARCHAR'],
] as const;

export const COLUMN_SETS = {
  /** Exactly Megalith-10m's columns. */
  megalith: ['url', 'url_highres', 'url_source'],
  full: [
    'url',
    'url_highres',
    'url_source',
    'photo_id',
    'owner',
    'license',
    'title',
    'description',
    'tags',
    'width',
    'height',
    'date_upload',
  ],
} as const;
export type ColumnSet = keyof typeof COLUMN_SETS;

const STATIC = "'https://live.staticflickr.com/' || server || '/' || id || '_' || secret";

/** Free text from Flickr users: neutralised in CSV (lib/csv.ts), kept raw in Parquet and JSONL. */
export const USER_TEXT_COLUMNS: readonly string[] = ['title', 'description', 'tags'];

/** DuckDB expressions over the staging columns. `url` is Flickr's default 500 px size, `url_highres` the 1024 px `_b`. */
const EXPRESSIONS: Record<string, (textDates: boolean) => string> = {
  url: () => `${STATIC} || '.jpg'`,
  url_highres: () => `${STATIC} || '_b.jpg'`,
  url_source: () => "'https://www.flickr.com/photos/' || owner || '/' || id",
  photo_id: () => 'id',
  owner: () => 'owner',
  license: () => 'license',
  title: () => 'title',
  description: () => 'description',
  tags: () => 'tags',
  width: () => 'width',
  height: () => 'height',
  // Parquet keeps a real timestamp; text formats get ISO 8601 in UTC.
  date_upload: (text) =>
    text
      ? "strftime(make_timestamp(date_upload * 1000000), '%Y-%m-%dT%H:%M:%SZ')"
      : 'to_timestamp(date_upload)',
};

const neutralised = (expr: string) =>
  `CASE WHEN regexp_matches(${expr}, '${FORMULA_START_RE2}') THEN '''' || ${expr} ELSE ${expr} END`;

/** The SELECT list of a file: `csv` neutralises formula-like user text (the COPY also force-quotes those columns). */
export function selectList(set: ColumnSet, format: 'parquet' | 'jsonl' | 'csv'): string {
  const text = format !== 'parquet';
  return COLUMN_SETS[set]
    .map((c) => {
      const expr = EXPRESSIONS[c](text);
      return `${format === 'csv' && USER_TEXT_COLUMNS.includes(c) ? neutralised(expr) : expr} AS ${c}`;
    })
    .join(', ');
}

const NEEDS_QUOTES = /[",\n\r]/;
/** Text fields are quoted when empty too, so DuckDB keeps '' apart from NULL. */
const field = (s: string) => (s === '' || NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const num = (n: number | null) => (n === null ? '' : String(n));

/** The end of a staging line: the description as plain text (converted here: PostgreSQL cannot decode entities). */
export function stagingTail(descriptionHtml: string): string {
  return `,${field(descriptionText(descriptionHtml))}\n`;
}

/** One staging CSV line built in JS (the bench and tests); exports get theirs from STAGING_LINE_SQL + stagingTail. */
export function stagingLine(r: ExportRow): string {
  return `${field(r.id)},${field(r.owner)},${field(r.secret)},${field(r.server)},${r.license},${field(r.title)},${field(r.tags)},${num(r.width)},${num(r.height)},${r.dateUpload}${stagingTail(r.description)}`;
}

const sqlField = (col: string) =>
  `CASE WHEN ${col} = '' OR ${col} ~ '[",\r\n]' THEN '"' || replace(${col}, '"', '""') || '"' ELSE ${col} END`;

/**
 * The same line up to the description, built by PostgreSQL from `photos p`: formatting runs in the database's own
 * process, in parallel with ours, and each fetched row is one string. test/pipeline/export/columns.test.ts keeps the two identical.
 */
export const STAGING_LINE_SQL = [
  sqlField('p.id'),
  sqlField('p.owner_nsid'),
  sqlField('p.secret'),
  sqlField('p.server'),
  'p.license::text',
  sqlField('p.title'),
  sqlField('p.tags'),
  "COALESCE(COALESCE(p.original_width, p.image_width)::text, '')",
  "COALESCE(COALESCE(p.original_height, p.image_height)::text, '')",
  'extract(epoch FROM p.date_upload)::bigint::text',
].join(" || ',' || ");

/** Megalith-style URLs of one photo, as the Parquet holds them (for tests and the UI's examples). */
export function photoUrls(p: { id: string; owner: string; secret: string; server: string }) {
  const base = `https://live.staticflickr.com/${p.server}/${p.id}_${p.secret}`;
  return {
    url: `${base}.jpg`,
    url_highres: `${base}_b.jpg`,
    url_source: `https://www.flickr.com/photos/${p.owner}/${p.id}`,
  };
}

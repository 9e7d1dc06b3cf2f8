// Ingest queries: one-statement page upserts of photos and their accounts, and the crawl_windows work list.
import { db, pgPool } from '../db.ts';
import type { PhotoRecord } from '../domain/photoRecord.ts';

export type CrawlWindowRow = {
  id: bigint;
  minUpload: number;
  maxUpload: number;
  status: 'pending' | 'split' | 'done';
  total: number | null;
  pages: number | null;
  photos: number;
};

// Array parameters go in PostgreSQL's binary format (array_recv): the server copies each element instead of scanning
// quoted text, and the page costs no escaping here. Element type OIDs are fixed in PostgreSQL's catalog.
const ELEMENT_OID = {
  text: 25,
  int: 23,
  boolean: 16,
  timestamptz: 1184,
  timestamp: 1114,
  jsonb: 3802,
} as const;
type ElementType = keyof typeof ELEMENT_OID;
/** Timestamps travel as milliseconds since 1970 (in UTC for `timestamp`); jsonb as JSON text. */
type Cell = string | number | boolean | null;
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

/** A one-dimensional array of `type` in PostgreSQL's binary wire format. */
function binaryArray(type: ElementType, values: readonly Cell[]): Buffer {
  let size = 20;
  // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
  for (const v of values) size += 4 + (typeof v === 'string' ? v.length * 3 + 1 : 8);
  const b = Buffer.allocUnsafe(size);
  b.writeInt32BE(1, 0); // dimensions
  b.writeInt32BE(values.includes(null) ? 1 : 0, 4);
  b.writeInt32BE(ELEMENT_OID[type], 8);
  b.writeInt32BE(values.length, 12);
  b.writeInt32BE(1, 16); // lower bound
  let o = 20;
  for (const v of values) {
    if (v === null) {
      o = b.writeInt32BE(-1, o);
    } else if (type === 'text') {
      const n = b.write(v as string, o + 4);
      b.writeInt32BE(n, o);
      o += 4 + n;
    } else if (type === 'jsonb') {
      b[o + 4] = 1; // jsonb's binary format version, followed by JSON text
      const n = b.write(v as string, o + 5);
      b.writeInt32BE(n + 1, o);
      o += 5 + n;
    } else if (type === 'int') {
      o = b.writeInt32BE(v as number, b.writeInt32BE(4, o));
    } else if (type === 'boolean') {
      b[b.writeInt32BE(1, o)] = v ? 1 : 0;
      o += 5;
    } else {
      // Microseconds since 2000-01-01, exact past 2^53 microseconds.
      o = b.writeBigInt64BE(BigInt((v as number) - PG_EPOCH_MS) * 1000n, b.writeInt32BE(8, o));
    }
  }
  return b.subarray(0, o);
}

/** Flickr's "YYYY-MM-DD HH:MM:SS" (already validated by the parser) as milliseconds of the same wall-clock time in UTC. */
const wallClockMs = (s: string | null) =>
  s === null
    ? null
    : Date.UTC(
        +s.slice(0, 4),
        +s.slice(5, 7) - 1,
        +s.slice(8, 10),
        +s.slice(11, 13),
        +s.slice(14, 16),
        +s.slice(17, 19),
      );

// Metadata columns ingest owns; the fetch and check stages' columns are never written here.
const PHOTO_COLUMNS: readonly (readonly [
  column: string,
  type: ElementType,
  cell: (p: PhotoRecord) => Cell,
])[] = [
  ['id', 'text', (p) => p.id],
  ['owner_nsid', 'text', (p) => p.ownerNsid],
  ['secret', 'text', (p) => p.secret],
  ['server', 'text', (p) => p.server],
  ['farm', 'int', (p) => p.farm],
  ['title', 'text', (p) => p.title],
  ['description', 'text', (p) => p.description],
  ['tags', 'text', (p) => p.tags],
  ['license', 'int', (p) => p.license],
  ['date_upload', 'timestamptz', (p) => p.dateUpload.getTime()],
  ['date_taken', 'timestamp', (p) => wallClockMs(p.dateTaken)],
  ['date_taken_granularity', 'int', (p) => p.dateTakenGranularity],
  ['date_taken_unknown', 'boolean', (p) => p.dateTakenUnknown],
  ['original_width', 'int', (p) => p.originalWidth],
  ['original_height', 'int', (p) => p.originalHeight],
  ['original_format', 'text', (p) => p.originalFormat],
  ['original_secret', 'text', (p) => p.originalSecret],
  ['url_o', 'text', (p) => p.urlO],
  ['url_b', 'text', (p) => p.urlB],
  ['url_c', 'text', (p) => p.urlC],
  ['url_z', 'text', (p) => p.urlZ],
  ['url_m', 'text', (p) => p.urlM],
  ['sizes', 'jsonb', (p) => JSON.stringify(p.sizes)],
  ['views', 'int', (p) => p.views],
];
const NAMES = PHOTO_COLUMNS.map(([c]) => c);
const NAMES_NO_ID = NAMES.filter((c) => c !== 'id');

// Sorted input (photos by id here, accounts by nsid in SQL) makes concurrent pages lock rows in one order: they queue, never deadlock.
// Accounts already stored under the same name are filtered out first: ON CONFLICT would lock and WAL-log each of them.
// The photos insert runs before the accounts CTE; the foreign key is checked at the end of the statement.
const UPSERT_PAGE = `
  WITH acc AS (
    INSERT INTO accounts (nsid, username, updated_at)
    SELECT a.nsid, a.username, now() FROM unnest($1::text[], $2::text[]) AS a(nsid, username)
    WHERE NOT EXISTS (SELECT 1 FROM accounts x WHERE x.nsid = a.nsid AND (a.username IS NULL OR x.username IS NOT DISTINCT FROM a.username))
    ORDER BY a.nsid
    ON CONFLICT (nsid) DO UPDATE SET username = COALESCE(EXCLUDED.username, accounts.username), updated_at = now()
    WHERE accounts.username IS DISTINCT FROM COALESCE(EXCLUDED.username, accounts.username)
  )
  INSERT INTO photos (${NAMES.join(', ')}, updated_at)
  SELECT ${NAMES.map((c) => `t.${c}`).join(', ')}, now()
  FROM unnest(${PHOTO_COLUMNS.map(([, type], i) => `$${i + 3}::${type}[]`).join(', ')}) AS t(${NAMES.join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${NAMES_NO_ID.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()
  WHERE (${NAMES_NO_ID.map((c) => `photos.${c}`).join(', ')}) IS DISTINCT FROM (${NAMES_NO_ID.map((c) => `EXCLUDED.${c}`).join(', ')})`;

/**
 * Upserts a page of photos and their owners in ONE statement (one round trip). Each column travels as one binary array
 * parameter expanded by unnest: PostgreSQL reads that in under half the time it took to parse the page as jsonb
 * (test/bench/ingest.ts). Photos repeated within the page are kept once, the last copy winning; unchanged rows are not
 * rewritten. Returns the number of photo rows inserted or changed.
 */
export async function upsertPhotosPage(photos: PhotoRecord[]): Promise<number> {
  const unique = [...new Map(photos.map((p) => [p.id, p])).values()].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  if (unique.length === 0) return 0;
  const owners = new Map<string, string | null>();
  for (const p of unique) if (!owners.has(p.ownerNsid) || p.ownerName) owners.set(p.ownerNsid, p.ownerName);
  const params = [binaryArray('text', [...owners.keys()]), binaryArray('text', [...owners.values()])];
  for (const [, type, cell] of PHOTO_COLUMNS) params.push(binaryArray(type, unique.map(cell)));
  // The plain pool (see pgPool): Prisma's raw path costs more per page than the statement itself.
  const result = await pgPool().query(UPSERT_PAGE, params);
  return result.rowCount ?? 0;
}

const toRow = (r: {
  id: bigint;
  min_upload: bigint;
  max_upload: bigint;
  status: CrawlWindowRow['status'];
  total: number | null;
  pages: number | null;
  photos: number;
}): CrawlWindowRow => ({
  id: r.id,
  minUpload: Number(r.min_upload),
  maxUpload: Number(r.max_upload),
  status: r.status,
  total: r.total,
  pages: r.pages,
  photos: r.photos,
});

/** Creates the crawl's first windows unless the crawl already has windows (a restart keeps its own). */
export async function insertInitialWindows(
  crawlKey: string,
  windows: { minUpload: number; maxUpload: number }[],
): Promise<void> {
  const existing = await db().crawlWindow.count({ where: { crawlKey } });
  if (existing > 0 || windows.length === 0) return;
  await db().crawlWindow.createMany({
    data: windows.map((w) => ({ crawlKey, minUpload: BigInt(w.minUpload), maxUpload: BigInt(w.maxUpload) })),
    skipDuplicates: true,
  });
}

/** The crawl's windows, optionally of one status and inside [within.minUpload, within.maxUpload], in time order. */
export async function listWindows(
  crawlKey: string,
  status?: CrawlWindowRow['status'],
  within?: { minUpload: number; maxUpload: number },
): Promise<CrawlWindowRow[]> {
  const rows = await db().$queryRaw<Parameters<typeof toRow>[0][]>`
    SELECT id, min_upload, max_upload, status, total, pages, photos FROM crawl_windows
    WHERE crawl_key = ${crawlKey} AND (${status ?? null}::text IS NULL OR status::text = ${status ?? null}::text)
      AND min_upload >= ${within?.minUpload ?? Number.MIN_SAFE_INTEGER}::bigint AND max_upload <= ${within?.maxUpload ?? Number.MAX_SAFE_INTEGER}::bigint
    ORDER BY min_upload, max_upload`;
  return rows.map(toRow);
}

export async function getWindow(id: bigint): Promise<(CrawlWindowRow & { crawlKey: string }) | null> {
  const w = await db().crawlWindow.findUnique({ where: { id } });
  return (
    w && {
      id: w.id,
      crawlKey: w.crawlKey,
      minUpload: Number(w.minUpload),
      maxUpload: Number(w.maxUpload),
      status: w.status,
      total: w.total,
      pages: w.pages,
      photos: w.photos,
    }
  );
}

export async function countWindows(
  crawlKey: string,
): Promise<{ pending: number; split: number; done: number }> {
  const rows = await db().crawlWindow.groupBy({
    by: ['status'],
    where: { crawlKey },
    _count: { _all: true },
  });
  const out = { pending: 0, split: 0, done: 0 };
  for (const r of rows) out[r.status] = r._count._all;
  return out;
}

/** Replaces a window too big for one query by its halves, atomically. */
export async function splitWindow(
  id: bigint,
  crawlKey: string,
  total: number,
  halves: { minUpload: number; maxUpload: number }[],
): Promise<void> {
  await db().$transaction([
    db().crawlWindow.createMany({
      data: halves.map((h) => ({ crawlKey, minUpload: BigInt(h.minUpload), maxUpload: BigInt(h.maxUpload) })),
      skipDuplicates: true,
    }),
    db().crawlWindow.update({ where: { id }, data: { status: 'split', total } }),
  ]);
}

/**
 * Marks a window done after all its pages were committed, and brings its owners' photo counts up to
 * date in the same transaction, so a finished window always has current counts.
 */
export async function completeWindow(
  id: bigint,
  result: { total: number; pages: number; photos: number },
  owners: string[],
): Promise<void> {
  await db().$transaction(async (tx) => {
    if (owners.length) {
      await tx.$executeRaw`
        UPDATE accounts a SET photo_count = c.n, updated_at = now()
        FROM (SELECT owner_nsid, count(*)::int AS n FROM photos WHERE owner_nsid = ANY(${owners}::text[]) GROUP BY owner_nsid) c
        WHERE a.nsid = c.owner_nsid AND a.photo_count <> c.n`;
    }
    await tx.crawlWindow.update({ where: { id }, data: { status: 'done', ...result } });
  });
}

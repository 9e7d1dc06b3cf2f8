// Ingest queries: one-statement page upserts of photos and their accounts, and the crawl_windows work list.
import { db, pgPool } from '../db.ts';
import type { PhotoRecord } from '../../pipeline/flickr/types.ts';

export type CrawlWindowRow = { id: bigint; minUpload: number; maxUpload: number; status: 'pending' | 'split' | 'done'; total: number | null; pages: number | null; photos: number };

// Metadata columns ingest owns; the fetch and check stages' columns are never written here.
const COLUMNS = `id text, owner_nsid text, secret text, server text, farm int, title text, description text, tags text, license int,
  date_upload timestamptz, date_taken timestamp, date_taken_granularity int, date_taken_unknown boolean, original_width int,
  original_height int, original_format text, original_secret text, url_o text, url_b text, url_c text, url_z text, url_m text,
  sizes jsonb, views int`;
const COLUMN_NAMES_NO_ID = COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]).filter((c) => c !== 'id');
const COLUMN_NAMES = ['id', ...COLUMN_NAMES_NO_ID].join(', ');


function row(p: PhotoRecord) {
  return {
    id: p.id, owner_nsid: p.ownerNsid, secret: p.secret, server: p.server, farm: p.farm, title: p.title, description: p.description,
    tags: p.tags, license: p.license, date_upload: p.dateUpload.toISOString(), date_taken: p.dateTaken,
    date_taken_granularity: p.dateTakenGranularity, date_taken_unknown: p.dateTakenUnknown, original_width: p.originalWidth,
    original_height: p.originalHeight, original_format: p.originalFormat, original_secret: p.originalSecret, url_o: p.urlO,
    url_b: p.urlB, url_c: p.urlC, url_z: p.urlZ, url_m: p.urlM, sizes: p.sizes, views: p.views,
  };
}

/**
 * Upserts a page of photos and their owners in ONE statement (one round trip). The page travels as a
 * single JSON parameter expanded server-side by jsonb_to_recordset: with one array parameter per
 * column the driver adapter's per-value conversion cost more than PostgreSQL's work (test/bench/ingest.ts).
 * Photos repeated within the page are kept once, the last copy winning; unchanged rows are not rewritten.
 * Returns the number of photo rows inserted or changed.
 */
export async function upsertPhotosPage(photos: PhotoRecord[]): Promise<number> {
  const unique = [...new Map(photos.map((p) => [p.id, p])).values()];
  if (unique.length === 0) return 0;
  const owners = new Map<string, string | null>();
  for (const p of unique) if (!owners.has(p.ownerNsid) || p.ownerName) owners.set(p.ownerNsid, p.ownerName);
  const accounts = JSON.stringify([...owners].map(([nsid, username]) => ({ nsid, username })));
  const page = JSON.stringify(unique.map(row));
  // One round trip on the plain pool (see pgPool). The photos insert sees the CTE's accounts: the foreign key is checked at the end of the statement.
  const result = await pgPool().query(`
    WITH acc AS (
      INSERT INTO accounts (nsid, username, updated_at)
      SELECT nsid, username, now() FROM jsonb_to_recordset($1::jsonb) AS a(nsid text, username text)
      ON CONFLICT (nsid) DO UPDATE SET username = COALESCE(EXCLUDED.username, accounts.username), updated_at = now()
      WHERE accounts.username IS DISTINCT FROM COALESCE(EXCLUDED.username, accounts.username)
      RETURNING 1
    )
    INSERT INTO photos (${COLUMN_NAMES}, updated_at)
    SELECT ${COLUMN_NAMES}, now() FROM jsonb_to_recordset($2::jsonb) AS t(${COLUMNS})
    ON CONFLICT (id) DO UPDATE SET ${COLUMN_NAMES_NO_ID.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()
    WHERE (${COLUMN_NAMES_NO_ID.map((c) => `photos.${c}`).join(', ')}) IS DISTINCT FROM (${COLUMN_NAMES_NO_ID.map((c) => `EXCLUDED.${c}`).join(', ')})`,
  [accounts, page]);
  return result.rowCount ?? 0;
}

const toRow = (r: { id: bigint; min_upload: bigint; max_upload: bigint; status: CrawlWindowRow['status']; total: number | null; pages: number | null; photos: number }): CrawlWindowRow => ({
  id: r.id, minUpload: Number(r.min_upload), maxUpload: Number(r.max_upload), status: r.status, total: r.total, pages: r.pages, photos: r.photos,
});

/** Creates the crawl's first windows unless the crawl already has windows (a restart keeps its own). */
export async function insertInitialWindows(crawlKey: string, windows: { minUpload: number; maxUpload: number }[]): Promise<void> {
  const existing = await db().crawlWindow.count({ where: { crawlKey } });
  if (existing > 0 || windows.length === 0) return;
  await db().crawlWindow.createMany({
    data: windows.map((w) => ({ crawlKey, minUpload: BigInt(w.minUpload), maxUpload: BigInt(w.maxUpload) })),
    skipDuplicates: true,
  });
}

/** The crawl's windows, optionally of one status and inside [within.minUpload, within.maxUpload], in time order. */
export async function listWindows(crawlKey: string, status?: CrawlWindowRow['status'], within?: { minUpload: number; maxUpload: number }): Promise<CrawlWindowRow[]> {
  const rows = await db().$queryRaw<Parameters<typeof toRow>[0][]>`
    SELECT id, min_upload, max_upload, status, total, pages, photos FROM crawl_windows
    WHERE crawl_key = ${crawlKey} AND (${status ?? null}::text IS NULL OR status::text = ${status ?? null}::text)
      AND min_upload >= ${within?.minUpload ?? Number.MIN_SAFE_INTEGER}::bigint AND max_upload <= ${within?.maxUpload ?? Number.MAX_SAFE_INTEGER}::bigint
    ORDER BY min_upload, max_upload`;
  return rows.map(toRow);
}

export async function getWindow(id: bigint): Promise<(CrawlWindowRow & { crawlKey: string }) | null> {
  const w = await db().crawlWindow.findUnique({ where: { id } });
  return w && { id: w.id, crawlKey: w.crawlKey, minUpload: Number(w.minUpload), maxUpload: Number(w.maxUpload), status: w.status, total: w.total, pages: w.pages, photos: w.photos };
}

export async function countWindows(crawlKey: string): Promise<{ pending: number; split: number; done: number }> {
  const rows = await db().crawlWindow.groupBy({ by: ['status'], where: { crawlKey }, _count: { _all: true } });
  const out = { pending: 0, split: 0, done: 0 };
  for (const r of rows) out[r.status] = r._count._all;
  return out;
}

/** Replaces a window too big for one query by its halves, atomically. */
export async function splitWindow(id: bigint, crawlKey: string, total: number, halves: { minUpload: number; maxUpload: number }[]): Promise<void> {
  await db().$transaction([
    db().crawlWindow.createMany({ data: halves.map((h) => ({ crawlKey, minUpload: BigInt(h.minUpload), maxUpload: BigInt(h.maxUpload) })), skipDuplicates: true }),
    db().crawlWindow.update({ where: { id }, data: { status: 'split', total } }),
  ]);
}

/**
 * Marks a window done after all its pages were committed, and brings its owners' photo counts up to
 * date in the same transaction, so a finished window always has current counts.
 */
export async function completeWindow(id: bigint, result: { total: number; pages: number; photos: number }, owners: string[]): Promise<void> {
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

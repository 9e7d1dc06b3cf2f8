// Spot-checks: seeded random samples of the dataset, labelled by hand, turned into problem rates with Wilson intervals.
import { randomUUID } from 'node:crypto';
import { db, Prisma } from '../db.ts';
import type { SpotCheckPopulation } from '../generated/prisma/enums.ts';
import { ConflictError, isUniqueViolation, NotFoundError, BadRequestError } from '../errors.ts';
import { goldCount, mixGold } from '../domain/goldMix.ts';
import { includedInSampleRangeSql, includedPhotoIdsSql } from '../inclusion.ts';
import { refreshBeforeRead, summaryReasonCounts } from './inclusionSummary.ts';
import { estimatesFrom, type Estimate } from '../stats/spotEstimates.ts';
import { photoInclusion } from './photos.ts';
import { SPOT_LABELS, type SpotLabel } from '../reviewVocabulary.ts';
import { noImageReason } from '../reasons.ts';

export { estimatesFrom, type Estimate };

export type SpotCheckRow = {
  id: string;
  name: string;
  population: SpotCheckPopulation;
  size: number;
  seed: string;
  populationSize: number;
  createdAt: string;
  createdBy: string | null;
  labelled: number;
};

export type SpotCheckItemRow = {
  photoId: string;
  position: number;
  contentHash: string | null;
  /** Why there is no thumbnail (not downloaded, gone from Flickr, a failed download), shown on the tile; else null. */
  noImage: string | null;
  title: string;
  ownerNsid: string;
  labels: string[] | null;
  labelledBy: string | null;
  labelledAt: string | null;
  /** Admins only (absent for reviewers, so an item's shape never tells): mixed in as a known-answer photo. */
  gold?: boolean;
  /** Admins only: the photo's current known answer, if it has one. */
  knownAnswer?: string | null;
};

/**
 * `estimates` is null for a reviewer when the sample holds known-answer items: they are left out of the estimates,
 * so watching the table (or its n) while labelling would tell which items they are.
 */
export type SpotCheckDetail = {
  spotCheck: SpotCheckRow;
  items: SpotCheckItemRow[];
  estimates: Estimate[] | null;
};

/** Who is looking: admins see which items are known answers; reviewers must not be able to tell. */
export type SpotCheckViewer = { admin: boolean };
const REVIEWER: SpotCheckViewer = { admin: false };

/** Candidates read per round, per photo asked for: ~75% of photos are included, so one round usually does. */
const ROUND_PER_ITEM = 1.5;
const MIN_BIGINT = -(2n ** 63n);
const MAX_BIGINT = 2n ** 63n - 1n;

/**
 * Candidates one query evaluates: a round's are split into ranges of the sampling order read side by side on pooled
 * connections (DATABASE_POOL_SIZE bounds them), since what is not in the sampling indexes (the few duplicates' check
 * results, accounts and overrides not cached) is still one random read each, which one query makes one after another.
 */
const CANDIDATES_PER_QUERY = 400;

/**
 * Draws the sample without reading the whole population: photos in the order of a 64-bit hash of their id (the
 * photos_sample_order_idx expression index), from where the seed's hash falls, wrapping around, each kept if it is in
 * the population. The hash knows nothing of a photo, so the first `size` kept are a uniform sample; the same seed
 * draws the same sample while the photos stay the same. For the included photos, the rule is evaluated for a range of
 * that order at a time (includedInSampleRangeSql: a few consecutive pages of the sampling indexes, not a few random
 * reads per candidate), `perQuery` candidates a query. Reads only (each statement sees what is committed, as it did
 * inside the creating transaction).
 */
export async function drawSample(
  population: SpotCheckPopulation,
  seed: string,
  size: number,
  licenses: readonly number[],
  perQuery = CANDIDATES_PER_QUERY,
): Promise<string[]> {
  const [{ start }] = await db().$queryRaw<{ start: bigint }[]>`SELECT hashtextextended(${seed}, 0) AS start`;
  const out: string[] = [];
  // From the seed's hash to the end of the order, then from its beginning up to the seed's hash.
  const passes: [bigint, bigint][] = [[start, MAX_BIGINT]];
  if (start > MIN_BIGINT) passes.push([MIN_BIGINT, start - 1n]);
  for (const [first, last] of passes) {
    let from = first;
    while (out.length < size) {
      const want = Math.max(500, Math.ceil((size - out.length) * ROUND_PER_ITEM));
      const rows = await db().$queryRaw<{ id: string; h: bigint }[]>`
        SELECT id, hashtextextended(id, 0) AS h FROM photos
        WHERE hashtextextended(id, 0) BETWEEN ${from}::bigint AND ${last}::bigint
        ORDER BY hashtextextended(id, 0), id LIMIT ${want}`;
      if (rows.length === 0) break;
      // Every photo up to the last candidate's hash (all of the pass when it ran out: none were left beyond).
      const to = rows.length < want ? last : rows[rows.length - 1].h;
      const kept =
        population === 'all' ? rows.map((r) => r.id) : await includedIn(rows, from, to, licenses, perQuery);
      for (const id of kept) if (out.length < size) out.push(id);
      if (to === last) break;
      from = to + 1n;
    }
  }
  return out;
}

/**
 * The included photos with a sampling hash in [from, to] (`candidates`: those photos, in order), in sampling order:
 * the range is split at candidates' hashes and its parts evaluated on as many pooled connections at once.
 */
async function includedIn(
  candidates: { h: bigint }[],
  from: bigint,
  to: bigint,
  licenses: readonly number[],
  perQuery: number,
): Promise<string[]> {
  const ranges: { from: bigint; to: bigint }[] = [];
  let lo = from;
  for (let i = perQuery - 1; i < candidates.length - 1; i += perQuery) {
    const hi = candidates[i].h;
    // Photos sharing a hash fall in one range; the next starts past it.
    if (hi >= lo && hi < to) {
      ranges.push({ from: lo, to: hi });
      lo = hi + 1n;
    }
  }
  ranges.push({ from: lo, to });
  const parts = await Promise.all(
    ranges.map((range) =>
      db().$queryRaw<{ photo_id: string; h: bigint }[]>(includedInSampleRangeSql(licenses, range)),
    ),
  );
  return parts
    .flat()
    .sort((x, y) =>
      x.h < y.h ? -1 : x.h > y.h ? 1 : x.photo_id < y.photo_id ? -1 : x.photo_id > y.photo_id ? 1 : 0,
    )
    .map((r) => r.photo_id);
}

/** Photos in the population: from the dashboard's maintained summary, refreshed first like a dashboard load. */
async function populationSize(population: SpotCheckPopulation, licenses: readonly number[]): Promise<number> {
  const { refreshedAt } = await refreshBeforeRead();
  if (!refreshedAt) {
    const [{ n }] = await db().$queryRaw<{ n: number }[]>(
      population === 'included'
        ? Prisma.sql`SELECT count(*)::int AS n FROM (${includedPhotoIdsSql(licenses)}) i`
        : Prisma.sql`SELECT count(*)::int AS n FROM photos`,
    );
    return n;
  }
  const counts = await summaryReasonCounts(licenses);
  return counts.find((r) => r.reason === (population === 'included' ? null : '__all__'))?.count ?? 0;
}

/**
 * Draws the sample (drawSample). With `goldRate` (REVIEW_GOLD_RATE; 0 or absent: none), that share of the items are then replaced by known-answer
 * photos not drawn (pickGold) and every item is placed by a seeded shuffle (mixGold): the same seed, rate and known
 * answers give the same sample.
 */
export async function createSpotCheck(input: {
  name: string;
  population: SpotCheckPopulation;
  size: number;
  seed: string;
  userId: string;
  licenses: readonly number[];
  goldRate?: number;
}): Promise<SpotCheckRow> {
  const goldRate = input.goldRate ?? 0;
  // The population's size (the maintained summary, refreshed first) while the sample is drawn: both only read.
  const [size, sample] = await Promise.all([
    populationSize(input.population, input.licenses),
    drawSample(input.population, input.seed, input.size, input.licenses),
  ]);
  if (sample.length === 0) throw new BadRequestError('The population is empty: there is nothing to sample');
  return db().$transaction(
    async (tx) => {
      const gold = await pickGold(tx, input.seed, sample, input.size, goldRate, {
        includedOnly: input.population === 'included' ? input.licenses : null,
      });
      const items = mixGold(input.seed, sample, gold, input.size);
      // Raw statements: a model query's first use in a process compiles it (~0.1-0.3 s under load).
      // The summary may lag a write the sample already saw: population_size is never below what was drawn.
      // The id is a UUID without its dashes: the routes accept letters and digits only, as for Prisma's cuids.
      const [sc] = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO spot_checks (id, name, population, size, seed, population_size, gold_rate, created_by_id)
        VALUES (${randomUUID().replaceAll('-', '')}, ${input.name}, ${input.population}::"SpotCheckPopulation", ${items.length}, ${input.seed},
          ${Math.max(size, sample.length)}, ${goldRate}, ${input.userId})
        RETURNING id`;
      // One statement over arrays: Prisma's createMany builds its 1,000-row statement in ~0.1-1 s of client CPU.
      await tx.$executeRaw`
        INSERT INTO spot_check_items (spot_check_id, photo_id, position, gold)
        SELECT ${sc.id}, i.photo_id, i.position::int, i.gold
        FROM unnest(${items.map((s) => s.photoId)}::text[], ${items.map((s) => s.gold)}::boolean[])
          WITH ORDINALITY AS i(photo_id, gold, position)`;
      return (await listSpotCheckRows(tx, sc.id))[0];
    },
    { timeout: 600_000 },
  );
}

type Client = Pick<ReturnType<typeof db>, '$queryRaw'>;

/**
 * The known-answer photos a sample gets: none of those drawn, in a seeded order of their own. A sample of the included
 * photos gets only included ones: an excluded photo's drawer would say "Excluded", which no drawn item can.
 */
async function pickGold(
  client: Client,
  seed: string,
  drawn: string[],
  size: number,
  rate: number,
  opts: { includedOnly: readonly number[] | null },
): Promise<string[]> {
  if (rate <= 0) return [];
  const want = goldCount(size, drawn.length, rate, Number.MAX_SAFE_INTEGER);
  if (want === 0) return [];
  // Known answers are few (hand-marked), so reading all of them to filter by inclusion stays small.
  const rows = await client.$queryRaw<{ photo_id: string }[]>`
    SELECT photo_id FROM gold_photos WHERE photo_id <> ALL(${drawn}::text[])
    ORDER BY md5(${seed} || ':gold:' || photo_id), photo_id
    LIMIT ${opts.includedOnly ? null : want}`;
  let ids = rows.map((r) => r.photo_id);
  if (opts.includedOnly) {
    const reasons = await photoInclusion(ids, opts.includedOnly);
    ids = ids.filter((id) => reasons.get(id)?.length === 0);
  }
  return ids.slice(0, want);
}

/** Spot-checks whose sample holds known-answer items. */
async function withGold(ids: string[]): Promise<Set<string>> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT s.id FROM spot_checks s WHERE s.id = ANY(${ids}::text[])
      AND EXISTS (SELECT 1 FROM spot_check_items i WHERE i.spot_check_id = s.id AND i.gold)`;
  return new Set(rows.map((r) => r.id));
}

async function listSpotCheckRows(client: Client, id: string | null, limit = 200): Promise<SpotCheckRow[]> {
  const rows = await client.$queryRaw<(Omit<SpotCheckRow, 'createdAt'> & { createdAt: Date })[]>`
    SELECT s.id, s.name, s.population::text AS population, s.size, s.seed, s.population_size AS "populationSize",
      s.created_at AS "createdAt", u.name AS "createdBy",
      (SELECT count(*)::int FROM (SELECT DISTINCT ON (photo_id) labels FROM spot_check_labels l WHERE l.spot_check_id = s.id
        ORDER BY photo_id, created_at DESC, id DESC) x WHERE cardinality(x.labels) > 0) AS labelled
    FROM spot_checks s LEFT JOIN users u ON u.id = s.created_by_id
    WHERE ${id}::text IS NULL OR s.id = ${id}
    ORDER BY s.created_at DESC LIMIT ${limit}`;
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

export async function listSpotChecks(): Promise<SpotCheckRow[]> {
  return listSpotCheckRows(db(), null);
}

/** The sample and its estimates, which leave known-answer items out (see SpotCheckDetail for what reviewers get). */
export async function getSpotCheck(id: string, viewer: SpotCheckViewer = REVIEWER): Promise<SpotCheckDetail> {
  const [spotCheck] = await listSpotCheckRows(db(), id);
  if (!spotCheck) throw new NotFoundError(`Spot-check ${id} not found`);
  const items = await db().$queryRaw<
    (Omit<SpotCheckItemRow, 'labelledAt' | 'gold' | 'knownAnswer' | 'noImage'> & {
      labelledAt: Date | null;
      gold: boolean;
      knownAnswer: string | null;
      availability: string;
      fetchError: string | null;
    })[]
  >`
    SELECT i.photo_id AS "photoId", i.position, p.content_hash AS "contentHash", p.title, p.owner_nsid AS "ownerNsid",
      p.availability::text AS availability, p.fetch_error AS "fetchError",
      l.labels, u.name AS "labelledBy", l.created_at AS "labelledAt", i.gold, g.answer AS "knownAnswer"
    FROM spot_check_items i JOIN photos p ON p.id = i.photo_id
    LEFT JOIN gold_photos g ON g.photo_id = i.photo_id
    LEFT JOIN LATERAL (SELECT labels, user_id, created_at FROM spot_check_labels x
      WHERE x.spot_check_id = i.spot_check_id AND x.photo_id = i.photo_id ORDER BY created_at DESC, id DESC LIMIT 1) l ON true
    LEFT JOIN users u ON u.id = l.user_id
    WHERE i.spot_check_id = ${id} ORDER BY i.position`;
  const hasGold = items.some((r) => r.gold);
  const rows: SpotCheckItemRow[] = items.map(({ gold, knownAnswer, availability, fetchError, ...r }) => ({
    ...r,
    noImage: noImageReason({ contentHash: r.contentHash, availability, fetchError }),
    labelledAt: r.labelledAt?.toISOString() ?? null,
    ...(viewer.admin ? { gold, knownAnswer } : {}),
  }));
  return {
    spotCheck,
    items: rows,
    estimates:
      hasGold && !viewer.admin
        ? null
        : estimatesFrom(
            items.filter((r) => !r.gold).map((r) => r.labels ?? []),
            spotCheck.populationSize,
          ),
  };
}

/** Appends the item's new label set (the newest set counts); a repeated requestId is recorded once. */
export async function labelSpotCheckItem(input: {
  spotCheckId: string;
  photoId: string;
  labels: SpotLabel[];
  userId: string;
  requestId: string;
}): Promise<{ photoId: string; labels: string[]; labelledAt: string }> {
  const item = await db().spotCheckItem.findUnique({
    where: { spotCheckId_photoId: { spotCheckId: input.spotCheckId, photoId: input.photoId } },
  });
  if (!item) throw new NotFoundError('This photo is not in the spot-check');
  const labels = SPOT_LABELS.map((l) => l.key).filter((k) => input.labels.includes(k));
  try {
    const row = await db().spotCheckLabel.create({
      data: {
        spotCheckId: input.spotCheckId,
        photoId: input.photoId,
        userId: input.userId,
        labels,
        requestId: input.requestId,
      },
    });
    return { photoId: row.photoId, labels: row.labels, labelledAt: row.createdAt.toISOString() };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const first = await db().spotCheckLabel.findUniqueOrThrow({ where: { requestId: input.requestId } });
    if (
      first.userId !== input.userId ||
      first.spotCheckId !== input.spotCheckId ||
      first.photoId !== input.photoId
    ) {
      throw new ConflictError('This request id was already used for a different request; send a new one', {
        code: 'request_id_reused',
      });
    }
    return { photoId: first.photoId, labels: first.labels, labelledAt: first.createdAt.toISOString() };
  }
}

/**
 * Estimates of every spot-check, oldest first: how each problem's rate moves between samples. Known-answer items are
 * left out; a reviewer gets null for a spot-check holding some, as in getSpotCheck.
 */
export async function spotCheckTrend(
  viewer: SpotCheckViewer = REVIEWER,
): Promise<{ spotCheck: SpotCheckRow; estimates: Estimate[] | null }[]> {
  const checks = (await listSpotChecks()).reverse();
  const sets = await db().$queryRaw<{ spotCheckId: string; labels: string[] }[]>`
    SELECT DISTINCT ON (l.spot_check_id, l.photo_id) l.spot_check_id AS "spotCheckId", l.labels
    FROM spot_check_labels l
    WHERE NOT EXISTS (SELECT 1 FROM spot_check_items i WHERE i.spot_check_id = l.spot_check_id AND i.photo_id = l.photo_id AND i.gold)
    ORDER BY l.spot_check_id, l.photo_id, l.created_at DESC, l.id DESC`;
  const hidden = viewer.admin ? new Set<string>() : await withGold(checks.map((c) => c.id));
  return checks.map((sc) => ({
    spotCheck: sc,
    estimates: hidden.has(sc.id)
      ? null
      : estimatesFrom(
          sets.filter((s) => s.spotCheckId === sc.id).map((s) => s.labels),
          sc.populationSize,
        ),
  }));
}

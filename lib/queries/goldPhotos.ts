// Known-answer (gold) photos for spot-checks: admins mark a photo's right label; reviewers' labels on the items mixed
// into samples score the reviewer and never count in a spot-check's estimates (so never in a rate or the dataset).
import { db, Prisma } from '../db.ts';
import { ConflictError, isUniqueViolation, NotFoundError } from '../errors.ts';
import type { SpotLabel } from '../reviewVocabulary.ts';
import { wilsonInterval, type Proportion } from '../stats/wilson.ts';

export type GoldPhotoMark = { answer: SpotLabel; reason: string; markedBy: string; markedAt: string };
export type GoldPhotoEventRow = {
  answer: SpotLabel | null;
  reason: string;
  by: string;
  at: string;
};
export type GoldPhotoState = { photoId: string; gold: GoldPhotoMark | null; history: GoldPhotoEventRow[] };

/** A photo's known answer and every mark and unmark of it, newest first. */
export async function getGoldPhoto(photoId: string): Promise<GoldPhotoState> {
  const photo = await db().photo.findUnique({
    where: { id: photoId },
    select: { id: true, gold: { include: { markedBy: { select: { name: true } } } } },
  });
  if (!photo) throw new NotFoundError(`Photo ${photoId} not found`);
  const events = await db().goldPhotoEvent.findMany({
    where: { photoId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 50,
    include: { user: { select: { name: true } } },
  });
  const g = photo.gold;
  return {
    photoId,
    gold: g
      ? {
          answer: g.answer as SpotLabel,
          reason: g.reason,
          markedBy: g.markedBy.name,
          markedAt: g.markedAt.toISOString(),
        }
      : null,
    history: events.map((e) => ({
      answer: e.answer as SpotLabel | null,
      reason: e.reason,
      by: e.user.name,
      at: e.createdAt.toISOString(),
    })),
  };
}

/**
 * Marks (answer set) or unmarks (answer null) a known-answer photo and appends the event, in one transaction under a
 * per-photo lock. Repeating the current state writes nothing, and a repeated requestId is recorded once, so a double
 * click or a retried request leaves one event.
 */
export async function setGoldPhoto(input: {
  photoId: string;
  answer: SpotLabel | null;
  reason: string;
  userId: string;
  requestId: string;
}): Promise<GoldPhotoState> {
  try {
    await db().$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('gold_photo'), hashtext(${input.photoId}))`;
      const photo = await tx.photo.findUnique({
        where: { id: input.photoId },
        select: { gold: true },
      });
      if (!photo) throw new NotFoundError(`Photo ${input.photoId} not found`);
      const current = photo.gold;
      if (input.answer === null) {
        if (!current) return;
        await tx.goldPhoto.delete({ where: { photoId: input.photoId } });
      } else {
        if (current?.answer === input.answer && current.reason === input.reason) return;
        const data = {
          answer: input.answer,
          reason: input.reason,
          markedById: input.userId,
          markedAt: new Date(),
        };
        await tx.goldPhoto.upsert({
          where: { photoId: input.photoId },
          create: { photoId: input.photoId, ...data },
          update: data,
        });
      }
      await tx.goldPhotoEvent.create({
        data: {
          photoId: input.photoId,
          answer: input.answer,
          reason: input.reason,
          userId: input.userId,
          requestId: input.requestId,
        },
      });
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const first = await db().goldPhotoEvent.findUniqueOrThrow({ where: { requestId: input.requestId } });
    if (first.userId !== input.userId || first.photoId !== input.photoId || first.answer !== input.answer) {
      throw new ConflictError('This request id was already used for a different request; send a new one', {
        code: 'request_id_reused',
      });
    }
  }
  return getGoldPhoto(input.photoId);
}

export type GoldPhotoListRow = GoldPhotoMark & {
  photoId: string;
  title: string;
  contentHash: string | null;
  /** Spot-check items it was mixed into, and the labels given there. */
  items: number;
  answers: number;
};

/** Every known-answer photo, newest mark first, with how often it was served and answered. */
export async function listGoldPhotos(limit = 500): Promise<GoldPhotoListRow[]> {
  const rows = await db().$queryRaw<(Omit<GoldPhotoListRow, 'markedAt'> & { markedAt: Date })[]>`
    SELECT g.photo_id AS "photoId", g.answer, g.reason, u.name AS "markedBy", g.marked_at AS "markedAt",
      p.title, p.content_hash AS "contentHash",
      (SELECT count(*)::int FROM spot_check_items i WHERE i.photo_id = g.photo_id AND i.gold) AS items,
      (SELECT count(DISTINCT (l.spot_check_id, l.user_id))::int FROM spot_check_labels l
        JOIN spot_check_items i ON i.spot_check_id = l.spot_check_id AND i.photo_id = l.photo_id AND i.gold
        WHERE l.photo_id = g.photo_id) AS answers
    FROM gold_photos g JOIN photos p ON p.id = g.photo_id JOIN users u ON u.id = g.marked_by_id
    ORDER BY g.marked_at DESC, g.photo_id LIMIT ${limit}`;
  return rows.map((r) => ({ ...r, markedAt: r.markedAt.toISOString() }));
}

export type GoldPhotoScore = { name: string; accuracy: Proportion; labelAccuracy: Proportion };

/**
 * Each reviewer's standing answer (their newest non-empty label set) on every known-answer item of every spot-check,
 * against the photo's current answer: right on fine vs. a problem, and right on the problem where both say one.
 * An unmarked photo scores nobody. Wilson 95% intervals.
 */
export async function goldPhotoAccuracy(): Promise<{ photos: number; reviewers: GoldPhotoScore[] }> {
  const rows = await db().$queryRaw<
    { name: string; n: number; right: number; ln: number; lright: number }[]
  >(Prisma.sql`
    WITH answers AS (
      SELECT DISTINCT ON (l.spot_check_id, l.photo_id, l.user_id) l.user_id, l.photo_id, l.labels
      FROM spot_check_labels l
      JOIN spot_check_items i ON i.spot_check_id = l.spot_check_id AND i.photo_id = l.photo_id AND i.gold
      ORDER BY l.spot_check_id, l.photo_id, l.user_id, l.created_at DESC, l.id DESC),
    scored AS (
      SELECT a.user_id, g.answer, a.labels, EXISTS (SELECT 1 FROM unnest(a.labels) x WHERE x <> 'fine') AS says_problem
      FROM answers a JOIN gold_photos g ON g.photo_id = a.photo_id
      WHERE cardinality(a.labels) > 0)
    SELECT COALESCE(u.name, u.email) AS name, count(*)::int AS n,
      count(*) FILTER (WHERE says_problem = (s.answer <> 'fine'))::int AS "right",
      count(*) FILTER (WHERE says_problem AND s.answer <> 'fine')::int AS ln,
      count(*) FILTER (WHERE says_problem AND s.answer <> 'fine' AND s.answer = ANY (s.labels))::int AS lright
    FROM scored s JOIN users u ON u.id = s.user_id
    GROUP BY 1 ORDER BY 1`);
  const photos = await db().goldPhoto.count();
  return {
    photos,
    reviewers: rows.map((r) => ({
      name: r.name,
      accuracy: wilsonInterval(r.right, r.n),
      labelAccuracy: wilsonInterval(r.lright, r.ln),
    })),
  };
}

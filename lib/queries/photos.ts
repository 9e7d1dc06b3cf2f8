// One photo as a reviewer inspects it: metadata, every check result with its effective verdict, overrides, inclusion.
import { db, Prisma } from '../db.ts';
import type { Verdict } from '../generated/prisma/enums.ts';
import { NotFoundError } from '../errors.ts';
import { photoReasonsSql } from '../inclusion.ts';

export type PhotoDetail = {
  photo: {
    id: string;
    ownerNsid: string;
    ownerName: string | null;
    title: string;
    description: string;
    tags: string;
    license: number;
    dateUpload: string;
    dateTaken: string | null;
    originalWidth: number | null;
    originalHeight: number | null;
    imageWidth: number | null;
    imageHeight: number | null;
    availability: string;
    contentHash: string | null;
    duplicateOfId: string | null;
    views: number | null;
    flickrUrl: string;
  };
  accountStatus: string;
  checks: {
    check: string;
    verdict: Verdict;
    effective: Verdict;
    score: number | null;
    details: unknown;
    version: string;
    computedAt: string;
  }[];
  overrides: {
    id: string;
    check: string;
    oldVerdict: Verdict | null;
    newVerdict: Verdict;
    reason: string | null;
    by: string;
    at: string;
  }[];
  inclusion: { included: boolean; reasons: string[] };
};

export function flickrPhotoUrl(ownerNsid: string, photoId: string): string {
  return `https://www.flickr.com/photos/${encodeURIComponent(ownerNsid)}/${encodeURIComponent(photoId)}`;
}

/** Inclusion reasons of some photos by the one rule in lib/inclusion.ts (empty = included). */
export async function photoInclusion(
  ids: string[],
  licenses: readonly number[],
): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ photo_id: string; reasons: string[] }[]>(Prisma.sql`
    SELECT photo_id, reasons FROM (${photoReasonsSql(licenses, {}, { photos: ids })}) r`);
  return new Map(rows.map((r) => [r.photo_id, r.reasons]));
}

export async function getPhotoDetail(id: string, licenses: readonly number[]): Promise<PhotoDetail> {
  const p = await db().photo.findUnique({
    where: { id },
    include: {
      owner: { select: { username: true, realName: true, reviewStatus: true } },
      checkResults: { orderBy: { check: 'asc' } },
    },
  });
  if (!p) throw new NotFoundError(`Photo ${id} not found`);
  // Read with SQL: overrides.user_id is a plain column in the schema (its reference is checked by a trigger, not a
  // foreign key: migration 20261205221000), so Prisma has no relation to include.
  const overrides = await db().$queryRaw<
    {
      id: bigint;
      check: string;
      oldVerdict: Verdict | null;
      newVerdict: Verdict;
      reason: string | null;
      by: string;
      at: Date;
    }[]
  >`
    SELECT o.id, o."check", o.old_verdict::text AS "oldVerdict", o.new_verdict::text AS "newVerdict", o.reason,
      u.name AS by, o.created_at AS at
    FROM overrides o JOIN users u ON u.id = o.user_id
    WHERE o.photo_id = ${id} ORDER BY o.created_at DESC, o.id DESC`;
  const reasons = (await photoInclusion([id], licenses)).get(id) ?? [];
  // The verdict in force per check, from the one definition of it (the effective_verdicts view).
  const inForce = await db().$queryRaw<{ check: string; verdict: Verdict }[]>`
    SELECT "check", verdict::text AS verdict FROM effective_verdicts WHERE photo_id = ${id}`;
  const effective = new Map(inForce.map((r) => [r.check, r.verdict]));
  return {
    photo: {
      id: p.id,
      ownerNsid: p.ownerNsid,
      ownerName: p.owner.username ?? p.owner.realName,
      title: p.title,
      description: p.description,
      tags: p.tags,
      license: p.license,
      dateUpload: p.dateUpload.toISOString(),
      dateTaken: p.dateTaken?.toISOString() ?? null,
      originalWidth: p.originalWidth,
      originalHeight: p.originalHeight,
      imageWidth: p.imageWidth,
      imageHeight: p.imageHeight,
      availability: p.availability,
      contentHash: p.contentHash,
      duplicateOfId: p.duplicateOfId,
      views: p.views,
      flickrUrl: flickrPhotoUrl(p.ownerNsid, p.id),
    },
    accountStatus: p.owner.reviewStatus,
    checks: p.checkResults.map((c) => ({
      check: c.check,
      verdict: c.verdict,
      effective: effective.get(c.check) ?? c.verdict,
      score: c.score,
      details: c.details,
      version: c.version,
      computedAt: c.computedAt.toISOString(),
    })),
    overrides: overrides.map((o) => ({ ...o, id: o.id.toString(), at: o.at.toISOString() })),
    inclusion: { included: reasons.length === 0, reasons },
  };
}

// Turns an account's detection outcome into the rows stored: account results, summary, photo results.
import type { AccountResult, PhotoResult } from '../../lib/queries/watermarks.ts';
import type { AccountOutcome } from './detect.ts';

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

export type StoredResults = {
  watermark: AccountResult;
  extra: AccountResult[];
  summary: Record<string, unknown>;
  photos: PhotoResult[];
};

/** Verdict error when no photo could be read; pass without a score when no orientation group was large enough. */
export function buildResults(o: AccountOutcome, imageKey: string | null): StoredResults {
  const failed = o.photos.filter((p) => p.status === 'error');
  const unassessed = o.photos.filter((p) => p.status === 'unassessed').length;
  const assessed = o.groups.length > 0;
  const unreadable = !assessed && failed.length > 0;
  const flagged = assessed && o.verdict !== 'pass';
  const est = o.best?.estimate;
  const box =
    flagged && est?.box ? { x: r4(est.box.x), y: r4(est.box.y), w: r4(est.box.w), h: r4(est.box.h) } : null;
  const orientation = o.best?.group.orientation ?? null;
  const counts = {
    photosWith: o.photosWith,
    photosChecked: o.photosChecked,
    photosSampled: o.photosSampled,
    photosUnassessed: unassessed,
    photosFailed: failed.length,
  };
  const details = {
    box,
    orientation,
    border: o.border,
    imageKey,
    ...counts,
    ...(unreadable
      ? { error: `none of the photos' thumbnails could be read (${failed[0]?.error ?? 'unknown error'})` }
      : {}),
    ...(!assessed && !unreadable ? { unassessed: 'no orientation group has enough photos' } : {}),
    features: est ? Object.fromEntries(Object.entries(est.features).map(([k, v]) => [k, r4(v)])) : null,
    groups: o.groups.map((g) => ({
      orientation: g.group.orientation,
      photos: g.group.photos.length,
      sampled: g.sampled,
      score: r4(g.estimate.score),
    })),
  };
  const watermark: AccountResult = {
    check: 'watermark',
    verdict: unreadable ? 'error' : assessed ? o.verdict : 'pass',
    score: assessed ? r4(o.score) : null,
    details,
  };
  const border: AccountResult = {
    check: 'border',
    verdict: o.border ? 'uncertain' : 'pass',
    score: o.border ? r4(o.border.photosWith / Math.max(1, o.border.photosSampled)) : null,
    details: o.border ?? {},
  };
  const photos: PhotoResult[] = [];
  for (const p of o.photos) {
    if (p.status === 'error') {
      photos.push({
        photoId: p.id,
        check: 'watermark',
        verdict: 'error',
        score: null,
        details: { error: p.error },
      });
      continue;
    }
    if (flagged && p.correlation !== null) {
      photos.push({
        photoId: p.id,
        check: 'watermark',
        verdict: p.carries ? (o.verdict as 'fail' | 'uncertain') : 'pass',
        score: r4(p.correlation),
        details: {
          box: p.orientation === orientation ? box : null,
          orientation: p.orientation,
          accountScore: r4(o.score),
          // Matched with the other orientation's mark, carried into this photo's frame (too few photos of its own).
          ...(p.transferredFrom ? { markFrom: p.transferredFrom } : {}),
        },
      });
    }
    // A border is a minor edit: at most uncertain, and recorded as its own check, never as a watermark.
    if (p.border)
      photos.push({
        photoId: p.id,
        check: 'border',
        verdict: 'uncertain',
        score: null,
        details: o.border ?? { kind: 'border', photoOnly: true },
      });
    else if (o.border && p.status === 'ok') {
      photos.push({ photoId: p.id, check: 'border', verdict: 'pass', score: null, details: {} });
    }
  }
  return {
    watermark,
    extra: [border],
    summary: { box, imageKey, orientation, border: o.border, ...counts },
    photos,
  };
}

// Accounts for the review-quality spec: drawn for blind double review at the e2e share, and no other seeded account is.
import { db } from '../../lib/db.ts';
import { writePhotoThumb } from './seedReview.ts';

/**
 * The draw is md5(nsid)'s first 32 bits over 2^32 < REVIEW_DOUBLE_SHARE. At 0.002 these two nsids are drawn
 * (0.0014 and 0.0006) and none of the review specs' accounts (1001–1037@N01, lowest 0.004) is, so those specs keep
 * single review. Ranked after every other seeded account, so no queue-driven spec reaches them.
 */
export const QC_ACCOUNTS = [
  { nsid: '570@N07', username: 'qc-disputed' },
  { nsid: '625@N07', username: 'qc-agreed' },
] as const;
export const E2E_DOUBLE_SHARE = '0.002';
export const E2E_GOLD_RATE = '0.1';

/** The bulk-action spec's account: 130 photos that fail the resolution check, more than the page holds (100 at least). */
export const BULK_ACCOUNT = { nsid: '2001@N08', username: 'bulk-target', photos: 130 } as const;
export const bulkPhotoId = (j: number) => `bulk-e2e-${j}`;
/**
 * The known-answer spec's account (not drawn for double review: 0.94). The spec clears its known answer when done, so
 * no queue-driven spec after it meets a known-answer account, whatever REVIEW_GOLD_RATE is.
 */
export const GOLD_ACCOUNT = { nsid: '3001@N08', username: 'qc-known-answer' } as const;

/**
 * Photos a fetch could not store, in an account outside the queue (no rank): their spot-check tiles say why there is
 * no image. Final outcomes (gone, corrupt), so no e2e run tries them again.
 */
export const NO_IMAGE_ACCOUNT = { nsid: '4001@N08', username: 'fetch-failures' } as const;
export const NO_IMAGE_PHOTOS = [
  {
    id: 'gone-e2e-1',
    availability: 'unavailable',
    fetchError: 'unavailable: Photo not found',
    says: 'Gone from Flickr',
  },
  {
    id: 'corrupt-e2e-1',
    availability: 'error',
    fetchError: 'corrupt: premature end of JPEG',
    says: 'Download failed: corrupt image',
  },
] as const;

export async function seedQualityData(opts: { dataDir: string }): Promise<Record<string, string>> {
  await db().account.createMany({
    data: QC_ACCOUNTS.map((a, i) => ({ nsid: a.nsid, username: a.username, photoCount: 0, rank: 900 + i })),
  });
  await db().account.create({
    data: {
      nsid: BULK_ACCOUNT.nsid,
      username: BULK_ACCOUNT.username,
      photoCount: BULK_ACCOUNT.photos,
      rank: 950,
    },
  });
  const bulkHashes = await Promise.all(
    Array.from({ length: BULK_ACCOUNT.photos }, (_, j) =>
      writePhotoThumb(opts.dataDir, bulkPhotoId(j), 90, j),
    ),
  );
  await db().photo.createMany({
    data: Array.from({ length: BULK_ACCOUNT.photos }, (_, j) => ({
      id: bulkPhotoId(j),
      contentHash: bulkHashes[j],
      ownerNsid: BULK_ACCOUNT.nsid,
      secret: 'e2e',
      server: '65535',
      license: 9,
      title: `bulk #${j}`,
      dateUpload: new Date(Date.UTC(2015, 0, 1 + j)),
      availability: 'available' as const,
      fetchedAt: new Date(),
      imageWidth: 320,
      imageHeight: 240,
    })),
  });
  await db().checkResult.createMany({
    data: Array.from({ length: BULK_ACCOUNT.photos }, (_, j) => ({
      photoId: bulkPhotoId(j),
      check: 'resolution',
      verdict: 'fail' as const,
      score: 0.5 + j / 1000,
      details: { width: 320, height: 240 },
      version: 'e2e',
    })),
  });
  await db().account.create({
    data: { nsid: GOLD_ACCOUNT.nsid, username: GOLD_ACCOUNT.username, photoCount: 0, rank: 960 },
  });
  await db().account.create({
    data: {
      nsid: NO_IMAGE_ACCOUNT.nsid,
      username: NO_IMAGE_ACCOUNT.username,
      photoCount: NO_IMAGE_PHOTOS.length,
    },
  });
  await db().photo.createMany({
    data: NO_IMAGE_PHOTOS.map((p, j) => ({
      id: p.id,
      ownerNsid: NO_IMAGE_ACCOUNT.nsid,
      secret: 'e2e',
      server: '65535',
      license: 9,
      title: `no image #${j}`,
      dateUpload: new Date(Date.UTC(2016, 0, 1 + j)),
      availability: p.availability,
      fetchError: p.fetchError,
      fetchedAt: new Date(),
    })),
  });
  // Known-answer accounts come at random in claims, but only while one is marked (quality.spec, then cleared); a
  // spot-check of 10 gets one known-answer photo while one is marked (spotGold.spec, then unmarked).
  return { REVIEW_DOUBLE_SHARE: E2E_DOUBLE_SHARE, REVIEW_GOLD_RATE: E2E_GOLD_RATE };
}

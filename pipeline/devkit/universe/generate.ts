// Generates a seeded synthetic Flickr universe (accounts, photos, planted cases) and its ground truth.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assignWatermarks, makeAccounts, zipfSampler } from './accounts.ts';
import { makePhoto } from './photos.ts';
import { ensureKinds, plantCopyright, plantDuplicates } from './plant.ts';
import { createRng } from '../random.ts';
import type { GroundTruth, Universe, UniverseOptions, UniversePhoto } from './types.ts';

export const ELIGIBLE_LICENSES = [7, 8, 9, 10] as const;

const DEFAULT_START = Date.UTC(2010, 0, 1) / 1000;
const DEFAULT_END = Date.UTC(2024, 0, 1) / 1000;
const BURST_SECONDS = 6 * 3600;

/** Would a crawl for `licenses` (safe search, photos only) store this photo? */
export function isEligible(p: UniversePhoto, licenses: readonly number[] = ELIGIBLE_LICENSES): boolean {
  return licenses.includes(p.license) && p.safety === 1 && p.contentType === 0 && p.media === 'photo';
}

function emptyTruth(seed: string): GroundTruth {
  return {
    seed,
    watermarkedAccounts: [],
    duplicates: [],
    small: [],
    copyrightText: [],
    copyrightExif: [],
    decoys: [],
    illustrations: [],
    screenshots: [],
    deleted: [],
    originalHidden: [],
    exifHidden: [],
    eligible: [],
  };
}

export function generateUniverse(opts: UniverseOptions): Universe {
  const rng = createRng(`universe:${opts.seed}`);
  const start = opts.start ? Math.floor(opts.start.getTime() / 1000) : DEFAULT_START;
  const end = opts.end ? Math.floor(opts.end.getTime() / 1000) : DEFAULT_END;
  if (!(end > start)) throw new Error('generateUniverse: end must be after start');
  const accounts = makeAccounts(rng, Math.max(1, opts.accounts ?? Math.max(3, Math.round(opts.photos / 10))));

  const sample = zipfSampler(rng, accounts.length);
  const owners = Array.from({ length: opts.photos }, sample);
  const counts = new Array<number>(accounts.length).fill(0);
  for (const o of owners) counts[o]++;
  assignWatermarks(rng, accounts, counts, new Date(end * 1000).getUTCFullYear());

  // A dense burst (a big account's bulk upload) makes one window exceed any search cap.
  const burstStart = start + Math.floor(rng.next() * Math.max(1, end - start - BURST_SECONDS));
  const burstShare = opts.burstShare ?? 0;
  const photos = owners.map((o, i) => {
    const upload = rng.chance(burstShare)
      ? burstStart + Math.floor(rng.next() * BURST_SECONDS)
      : start + Math.floor(rng.next() * (end - start));
    return makePhoto(rng, i, accounts[o], upload);
  });

  // Flickr ids grow with upload time.
  photos.sort((a, b) => a.dateUpload - b.dateUpload);
  let id = 10_000_000_000;
  for (const p of photos) p.id = String((id += rng.int(1, 50)));

  const truth = emptyTruth(opts.seed);
  if (photos.length >= 20) ensureKinds(rng, photos, 2);
  plantDuplicates(rng, photos, truth, new Set());
  plantCopyright(rng, photos, new Map(accounts.map((a) => [a.nsid, a])), truth);
  cameraBytes(photos, truth);
  fillTruth(truth, { seed: opts.seed, accounts, photos, groundTruth: truth });
  return { seed: opts.seed, accounts, photos, groundTruth: truth };
}

/** A quarter of the other photos' EXIF is written as cameras write it (Latin-1 bytes); duplicates keep theirs. */
function cameraBytes(photos: UniversePhoto[], truth: GroundTruth): void {
  const inDuplicate = new Set(truth.duplicates.flatMap(([a, b]) => [a, b]));
  for (const p of photos) {
    if (p.exifStyle || inDuplicate.has(p.id) || p.image.kind !== 'photo') continue;
    if (createRng(`exif-style:${p.id}`).chance(0.25)) p.exifStyle = 'camera';
  }
}

function fillTruth(truth: GroundTruth, u: Universe): void {
  for (const a of u.accounts) {
    if (!a.watermark) continue;
    const photoIds = u.photos
      .filter((p) => p.owner === a.nsid && p.image.watermark === a.watermark)
      .map((p) => p.id);
    if (photoIds.length) truth.watermarkedAccounts.push({ nsid: a.nsid, ...a.watermark, photoIds });
  }
  for (const p of u.photos) {
    if (p.width < 256 && p.height < 256) truth.small.push(p.id);
    if (p.image.kind === 'illustration') truth.illustrations.push(p.id);
    if (p.image.kind === 'screenshot') truth.screenshots.push(p.id);
    if (p.deleted) truth.deleted.push(p.id);
    if (p.originalHidden) truth.originalHidden.push(p.id);
    if (p.exifHidden) truth.exifHidden.push(p.id);
    if (isEligible(p)) truth.eligible.push(p.id);
  }
}

/** Writes `ground-truth.json` into `dir` and returns its path. */
export async function writeGroundTruth(universe: Universe, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'ground-truth.json');
  await writeFile(file, `${JSON.stringify(universe.groundTruth, null, 2)}\n`);
  return file;
}

// Accounts, photos, check results and thumbnails for the review specs (review, checks, spot-checks).
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { db } from '../../lib/db.ts';

const NAMES = [
  'harbour-prints',
  'pixel-garden',
  'archive-hall',
  'twin-lakes',
  'quiet-roads',
  'north-light',
  'old-maps',
  'field-notes',
  'city-walks',
  'seaside-days',
  'mountain-log',
  'e2e-check-target',
  // More queue than the specs use, since each reviewer also holds a reserved next account.
  ...Array.from({ length: 24 }, (_, i) => `queue-extra-${i + 1}`),
  // Last in the queue: many photos of every shape, most flagged by several checks, for the grid layout spec; its user
  // name carries a right-to-left override (U+202E), which must not reverse the app's own text beside it.
  'layout\u202Eshapes',
];
export const E2E_ACCOUNTS = NAMES.map((name, i) => ({
  nsid: `${1000 + i + 1}@N01`,
  username: name,
  rank: i + 1,
}));
export const PHOTOS_PER_ACCOUNT = 10;
/** The layout spec's account (account number a = its 1-based index) and how many photos it has. */
export const LAYOUT_ACCOUNT = E2E_ACCOUNTS.length;
export const LAYOUT_NSID = E2E_ACCOUNTS[LAYOUT_ACCOUNT - 1].nsid;
export const LAYOUT_USERNAME = E2E_ACCOUNTS[LAYOUT_ACCOUNT - 1].username;
const LAYOUT_PHOTOS = 40;
const photosOf = (a: number) => (a === LAYOUT_ACCOUNT ? LAYOUT_PHOTOS : PHOTOS_PER_ACCOUNT);

/** Every grid must hold landscape, portrait, panorama and square thumbnails alike: photo j gets shape j % 4. */
export const SHAPES = [
  { name: 'landscape', width: 256, height: 192 },
  { name: 'portrait', width: 144, height: 256 },
  { name: 'panorama', width: 256, height: 72 },
  { name: 'square', width: 200, height: 200 },
] as const;
/** The check spec overrides these CLIP non-photo failures (account rank 12). */
export const CHECK_TARGETS = ['712000', '712001', '712002', '712003'];
const WATERMARK_BOX = { x: 0.68, y: 0.82, w: 0.28, h: 0.12 };

export const photoId = (account: number, j: number) =>
  `7${String(account).padStart(2, '0')}${String(j).padStart(3, '0')}`;
const hashOf = (id: string) => createHash('sha256').update(`quarry-e2e-${id}`).digest('hex');

/** A small landscape-like picture (sky, hills, sun), an illustration-like one for "non-photos", or a marked one. */
function svg(a: number, j: number, kind: 'photo' | 'drawing' | 'watermark'): string {
  const hue = (a * 47 + j * 13) % 360;
  const sky = `hsl(${hue},55%,${60 + (j % 3) * 8}%)`;
  const land = `hsl(${(hue + 90) % 360},35%,${30 + (j % 4) * 6}%)`;
  // Drawn on a 256×192 canvas, stretched to the photo's shape (so the watermark box, in fractions, still fits the mark).
  const { width, height } = SHAPES[j % SHAPES.length];
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 256 192" preserveAspectRatio="none">`;
  if (kind === 'drawing') {
    return `${open}<rect width="256" height="192" fill="#fff"/>
      <circle cx="${60 + j * 12}" cy="90" r="40" fill="hsl(${hue},90%,55%)" stroke="#000" stroke-width="6"/>
      <rect x="130" y="60" width="80" height="80" fill="hsl(${(hue + 180) % 360},90%,55%)" stroke="#000" stroke-width="6"/></svg>`;
  }
  const mark =
    kind === 'watermark'
      ? `<text x="${WATERMARK_BOX.x * 256 + 4}" y="${(WATERMARK_BOX.y + WATERMARK_BOX.h) * 192 - 6}" font-size="18" font-family="sans-serif" fill="#fff" opacity="0.85">© harbour</text>`
      : '';
  return `${open}
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky}"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>
    <rect width="256" height="192" fill="url(#g)"/><circle cx="${40 + ((j * 37) % 180)}" cy="${40 + (j % 3) * 10}" r="16" fill="#fff6c0"/>
    <path d="M0 ${120 + (j % 5) * 6} Q 64 ${80 + (a % 4) * 10} 128 ${120} T 256 ${110 + (j % 3) * 8} V192 H0 Z" fill="${land}"/>${mark}</svg>`;
}

/** A stored thumbnail for a seeded photo of another seed (fetched photos always have one): returns its content hash. */
export async function writePhotoThumb(dataDir: string, id: string, a: number, j: number): Promise<string> {
  const hash = hashOf(id);
  await writeThumb(dataDir, hash, svg(a, j, 'photo'));
  return hash;
}

async function writeThumb(dataDir: string, hash: string, source: string): Promise<void> {
  const file = path.join(dataDir, 'images', 'thumbs', hash.slice(0, 2), `${hash}.webp`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, await sharp(Buffer.from(source)).webp({ quality: 70 }).toBuffer());
}

type Check = {
  photoId: string;
  check: string;
  verdict: 'pass' | 'fail' | 'uncertain';
  score: number;
  details: object;
  version: string;
};

function clipTop(flagged: boolean, j: number) {
  return flagged
    ? [
        { class: 'an illustration', p: 0.81 - j * 0.01, flagged: true },
        { class: 'a photo', p: 0.12, flagged: false },
        { class: 'a screenshot', p: 0.04, flagged: true },
      ]
    : [
        { class: 'a photo', p: 0.9, flagged: false },
        { class: 'an illustration', p: 0.05, flagged: true },
      ];
}

export async function seedReviewData(opts: { dataDir: string }): Promise<Record<string, string>> {
  const photos = [];
  const checks: Check[] = [];
  const thumbs: Promise<void>[] = [];
  for (const [ai, acc] of E2E_ACCOUNTS.entries()) {
    const a = ai + 1;
    for (let j = 0; j < photosOf(a); j++) {
      const id = photoId(a, j);
      const hash = hashOf(id);
      const layout = a === LAYOUT_ACCOUNT;
      const watermarked = (a === 1 && j < 6) || (layout && j % 2 === 0);
      const drawing = (a === 2 && j < 3) || (a === 12 && j < 4);
      const shape = SHAPES[j % SHAPES.length];
      photos.push({
        id,
        ownerNsid: acc.nsid,
        secret: 'e2e',
        server: '65535',
        license: 9,
        title: `${acc.username} #${j + 1}`,
        description: (a === 3 && j < 2) || (layout && j % 4 === 1) ? 'Photo by me. All rights reserved.' : '',
        tags: 'landscape e2e',
        dateUpload: new Date(Date.UTC(2012 + (a % 8), j, 3)),
        availability: 'available' as const,
        fetchedAt: new Date(),
        contentHash: hash,
        imageWidth: shape.width * 4,
        imageHeight: shape.height * 4,
        originalWidth: shape.width * 16,
        originalHeight: shape.height * 16,
        duplicateOfId: a === 4 && j === 1 ? photoId(5, 1) : null,
      });
      thumbs.push(
        writeThumb(opts.dataDir, hash, svg(a, j, watermarked ? 'watermark' : drawing ? 'drawing' : 'photo')),
      );
      if (layout) {
        checks.push(...layoutChecks(id, j));
        continue;
      }
      checks.push(
        {
          photoId: id,
          check: 'resolution',
          verdict: 'pass',
          score: 0,
          details: { width: shape.width * 16, height: shape.height * 16 },
          version: 'e2e',
        },
        drawing
          ? {
              photoId: id,
              check: 'clip_nonphoto',
              verdict: 'fail',
              score: 0.99 - j * 0.01 - (a === 2 ? 0.03 : 0),
              details: { top: clipTop(true, j) },
              version: 'e2e',
            }
          : {
              photoId: id,
              check: 'clip_nonphoto',
              verdict: 'pass',
              score: 0.02 + j * 0.01,
              details: { top: clipTop(false, j) },
              version: 'e2e',
            },
        a === 5 && j === 2
          ? {
              photoId: id,
              check: 'clip_nonwholesome',
              verdict: 'uncertain',
              score: 0.41,
              details: { top: [{ class: 'gore', p: 0.41, flagged: true }] },
              version: 'e2e',
            }
          : {
              photoId: id,
              check: 'clip_nonwholesome',
              verdict: 'pass',
              score: 0.01,
              details: {},
              version: 'e2e',
            },
        watermarked
          ? {
              photoId: id,
              check: 'watermark',
              verdict: 'fail',
              score: 0.8,
              details: { box: WATERMARK_BOX },
              version: 'e2e',
            }
          : { photoId: id, check: 'watermark', verdict: 'pass', score: 0.05, details: {}, version: 'e2e' },
        a === 3 && j < 2
          ? {
              photoId: id,
              check: 'copyright_text',
              verdict: 'fail',
              score: 1,
              details: { phrase: 'all rights reserved', field: 'description' },
              version: 'e2e',
            }
          : { photoId: id, check: 'copyright_text', verdict: 'pass', score: 0, details: {}, version: 'e2e' },
      );
      if (a === 4 && j === 1)
        checks.push({
          photoId: id,
          check: 'duplicate',
          verdict: 'fail',
          score: 1,
          details: { distance: 2, duplicateOf: photoId(5, 1) },
          version: 'e2e',
        });
    }
  }
  const flagShare = (a: number) =>
    a === 1 ? 0.6 : a === 2 ? 0.3 : a === 12 ? 0.4 : a === 3 ? 0.2 : a === 4 ? 0.1 : 0;
  await db().account.createMany({
    data: E2E_ACCOUNTS.map((acc, i) => ({
      nsid: acc.nsid,
      username: acc.username,
      photoCount: photosOf(i + 1),
      rank: acc.rank,
      flagScore: flagShare(i + 1),
      ...(i === 0
        ? {
            watermarkScore: 0.8,
            watermarkVerdict: 'fail' as const,
            watermarkSummary: {
              box: WATERMARK_BOX,
              imageKey: hashOf(photoId(1, 0)),
              photosWith: 6,
              photosSampled: 10,
              border: null,
            },
          }
        : { watermarkScore: 0.05, watermarkVerdict: 'pass' as const }),
    })),
  });
  await db().photo.createMany({ data: photos });
  await db().checkResult.createMany({ data: checks });
  await Promise.all(thumbs);
  return {};
}

/** The layout account's photos fail or doubt several checks at once, so cells carry many badges and long evidence. */
function layoutChecks(id: string, j: number): Check[] {
  const c = (check: string, verdict: Check['verdict'], score: number, details: object): Check => ({
    photoId: id,
    check,
    verdict,
    score,
    details,
    version: 'e2e',
  });
  return [
    j % 3 === 0
      ? c('resolution', 'fail', 1, { width: 320, height: 240, min: 1024 })
      : c('resolution', 'pass', 0, { width: 4000, height: 3000 }),
    j % 4 === 1
      ? c('copyright_text', 'fail', 1, { phrase: 'all rights reserved', field: 'description' })
      : c('copyright_text', 'pass', 0, {}),
    j % 5 === 0
      ? c('clip_nonphoto', 'uncertain', 0.5 - j / 1000, { top: clipTop(true, j % 10) })
      : c('clip_nonphoto', 'pass', 0.03, { top: clipTop(false, j % 10) }),
    c('clip_nonwholesome', 'pass', 0.001 + j / 10_000, {}),
    j % 2 === 0
      ? c('watermark', 'fail', 0.7 + j / 1000, {
          box: WATERMARK_BOX,
          orientation: 'landscape',
          accountScore: 0.8,
        })
      : c('watermark', 'pass', 0.05, {}),
    j % 6 === 0
      ? c('border', 'uncertain', 0.6, {
          kind: 'border',
          sides: { top: 0.04, bottom: 0.04, left: 0, right: 0 },
          color: 245,
          photosWith: 7,
          photosSampled: 40,
        })
      : c('border', 'pass', 0, {}),
  ];
}

/**
 * Screenshots of the seeded pages (test-results/screenshots/<name>.png) when QUARRY_SCREENSHOTS=1, to look at.
 * The README's own come from the demo's data: test/screenshots/readme.ts.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.QUARRY_SCREENSHOTS !== '1') return;
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  await page.screenshot({ path: `test-results/screenshots/${name}.png` });
}

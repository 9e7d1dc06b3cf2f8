// Plants the cases later checks must catch: duplicates, copyright notices (text and EXIF) and harmless decoys.
import { createRng, type Rng } from '../random.ts';
import { copyrightPhrase, decoyPhrase, withPhrase } from './text.ts';
import type { CropRect, DuplicateKind, GroundTruth, UniverseAccount, UniversePhoto } from './types.ts';

const DUPLICATE_KINDS: DuplicateKind[] = ['exact', 'reencode', 'resize', 'crop', 'aspect'];

/** Common aspect ratios a re-upload is cut to (centred), as real photo sites and phones do. */
const ASPECTS = [16 / 9, 16 / 10, 4 / 3, 3 / 2, 1, 9 / 16];

/** One side cut off, removing 1–10 % of the area. */
function sideCrop(rng: Rng): CropRect {
  const a = 0.01 + rng.next() * 0.09;
  const side = rng.int(0, 3);
  if (side < 2) return { left: side === 0 ? a : 0, top: 0, width: 1 - a, height: 1 };
  return { left: 0, top: side === 2 ? a : 0, width: 1, height: 1 - a };
}

/** The common ratios a centred cut reaches from width×height by removing at most 10 % of the area. */
function nearAspects(width: number, height: number): number[] {
  const own = width / height;
  return ASPECTS.filter(
    (r) => Math.abs(Math.log(r / own)) > 0.01 && Math.min(r / own, own / r) >= 0.9 - 1e-9,
  );
}

/** A centred cut to a common aspect ratio removing at most 10 % of the area, or null when none is that close. */
function aspectCrop(rng: Rng, width: number, height: number): CropRect | null {
  const own = width / height;
  const near = nearAspects(width, height);
  if (near.length === 0) return null;
  const r = rng.pick(near);
  const [w, h] = r < own ? [r / own, 1] : [1, own / r];
  return { left: (1 - w) / 2, top: (1 - h) / 2, width: w, height: h };
}

/** Pick about `share` of the photos (at least `min`) matching `ok`, without repeats. */
function choose(
  rng: Rng,
  photos: UniversePhoto[],
  share: number,
  min: number,
  ok: (p: UniversePhoto) => boolean,
  taken: Set<string>,
): UniversePhoto[] {
  const pool = photos.filter((p) => ok(p) && !taken.has(p.id));
  const n = Math.min(pool.length, Math.max(min, Math.round(photos.length * share)));
  const out: UniversePhoto[] = [];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.next() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
    out.push(pool[i]);
    taken.add(pool[i].id);
  }
  return out;
}

const plain = (p: UniversePhoto) => !p.deleted && p.width >= 256 && p.height >= 256 && !p.image.derived;

/** Turn later photos into copies of earlier ones (photos must be sorted by upload date). */
export function plantDuplicates(
  rng: Rng,
  photos: UniversePhoto[],
  truth: GroundTruth,
  taken: Set<string>,
): void {
  const index = new Map(photos.map((p, i) => [p.id, i]));
  const dups = choose(rng, photos, 0.05, 4, (p) => plain(p) && index.get(p.id)! > 0, taken);
  dups.forEach((dup, k) => {
    const i = index.get(dup.id)!;
    const candidates = photos.slice(0, i).filter((c) => plain(c) && !taken.has(c.id));
    if (candidates.length === 0) return;
    let kind = DUPLICATE_KINDS[k % DUPLICATE_KINDS.length];
    // An aspect crop needs an original within 10 % of another common ratio (3:2 → 16:10, 16:9 → 16:10).
    const croppable =
      kind === 'aspect' ? candidates.filter((c) => nearAspects(c.width, c.height).length > 0) : candidates;
    if (croppable.length === 0) kind = 'crop';
    const canonical = rng.pick(croppable.length ? croppable : candidates);
    taken.add(canonical.id);
    const aspect = kind === 'aspect' ? aspectCrop(rng, canonical.width, canonical.height) : null;
    dup.image = { ...canonical.image, derived: { fromId: canonical.id, kind } };
    dup.width = canonical.width;
    dup.height = canonical.height;
    // The copy shows its original exactly when the canonical does: the check prefers the larger size it can see, so a
    // copy offering an original beside a canonical hiding one would be kept instead (truth says the earlier upload).
    dup.originalHidden = canonical.originalHidden;
    if (kind === 'exact') dup.exif = { ...canonical.exif };
    if (kind === 'reencode') dup.image.quality = canonical.image.quality >= 85 ? 60 : 92;
    if (kind === 'resize') {
      const f = 0.5 + rng.next() * 0.3;
      dup.width = Math.round(canonical.width * f);
      dup.height = Math.round(canonical.height * f);
    }
    if (kind === 'crop' || kind === 'aspect') {
      const crop = aspect ?? sideCrop(rng);
      dup.image.derived = { fromId: canonical.id, kind, crop };
      dup.width = Math.round(canonical.width * crop.width);
      dup.height = Math.round(canonical.height * crop.height);
    }
    truth.duplicates.push([canonical.id, dup.id, kind]);
  });
}

export function plantCopyright(
  rng: Rng,
  photos: UniversePhoto[],
  accounts: Map<string, UniverseAccount>,
  truth: GroundTruth,
): void {
  const taken = new Set<string>();
  // EXIF of duplicated photos stays as generated, so exact copies remain byte-identical.
  const inDuplicate = new Set(truth.duplicates.flatMap(([a, b]) => [a, b]));
  const nameOf = (p: UniversePhoto) => accounts.get(p.owner)?.realName || accounts.get(p.owner)!.username;
  const year = (p: UniversePhoto) => new Date(p.dateUpload * 1000).getUTCFullYear();

  for (const p of choose(rng, photos, 0.04, 2, () => true, taken)) {
    const phrase = copyrightPhrase(rng, nameOf(p), year(p));
    p.description = withPhrase(rng, p.description, phrase);
    truth.copyrightText.push({ id: p.id, phrase });
  }
  for (const p of choose(rng, photos, 0.04, 2, (q) => !q.exifHidden && !inDuplicate.has(q.id), taken)) {
    const field = rng.chance(0.75) ? 'Copyright' : 'ImageDescription';
    const value =
      field === 'Copyright'
        ? `© ${year(p)} ${nameOf(p)}. All rights reserved.`
        : `All rights reserved. Contact ${nameOf(p)} for licensing.`;
    // Written as real files carry it (its own stream, so the rest of the universe is unchanged).
    const style = createRng(`exif-style:${p.id}`).pick([
      undefined,
      'camera',
      'camera',
      'windows',
      'photoshop',
    ] as const);
    const where =
      style === 'photoshop'
        ? 'CopyrightNotice'
        : style === 'windows' && field === 'ImageDescription'
          ? 'XPComment'
          : field;
    p.exif[where] = value;
    if (style) p.exifStyle = style;
    truth.copyrightExif.push({ id: p.id, field: where, value, ...(style ? { style } : {}) });
  }
  for (const p of choose(rng, photos, 0.04, 3, (q) => !q.exifHidden && !inDuplicate.has(q.id), taken)) {
    const phrase = decoyPhrase(rng);
    if (rng.chance(0.7)) {
      p.description = withPhrase(rng, p.description, phrase);
      truth.decoys.push({ id: p.id, phrase, where: 'description' });
    } else {
      // EXIF holds plain text, so decode the one entity a phrase may carry.
      const text = phrase.replace('&mdash;', '—');
      p.exif.Copyright = text;
      // Half in a camera's Latin-1 bytes (an em dash is cp1252's 0x97): a decoy must pass however it is encoded.
      if (createRng(`exif-style:${p.id}`).chance(0.5)) p.exifStyle = 'camera';
      truth.decoys.push({ id: p.id, phrase: text, where: 'exif' });
    }
  }
}

/** Make sure a small universe still contains each kind of planted case at least `min` times. */
export function ensureKinds(rng: Rng, photos: UniversePhoto[], min: number): void {
  const ensure = (
    has: (p: UniversePhoto) => boolean,
    make: (p: UniversePhoto) => void,
    ok: (p: UniversePhoto) => boolean = () => true,
  ) => {
    let missing = min - photos.filter(has).length;
    for (let tries = 0; missing > 0 && tries < photos.length * 4; tries++) {
      const p = rng.pick(photos);
      if (has(p) || !ok(p)) continue;
      make(p);
      missing--;
    }
  };
  const normal = (p: UniversePhoto) =>
    p.image.kind === 'photo' && p.width >= 256 && p.height >= 256 && !p.deleted && !p.originalHidden;
  ensure(
    (p) => p.width < 256 && p.height < 256,
    (p) => {
      const f = 200 / Math.max(p.width, p.height);
      p.width = Math.round(p.width * f);
      p.height = Math.round(p.height * f);
    },
    normal,
  );
  ensure(
    (p) => p.image.kind === 'illustration',
    (p) => {
      p.image.kind = 'illustration';
    },
    normal,
  );
  ensure(
    (p) => p.image.kind === 'screenshot',
    (p) => {
      p.image.kind = 'screenshot';
      p.width = 1280;
      p.height = 800;
    },
    normal,
  );
  ensure(
    (p) => p.deleted,
    (p) => {
      p.deleted = true;
    },
    normal,
  );
  ensure(
    (p) => p.originalHidden,
    (p) => {
      p.originalHidden = true;
    },
    normal,
  );
}

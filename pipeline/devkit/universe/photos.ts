// Makes one synthetic photo's Flickr fields, image recipe and EXIF (planted cases are added later by plant.ts).
import { createRng, type Rng } from '../random.ts';
import { CAMERAS, description, tags, title } from './text.ts';
import type { ImageKind, UniverseAccount, UniversePhoto } from './types.ts';

const ASPECTS = [4 / 3, 3 / 2, 16 / 9, 1, 3 / 4, 2 / 3] as const;
const SCREEN_SIZES = [
  [1280, 800],
  [1024, 768],
  [1440, 900],
  [1366, 768],
] as const;

// Weighted so that about a quarter of the universe is ineligible (licenses 0–6).
const LICENSES = [
  [0, 8],
  [1, 3],
  [2, 3],
  [3, 3],
  [4, 4],
  [5, 3],
  [6, 2],
  [7, 20],
  [8, 5],
  [9, 28],
  [10, 21],
] as const;

function pickLicense(rng: Rng): number {
  let x = rng.next() * LICENSES.reduce((s, [, w]) => s + w, 0);
  for (const [license, weight] of LICENSES) {
    x -= weight;
    if (x < 0) return license;
  }
  return 9;
}

export function dims(rng: Rng, kind: ImageKind, small: boolean): [number, number] {
  if (kind === 'screenshot' && !small) {
    const [w, h] = rng.pick(SCREEN_SIZES);
    return [w, h];
  }
  const long = small
    ? rng.int(90, 240)
    : kind === 'illustration'
      ? rng.int(800, 1200)
      : rng.pick([640, 800, 1024, 1200, 1600]);
  const aspect = kind === 'illustration' ? rng.pick([1, 4 / 3]) : rng.pick(ASPECTS);
  return aspect >= 1
    ? [long, Math.max(1, Math.round(long / aspect))]
    : [Math.max(1, Math.round(long * aspect)), long];
}

/** "YYYY-MM-DD HH:MM:SS" of a unix time, read as local time the way Flickr stores datetaken. */
export function flickrDate(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Turns a photo to portrait or landscape by the owner's habit (its own stream: the main sequence stays as it was). */
function habitOrientation(
  owner: UniverseAccount,
  index: number,
  kind: ImageKind,
  [w, h]: [number, number],
): [number, number] {
  const share = owner.watermark?.portraitShare;
  if (share === undefined || kind !== 'photo' || w === h) return [w, h];
  const portrait = createRng(`orientation:${owner.nsid}:${index}`).chance(share);
  return portrait === h > w ? [w, h] : [h, w];
}

export function makePhoto(
  rng: Rng,
  index: number,
  owner: UniverseAccount,
  dateUpload: number,
): UniversePhoto {
  const kind: ImageKind = rng.chance(0.06) ? 'illustration' : rng.chance(0.045) ? 'screenshot' : 'photo';
  const small = rng.chance(0.04);
  const [width, height] = habitOrientation(owner, index, kind, dims(rng, kind, small));
  const unknown = rng.chance(0.05);
  const taken = unknown ? dateUpload : dateUpload - rng.int(0, 3 * 365 * 86400);
  const granularity = unknown ? 0 : rng.pick([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 6, 8]);
  const [make, model] = rng.pick(CAMERAS);
  const exif: UniversePhoto['exif'] =
    kind === 'photo'
      ? { Make: make, Model: model, DateTimeOriginal: flickrDate(taken).replace(/-/g, ':') }
      : kind === 'illustration'
        ? { Software: 'Adobe Illustrator 26.0' }
        : {};
  if (kind === 'photo' && owner.realName && rng.chance(0.2)) exif.Artist = owner.realName;
  return {
    id: '',
    owner: owner.nsid,
    secret: rng.hex(10),
    originalSecret: rng.hex(10),
    originalFormat: 'jpg',
    server: String(rng.int(1000, 65535)),
    farm: 66,
    title: title(rng, index),
    description: description(rng),
    tags: tags(rng),
    license: pickLicense(rng),
    dateUpload,
    dateTaken: flickrDate(taken),
    dateTakenGranularity: granularity,
    dateTakenUnknown: unknown,
    views: Math.floor(Math.exp(rng.next() * 9)),
    width,
    height,
    originalHidden: rng.chance(0.07),
    deleted: rng.chance(0.03),
    exifHidden: rng.chance(0.04),
    safety: rng.chance(0.03) ? 2 : rng.chance(0.01) ? 3 : 1,
    contentType: rng.chance(0.02) ? 1 : rng.chance(0.01) ? 2 : 0,
    media: rng.chance(0.01) ? 'video' : 'photo',
    exif,
    image: {
      kind,
      seed: rng.int(1, 2 ** 31 - 1),
      quality: rng.pick([82, 85, 88, 90]),
      watermark: rng.chance(owner.watermark?.carryRate ?? 0.95) ? owner.watermark : undefined,
    },
  };
}

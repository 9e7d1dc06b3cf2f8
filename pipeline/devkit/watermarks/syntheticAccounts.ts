// Generates whole synthetic accounts (clean, watermarked, bordered) with ground truth, as thumbnails.
import { watermarkRng, type Rng } from '../random.ts';
import { renderBackground } from './syntheticBackground.ts';
import {
  addBorder,
  stampWatermark,
  toThumbnail,
  type BorderSpec,
  type Corner,
  type WatermarkSpec,
} from './synthetic.ts';
import type { Box } from '../../watermarks/types.ts';

export type SyntheticPhoto = {
  id: string;
  thumb: Buffer;
  width: number;
  height: number;
  truth: { watermark: boolean; box: Box | null; border: boolean };
};

export type SyntheticAccount = {
  nsid: string;
  photos: SyntheticPhoto[];
  truth: { watermark: WatermarkSpec | null; border: BorderSpec | null; carryRate: number };
};

export type AccountPlan = {
  watermark: boolean;
  border: boolean;
  photos: number;
  /** Long side of the generated originals (default 512). */
  size?: number;
  /** Exact marks instead of random ones (tests, demo data). */
  watermarkSpec?: WatermarkSpec;
  borderSpec?: BorderSpec;
  /** Share of photos carrying the mark (default random in 0.7–0.95). */
  carryRate?: number;
  /** Share of portrait photos (default: portrait-poor, mixed or portrait-heavy at random). */
  portraitShare?: number;
};

const NAMES = [
  '© Jane Doe',
  '© M. Keller Photo',
  'ANDERSSON IMAGES',
  '© 2019 R. Okafor',
  'lightcatcher.net',
  'Photo: T. Nguyen',
  '© KAISA',
  'wildframes',
];
// Real marks sit in a corner far more often than anywhere else; any corner, not only the usual bottom-right.
const CORNERS: Corner[] = [
  'bottom-right',
  'bottom-left',
  'top-left',
  'top-right',
  'bottom-right',
  'bottom-left',
  'top-left',
  'top-right',
  'bottom-center',
];
// Marks are made to be seen: white, black or light tints (a mid-grey mark on mid-grey scenes is invisible
// at thumbnail size to people and to the median alike).
const COLORS = ['#ffffff', '#ffffff', '#ffffff', '#000000', '#f0e68c', '#c8c8c8'];

export function randomWatermark(rng: Rng): WatermarkSpec {
  const text = rng.chance(0.5);
  const name = text ? rng.pick(NAMES) : rng.pick(['JD', 'MK', 'RO', 'TN']);
  return {
    kind: text ? 'text' : 'logo',
    text: name,
    logo: text ? undefined : rng.pick(['camera', 'ring', 'star', 'monogram'] as const),
    color: rng.pick(COLORS),
    // Faint marks are the hard ones: 0.25 is about the faintest a photographer still expects to be seen.
    opacity: rng.range(0.25, 0.6),
    corner: rng.pick(CORNERS),
    // 0.1–0.35 of the width; long texts get wider so their letters stay at least ~4 px tall in a 256-px thumbnail.
    size: text ? Math.min(0.35, Math.max(rng.range(0.1, 0.35), 0.016 * name.length)) : rng.range(0.1, 0.2),
    margin: rng.range(0.02, 0.06),
    shadow: rng.chance(0.3),
  };
}

export function randomBorder(rng: Rng): BorderSpec {
  return rng.chance(0.7)
    ? {
        kind: 'border',
        width: rng.range(0.015, 0.06),
        color: rng.pick(['#ffffff', '#000000', '#f5f5f0', '#202020']),
      }
    : {
        kind: 'frame',
        inset: rng.range(0.02, 0.06),
        thickness: rng.range(0.004, 0.01),
        color: rng.pick(['#ffffff', '#000000']),
      };
}

/** A box in fractions of the picture, re-expressed in the bordered image that surrounds it. */
function shiftIntoBorder(
  box: Box,
  inner: { width: number; height: number },
  outer: { width: number; height: number },
): Box {
  const dx = (outer.width - inner.width) / 2;
  const dy = (outer.height - inner.height) / 2;
  return {
    x: (box.x * inner.width + dx) / outer.width,
    y: (box.y * inner.height + dy) / outer.height,
    w: (box.w * inner.width) / outer.width,
    h: (box.h * inner.height) / outer.height,
  };
}

/** One account: photos share a camera aspect (a few are cropped), some are portrait; the watermark is on most. */
export async function generateAccount(
  nsid: string,
  plan: AccountPlan,
  seed: number | string = nsid,
): Promise<SyntheticAccount> {
  const rng = watermarkRng(seed);
  const randomMark = randomWatermark(rng);
  const randomFrame = randomBorder(rng);
  const watermark = plan.watermark ? (plan.watermarkSpec ?? randomMark) : null;
  const border = plan.border ? (plan.borderSpec ?? randomFrame) : null;
  const randomRate = rng.range(0.7, 0.95);
  const carryRate = watermark ? (plan.carryRate ?? randomRate) : 0;
  const aspect = rng.pick([3 / 2, 4 / 3, 3 / 2, 16 / 9]);
  // Portrait-poor accounts leave a handful of portraits, portrait-heavy ones a handful of landscapes: the small
  // group has fewer photos than a median needs, and its photos must still get a verdict.
  const randomShare = rng.pick([0, 0.08, 0.15, 0.3, 0.7, 0.9]);
  const portraitShare = plan.portraitShare ?? randomShare;
  const photos: SyntheticPhoto[] = [];
  for (let i = 0; i < plan.photos; i++) {
    const long = plan.size ?? 512;
    // A few photos are cropped to another aspect, which shifts a corner mark a little in the common frame.
    const a = rng.chance(0.1) ? rng.pick([1, 5 / 4, 16 / 9]) : aspect;
    const portrait = rng.chance(portraitShare);
    const w = portrait ? Math.round(long / a) : long;
    const h = portrait ? long : Math.round(long / a);
    let image = renderBackground(w, h, rng);
    const carries = watermark !== null && rng.chance(carryRate);
    let box: Box | null = null;
    if (carries && watermark) {
      const jitter = { dx: rng.int(-1, 1), dy: rng.int(-1, 1) };
      // Marks sit inside the picture: inside a frame line, and stamped before a border is added around it.
      const margin =
        border?.kind === 'frame'
          ? Math.max(watermark.margin, border.inset + border.thickness + 0.03)
          : watermark.margin;
      const stamped = await stampWatermark(image, { ...watermark, margin, jitter });
      image = stamped.image;
      box = stamped.box;
    }
    if (border) {
      const before = { width: image.width, height: image.height };
      image = await addBorder(image, border);
      if (box) box = shiftIntoBorder(box, before, image);
    }
    photos.push({
      id: `${nsid}-${i}`,
      thumb: await toThumbnail(image),
      width: image.width,
      height: image.height,
      truth: { watermark: carries, box, border: border !== null },
    });
  }
  return { nsid, photos, truth: { watermark, border, carryRate } };
}

/** A mixed population: 40% watermarked, 20% bordered or framed (half of them also watermarked), the rest clean. */
export function planAccounts(
  count: number,
  seed: number | string,
  photos: { min: number; max: number },
): AccountPlan[] {
  const rng = watermarkRng(`plan:${seed}`);
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const plans: AccountPlan[] = new Array(count);
  order.forEach((slot, rank) => {
    const share = rank / count;
    plans[slot] = {
      watermark: share < 0.4,
      border: share >= 0.3 && share < 0.5,
      photos: rng.int(photos.min, photos.max),
    };
  });
  return plans;
}

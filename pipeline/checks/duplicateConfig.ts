// Thresholds of the duplicate check, chosen from measurements on the synthetic universe (numbers below).
import { loadSettings } from '../../lib/settings.ts';

/**
 * Largest pHash Hamming distance that makes two photos near-duplicate candidates. pHash splits at the
 * median, so every hash has 32 bits set and distances are even. Measured on 800-photo universes (images
 * rendered at Flickr's _b size, thumbnail, pHash): exact copies 0, re-encodes 0–2, resizes 0–2, 4–10 %
 * crops 6–22 (out of reach of any global hash), unrelated photos and illustrations ≥ 12, but look-alike
 * screenshots (same app layout) as low as 2. 6 keeps a margin over re-encodes and resizes; at 10M photos
 * with uniformly random hashes it admits ~200 chance pairs (8 would admit ~12,000, and the index search
 * costs grow steeply with the radius). Crops are found by the window search below.
 * The value is a setting (NEAR_DUPLICATE_DISTANCE, default 6, in lib/settings.ts), overridable per run; this is
 * its built-in default, for the benches and quality measurements.
 */
export const NEAR_DUPLICATE_DISTANCE = loadSettings({}).NEAR_DUPLICATE_DISTANCE;

/**
 * Candidates are then verified on their stored thumbnails: the largest mean absolute difference over 8×8
 * blocks of 64×64 greyscale renderings (0–255). Measured on two 1000-photo universes: exact 0, re-encodes
 * 1.2–1.8, resizes 0–3.2; look-alike screenshot pairs 5.4–35 (a plain mean over the frame separated them
 * worse: copies ≤ 0.94 vs screenshots ≥ 0.9). Pairs with identical bytes skip this check.
 */
export const PIXEL_DIFF_THRESHOLD = 4.25;

/**
 * Crops (a copy keeping part of the frame) are searched separately: every photo's window hashes (cropHash.ts:
 * the full frame and ten windows keeping one axis whole, low-frequency zig-zag DCT bits) are looked up in an
 * index of every photo's full-frame hash. pHash proved too sensitive to misplacement for this: a window off by
 * 1 % of the frame already flips a median of 4 bits, 2 % flips 8. A candidate needs a total distance ≤ 8 and
 * differences only in the window's 3 weakest bits (closest to the median) of one of the three keys (8 probes
 * per key). On Debian's photographs (8 sources × 60 one-axis crops of 1–10 %), 3 weak bits found 439/480 crops
 * as 4 did (the misses: a flat abstract render), at half the probes, which pays for the 11 windows instead of 9
 * (the bench's 10M-photo budget). The first grid (nine 93 % windows cutting both axes, 4 weak bits) found 269.
 * Unrelated photos rarely come within 8; look-alikes that do (screenshots, flat renders) are left to the
 * thumbnail alignment below.
 */
export const CROP_SEARCH_DISTANCE = 8;
export const CROP_WEAK_BITS = 3;

/**
 * Crop candidates are verified on thumbnails: the window of the larger photo that best matches the other's
 * whole frame (alignCrop.ts) must then differ by at most this worst 8×8-block mean (0–255, 64×64 greyscale).
 * Measured on the same 320 crop pairs: true crops 0.89–4.56 (p99 4.39); same-kind look-alike pairs
 * (screenshots sharing an app layout, illustrations sharing a palette; 3,171 pairs, each allowed the same
 * alignment freedom) 5.77 at the lowest, p1 7.1–10. 5.0 sits between the two.
 */
export const CROP_DIFF_THRESHOLD = 5.0;

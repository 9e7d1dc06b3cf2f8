// Thresholds of the duplicate check, chosen from measurements on the synthetic universe (numbers below).

/**
 * Largest pHash Hamming distance that makes two photos near-duplicate candidates. pHash splits at the
 * median, so every hash has 32 bits set and distances are even. Measured on 800-photo universes (images
 * rendered at Flickr's _b size, thumbnail, pHash): exact copies 0, re-encodes 0–2, resizes 0–2, 4–10 %
 * crops 6–22 (out of reach of any global hash), unrelated photos and illustrations ≥ 12, but look-alike
 * screenshots (same app layout) as low as 2. 6 keeps a margin over re-encodes and resizes; at 10M photos
 * with uniformly random hashes it admits ~200 chance pairs (8 would admit ~12,000, and the index search
 * costs grow steeply with the radius). Crops are found by the window search below.
 */
export const NEAR_DUPLICATE_DISTANCE = 6;

/**
 * Candidates are then verified on their stored thumbnails: the largest mean absolute difference over 8×8
 * blocks of 64×64 greyscale renderings (0–255). Measured on two 1000-photo universes: exact 0, re-encodes
 * 1.2–1.8, resizes 0–3.2; look-alike screenshot pairs 5.4–35 (a plain mean over the frame separated them
 * worse: copies ≤ 0.94 vs screenshots ≥ 0.9). Pairs with identical bytes skip this check.
 */
export const PIXEL_DIFF_THRESHOLD = 4.25;

/**
 * Crops (a copy keeping part of the frame) are searched separately: every photo's nine window hashes
 * (cropHash.ts: 93 % windows on a 3×3 grid, low-frequency zig-zag DCT bits) are looked up in an index of
 * every photo's full-frame hash. pHash proved too sensitive to misplacement for this: a window off by 1 %
 * of the frame already flips a median of 4 bits, 2 % flips 8, so no affordable grid of windows comes within
 * radius 6 (9 pHash windows found 84–86 % of crops within 6). Measured on 2 × 160 crop pairs (scale 0.90–0.96,
 * random offset) rendered like the universe: flipping any subset of each window's 4 weakest bits per key
 * (bits closest to the median; 16 probes per key) and accepting a total distance ≤ 8 finds 99.7 % (319/320)
 * of crops; 3 weak bits find 98.4 % at half the probes; radius 6 with 4 weak bits 96 %. Unrelated photos
 * never came within 8 (0 of 22,350 window/frame pairs); look-alike screenshots and illustrations did in
 * 4–7 % of same-kind pairs, which the thumbnail alignment below rejects.
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

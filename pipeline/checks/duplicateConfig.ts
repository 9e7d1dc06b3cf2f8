// Thresholds of the duplicate check, chosen from measurements on the synthetic universe (numbers below).

/**
 * Largest pHash Hamming distance that makes two photos near-duplicate candidates. pHash splits at the
 * median, so every hash has 32 bits set and distances are even. Measured on 800-photo universes (images
 * rendered at Flickr's _b size, thumbnail, pHash): exact copies 0, re-encodes 0–2, resizes 0–2, 4–10 %
 * crops 6–22 (out of reach of any global hash), unrelated photos and illustrations ≥ 12, but look-alike
 * screenshots (same app layout) as low as 2. 6 keeps a margin over re-encodes and resizes; at 10M photos
 * with uniformly random hashes it admits ~200 chance pairs (8 would admit ~12,000, and the index search
 * costs grow steeply with the radius). Crops are left to CLIP near-duplicate pairs.
 */
export const NEAR_DUPLICATE_DISTANCE = 6;

/**
 * Candidates are then verified on their stored thumbnails: the largest mean absolute difference over 8×8
 * blocks of 64×64 greyscale renderings (0–255). Measured on two 1000-photo universes: exact 0, re-encodes
 * 1.2–1.8, resizes 0–3.2; look-alike screenshot pairs 5.4–35 (a plain mean over the frame separated them
 * worse: copies ≤ 0.94 vs screenshots ≥ 0.9). Pairs with identical bytes skip this check.
 */
export const PIXEL_DIFF_THRESHOLD = 4.25;

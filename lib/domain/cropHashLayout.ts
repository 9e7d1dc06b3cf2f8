// The stored crop-hash layout (photos.phash_windows), shared by the fingerprint maths and the fetch queries.

/** Windows hashed per photo: the full frame plus ten keeping one axis whole (pipeline/fingerprints/cropHash.ts). */
export const CROP_WINDOW_COUNT = 11;

/** Length of the stored bigint[] (full-frame hash, then hash and weak bits per window): another length is another layout. */
export const CROP_HASH_LENGTH = 1 + 2 * CROP_WINDOW_COUNT;

// Typed records the crawler stores, converted from Flickr's raw search JSON by parse.ts.

import type { PhotoRecord } from '../../lib/domain/photoRecord.ts';

export type SkippedPhoto = { id: string | null; reason: string };

export type SearchPage = {
  page: number;
  pages: number;
  perPage: number;
  total: number;
  photos: PhotoRecord[];
  /** Entries of the page that could not be read; recorded, not fatal. */
  skipped: SkippedPhoto[];
};

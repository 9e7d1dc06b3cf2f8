// Typed records the crawler stores, converted from Flickr's raw search JSON by parse.ts.

/** Pixel size of each rendition Flickr offers: { o: [w, h], b: [w, h], ... }. */
export type Sizes = Partial<Record<'o' | 'k' | 'h' | 'b' | 'c' | 'z' | 'm', [number, number]>>;

export type PhotoRecord = {
  id: string;
  ownerNsid: string;
  ownerName: string | null;
  secret: string;
  server: string;
  farm: number | null;
  title: string;
  /** Raw HTML as Flickr sends it. */
  description: string;
  tags: string;
  license: number;
  dateUpload: Date;
  /** "YYYY-MM-DD HH:MM:SS", local time without zone; null when Flickr has none or an impossible one. */
  dateTaken: string | null;
  dateTakenGranularity: number | null;
  dateTakenUnknown: boolean;
  originalWidth: number | null;
  originalHeight: number | null;
  originalFormat: string | null;
  originalSecret: string | null;
  urlO: string | null;
  urlB: string | null;
  urlC: string | null;
  urlZ: string | null;
  urlM: string | null;
  sizes: Sizes;
  views: number | null;
};

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

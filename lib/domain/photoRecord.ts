// A photo as the crawler stores it, converted from Flickr's raw search JSON by pipeline/flickr/parse.ts.

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

// Types of a synthetic Flickr universe: accounts, photos with every field Flickr sends, image recipes, ground truth.

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

export type WatermarkSpec = {
  text: string;
  corner: Corner;
  opacity: number;
  style: 'text' | 'logo';
  /** Share of the account's photos stamped (real accounts skip some: phone uploads, older work). */
  carryRate?: number;
  /** Share of portrait photos when the account has a habit: portrait-heavy or portrait-poor. */
  portraitShare?: number;
};

export type UniverseAccount = {
  nsid: string;
  username: string;
  realName: string;
  /** Stamped on (almost) every photo of the account. */
  watermark?: WatermarkSpec;
};

export type ImageKind = 'photo' | 'illustration' | 'screenshot';

/** `crop`: one side cut by 1–10 % of the area; `aspect`: a centred cut to another common aspect ratio (≤ 10 %). */
export type DuplicateKind = 'exact' | 'reencode' | 'resize' | 'crop' | 'aspect';

/** The part of the frame a crop keeps, in fractions of its width and height. */
export type CropRect = { left: number; top: number; width: number; height: number };

/** Everything needed to render a photo's pixels again, at any size, without storing them. */
export type ImageRecipe = {
  kind: ImageKind;
  seed: number;
  watermark?: WatermarkSpec;
  /** JPEG quality of every rendition; re-encoded duplicates differ only here. */
  quality: number;
  /** A near/exact duplicate renders its canonical's scene, optionally cropped to this fraction of it. */
  derived?: { fromId: string; kind: DuplicateKind; crop?: CropRect };
};

export type ExifFields = {
  Make?: string;
  Model?: string;
  Artist?: string;
  Copyright?: string;
  ImageDescription?: string;
  Software?: string;
  DateTimeOriginal?: string;
  /** Windows Explorer's comment (UCS-2 in the file). */
  XPComment?: string;
  /** IPTC 2:116, as Photoshop writes it. */
  CopyrightNotice?: string;
};

/**
 * How the original's metadata bytes are written: libvips (the default: ASCII/UTF-8), a camera (Latin-1 bytes, © as
 * 0xA9, big-endian TIFF), Windows Explorer (XP* tags in UCS-2, Copyright in cp1252), Photoshop (IPTC in APP13, Latin-1).
 */
export type ExifStyle = 'camera' | 'windows' | 'photoshop';

export type UniversePhoto = {
  id: string;
  owner: string;
  secret: string;
  originalSecret: string;
  originalFormat: 'jpg';
  server: string;
  farm: number;
  title: string;
  /** HTML as Flickr sends it. */
  description: string;
  tags: string;
  license: number;
  /** Unix seconds. */
  dateUpload: number;
  /** "YYYY-MM-DD HH:MM:SS", local time. */
  dateTaken: string;
  dateTakenGranularity: number;
  dateTakenUnknown: boolean;
  views: number;
  /** Original pixel size. */
  width: number;
  height: number;
  /** Owner hides the original: no o_dims, url_o or originalsecret. */
  originalHidden: boolean;
  /** Appears in search (crawled before deletion) but its images answer 404. */
  deleted: boolean;
  /** Owner hides EXIF: getExif answers code 2. */
  exifHidden: boolean;
  /** 1 safe, 2 moderate, 3 restricted. */
  safety: 1 | 2 | 3;
  /** Flickr content type: 0 photo, 1 screenshot, 2 other, 3 virtual. */
  contentType: 0 | 1 | 2 | 3;
  media: 'photo' | 'video';
  exif: ExifFields;
  exifStyle?: ExifStyle;
  image: ImageRecipe;
};

export type GroundTruth = {
  seed: string;
  watermarkedAccounts: ({ nsid: string; photoIds: string[] } & WatermarkSpec)[];
  /** [canonicalId, duplicateId, kind] */
  duplicates: [string, string, DuplicateKind][];
  small: string[];
  copyrightText: { id: string; phrase: string }[];
  copyrightExif: {
    id: string;
    field: 'Copyright' | 'Artist' | 'ImageDescription' | 'XPComment' | 'CopyrightNotice';
    value: string;
    style?: ExifStyle;
  }[];
  decoys: { id: string; phrase: string; where: 'description' | 'exif' }[];
  illustrations: string[];
  screenshots: string[];
  deleted: string[];
  originalHidden: string[];
  exifHidden: string[];
  /** Ids that a crawl with licenses 7–10, safe search, photos only should store. */
  eligible: string[];
};

export type Universe = {
  seed: string;
  accounts: UniverseAccount[];
  /** Sorted by upload date, then id. */
  photos: UniversePhoto[];
  groundTruth: GroundTruth;
};

export type UniverseOptions = {
  seed: string;
  photos: number;
  /** Defaults to about one account per ten photos. */
  accounts?: number;
  /** Upload range; defaults to 2010-01-01 .. 2024-01-01. */
  start?: Date;
  end?: Date;
  /** Share of photos whose upload falls in one dense burst (to exceed a search cap in one window); default 0. */
  burstShare?: number;
};

// Reads the text fields of an original's EXIF, IPTC and XMP from its first 128 KB (HTTP Range), or from flickr.photos.getExif.
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { download, type DownloadOptions } from '../fetch/download.ts';
import { decodeLegacyText, decodeUcs2, tidyText } from './exifText.ts';
import { iptcFields } from './iptcRead.ts';
import { decodeEntities } from './textNormalize.ts';

export const EXIF_RANGE_BYTES = 128 * 1024;

/** Field name → text, e.g. { Copyright: '© 2019 Jane', 'XMP dc:rights': '…' }. */
export type ExifText = Record<string, string>;

export type ExifReadResult =
  | { ok: true; source: 'original' | 'flickr_api'; fields: ExifText }
  | { ok: true; source: 'none'; fields: ExifText; reason: string }
  | { ok: false; kind: string; message: string };

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return tidyText(v);
  // exif-reader hands ASCII tags with bytes ≥ 0x80 over as a Buffer: cp1252 unless they are valid UTF-8.
  if (Buffer.isBuffer(v)) return tidyText(decodeLegacyText(v));
  return undefined;
}

/** XP* tags: BYTE arrays of UCS-2, always little-endian (exiftool and Windows ignore the file's byte order). */
function xpText(v: unknown): string | undefined {
  if (Array.isArray(v) && v.every((n) => typeof n === 'number'))
    return decodeUcs2(Uint8Array.from(v as number[]));
  if (Buffer.isBuffer(v)) return decodeUcs2(v);
  return undefined;
}

/** EXIF UserComment: an 8-byte character-code prefix, then the text. */
export function userComment(v: unknown, bigEndian: boolean): string | undefined {
  if (!Buffer.isBuffer(v) || v.length <= 8) return text(v);
  const code = v.subarray(0, 8).toString('latin1');
  const body = v.subarray(8);
  // UNICODE comments follow the file's byte order (exiftool does the same).
  if (code.startsWith('UNICODE')) return decodeUcs2(bigEndian ? Buffer.from(body).swap16() : body);
  if (code.startsWith('JIS')) return undefined;
  return text(body);
}

/** IFD0 text tags. Windows' "Copyright" property is written to the standard Copyright tag (there is no XPCopyright). */
const EXIF_FIELDS = ['Copyright', 'Artist', 'ImageDescription'] as const;
const XP_FIELDS = ['XPComment', 'XPAuthor', 'XPSubject', 'XPTitle', 'XPKeywords'] as const;

export function exifFields(raw: Buffer): ExifText {
  const exif = exifReader(raw);
  const out: ExifText = {};
  for (const f of EXIF_FIELDS) {
    const v = text(exif.Image?.[f]);
    if (v) out[f] = v;
  }
  for (const f of XP_FIELDS) {
    const v = xpText(exif.Image?.[f]);
    if (v) out[f] = v;
  }
  const uc = userComment(exif.Photo?.UserComment, exif.bigEndian);
  if (uc) out.UserComment = uc;
  return out;
}

/** XMP rights: dc:rights (a language alternative), xmpRights:UsageTerms and xmpRights:Marked. */
export function xmpFields(xml: string): ExifText {
  const out: ExifText = {};
  for (const tag of ['dc:rights', 'xmpRights:UsageTerms', 'photoshop:Credit', 'dc:creator']) {
    const block = new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1];
    const attr = new RegExp(`\\b${tag}="([^"]*)"`).exec(xml)?.[1];
    const value =
      block !== undefined
        ? [...block.matchAll(/<rdf:li\b[^>]*>([\s\S]*?)<\/rdf:li>/g)].map((m) => m[1]).join(' ') || block
        : attr;
    const clean =
      value &&
      decodeEntities(value.replace(/<[^>]*>/g, ' '))
        .replace(/\s+/g, ' ')
        .trim();
    if (clean) out[`XMP ${tag}`] = clean;
  }
  const marked = /xmpRights:Marked(?:="|>)\s*(True|False)/i.exec(xml)?.[1];
  if (marked) out['XMP xmpRights:Marked'] = marked;
  return out;
}

/** Parses whatever metadata the first bytes of an image hold (sharp reads headers from a truncated file). */
export async function metadataFields(head: Buffer): Promise<ExifText> {
  const meta = await sharp(head, { failOn: 'none' }).metadata();
  const out: ExifText = {};
  if (meta.exif) Object.assign(out, exifFields(meta.exif));
  if (meta.iptc) Object.assign(out, iptcFields(meta.iptc));
  if (meta.xmp) Object.assign(out, xmpFields(meta.xmp.toString('utf8')));
  return out;
}

/** Tags flickr.photos.getExif names as exiftool does; IPTC ones get the prefix the original's reader gives them. */
const API_FIELD: Record<string, string> = {
  CopyrightNotice: 'IPTC CopyrightNotice',
  'By-line': 'IPTC By-line',
  Credit: 'IPTC Credit',
};
const API_TAGS = new Set<string>([...EXIF_FIELDS, ...XP_FIELDS, 'UserComment', ...Object.keys(API_FIELD)]);

export type FlickrExifCall = (
  photoId: string,
  secret: string,
) => Promise<{ tag: string; raw: string }[] | 'hidden' | 'not_found'>;

export type ExifSource = { id: string; secret: string; urlO: string | null };

/** EXIF from flickr.photos.getExif (rate-limited, so only when no original can be read); `why` says why not. */
async function readFromApi(
  photo: ExifSource,
  getExif: FlickrExifCall | undefined,
  why: string,
): Promise<ExifReadResult> {
  if (!getExif) return { ok: true, source: 'none', fields: {}, reason: why };
  try {
    const tags = await getExif(photo.id, photo.secret);
    if (tags === 'hidden')
      return { ok: true, source: 'none', fields: {}, reason: 'EXIF hidden by the owner' };
    if (tags === 'not_found')
      return { ok: true, source: 'none', fields: {}, reason: 'photo not found on Flickr' };
    const fields: ExifText = {};
    for (const t of tags) if (API_TAGS.has(t.tag)) fields[API_FIELD[t.tag] ?? t.tag] = t.raw;
    return { ok: true, source: 'flickr_api', fields };
  } catch (e) {
    return { ok: false, kind: 'flickr_api', message: e instanceof Error ? e.message : String(e) };
  }
}

export async function readExif(
  photo: ExifSource,
  opts: DownloadOptions & { getExif?: FlickrExifCall },
): Promise<ExifReadResult> {
  if (!photo.urlO) return readFromApi(photo, opts.getExif, 'no original offered');
  const res = await download(photo.urlO, { ...opts, rangeBytes: EXIF_RANGE_BYTES });
  if (!res.ok) {
    // A removed original is an answer, not a failure: there is nothing to read, as when none is offered.
    if (res.kind === 'unavailable')
      return readFromApi(photo, opts.getExif, `original unavailable (${res.message})`);
    return { ok: false, kind: res.kind, message: res.message };
  }
  try {
    return { ok: true, source: 'original', fields: await metadataFields(res.bytes) };
  } catch (e) {
    return { ok: false, kind: 'unreadable', message: e instanceof Error ? e.message : String(e) };
  }
}

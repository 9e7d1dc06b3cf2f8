// Reads the text fields of an original's EXIF and XMP from its first 128 KB (HTTP Range), or from flickr.photos.getExif.
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { download, type DownloadOptions } from '../fetch/download.ts';
import { decodeEntities } from './textNormalize.ts';

export const EXIF_RANGE_BYTES = 128 * 1024;

/** Field name → text, e.g. { Copyright: '© 2019 Jane', 'XMP dc:rights': '…' }. */
export type ExifText = Record<string, string>;

export type ExifReadResult =
  | { ok: true; source: 'original' | 'flickr_api'; fields: ExifText }
  | { ok: true; source: 'none'; fields: ExifText; reason: string }
  | { ok: false; kind: string; message: string };

function text(v: unknown, bigEndian = false): string | undefined {
  if (typeof v === 'string') return v.replace(/\0+$/, '').trim() || undefined;
  if (Buffer.isBuffer(v)) return v.toString('utf8').replace(/\0+$/, '').trim() || undefined;
  if (Array.isArray(v) && v.every((n) => typeof n === 'number')) {
    // XP* tags: UCS-2 little-endian bytes.
    const b = Buffer.from(v as number[]);
    return (bigEndian ? b.swap16() : b).toString('utf16le').replace(/\0+$/, '').trim() || undefined;
  }
  return undefined;
}

/** EXIF UserComment: an 8-byte character-code prefix, then the text. */
export function userComment(v: unknown, bigEndian: boolean): string | undefined {
  if (!Buffer.isBuffer(v) || v.length <= 8) return text(v);
  const code = v.subarray(0, 8).toString('latin1');
  const body = v.subarray(8);
  if (code.startsWith('UNICODE')) return text(Array.from(bigEndian ? Buffer.from(body).swap16() : body));
  if (code.startsWith('JIS')) return undefined;
  return text(body);
}

const EXIF_FIELDS = ['Copyright', 'Artist', 'ImageDescription', 'XPComment', 'XPAuthor', 'XPSubject', 'XPTitle'] as const;

export function exifFields(raw: Buffer): ExifText {
  const exif = exifReader(raw);
  const out: ExifText = {};
  for (const f of EXIF_FIELDS) {
    const v = text(exif.Image?.[f], exif.bigEndian);
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
    const value = block !== undefined ? [...block.matchAll(/<rdf:li\b[^>]*>([\s\S]*?)<\/rdf:li>/g)].map((m) => m[1]).join(' ') || block : attr;
    const clean = value && decodeEntities(value.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
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
  if (meta.xmp) Object.assign(out, xmpFields(meta.xmp.toString('utf8')));
  return out;
}

export type FlickrExifCall = (photoId: string, secret: string) => Promise<{ tag: string; raw: string }[] | 'hidden' | 'not_found'>;

export type ExifSource = { id: string; secret: string; urlO: string | null };

/** EXIF from flickr.photos.getExif (rate-limited, so only when no original can be read); `why` says why not. */
async function readFromApi(photo: ExifSource, getExif: FlickrExifCall | undefined, why: string): Promise<ExifReadResult> {
  if (!getExif) return { ok: true, source: 'none', fields: {}, reason: why };
  try {
    const tags = await getExif(photo.id, photo.secret);
    if (tags === 'hidden') return { ok: true, source: 'none', fields: {}, reason: 'EXIF hidden by the owner' };
    if (tags === 'not_found') return { ok: true, source: 'none', fields: {}, reason: 'photo not found on Flickr' };
    const fields: ExifText = {};
    for (const t of tags) if ((EXIF_FIELDS as readonly string[]).includes(t.tag) || t.tag === 'UserComment') fields[t.tag] = t.raw;
    return { ok: true, source: 'flickr_api', fields };
  } catch (e) {
    return { ok: false, kind: 'flickr_api', message: e instanceof Error ? e.message : String(e) };
  }
}

export async function readExif(photo: ExifSource, opts: DownloadOptions & { getExif?: FlickrExifCall }): Promise<ExifReadResult> {
  if (!photo.urlO) return readFromApi(photo, opts.getExif, 'no original offered');
  const res = await download(photo.urlO, { ...opts, rangeBytes: EXIF_RANGE_BYTES });
  if (!res.ok) {
    // A removed original is an answer, not a failure: there is nothing to read, as when none is offered.
    if (res.kind === 'unavailable') return readFromApi(photo, opts.getExif, `original unavailable (${res.message})`);
    return { ok: false, kind: res.kind, message: res.message };
  }
  try {
    return { ok: true, source: 'original', fields: await metadataFields(res.bytes) };
  } catch (e) {
    return { ok: false, kind: 'unreadable', message: e instanceof Error ? e.message : String(e) };
  }
}

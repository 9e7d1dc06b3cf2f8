// The original's metadata written as a camera, Windows Explorer or Photoshop writes it, for photos with an exifStyle.
import { ascii, encodeCp1252, exifBlock, iim, photoshopBlock, xp, type IfdEntry } from './metadataBytes.ts';
import type { ExifFields, ExifStyle } from './types.ts';

const TAGS = {
  ImageDescription: 0x010e,
  Make: 0x010f,
  Model: 0x0110,
  Software: 0x0131,
  Artist: 0x013b,
  Copyright: 0x8298,
} as const;
const DATE_TIME_ORIGINAL = 0x9003;
const XP_COMMENT = 0x9c9c,
  XP_AUTHOR = 0x9c9d;

/** APPn segments (marker, payload) carrying `exif` in `style`'s bytes. */
export function styledSegments(exif: ExifFields, style: ExifStyle): { marker: number; payload: Buffer }[] {
  const ifd0: IfdEntry[] = [];
  for (const [name, tag] of Object.entries(TAGS) as [keyof typeof TAGS, number][]) {
    const value = exif[name];
    // Windows shows Artist as "Authors" and writes it as XPAuthor; the ASCII tags get the code page's bytes.
    if (value && !(style === 'windows' && name === 'Artist')) ifd0.push(ascii(tag, encodeCp1252(value)));
  }
  if (style === 'windows') {
    if (exif.XPComment) ifd0.push(xp(XP_COMMENT, exif.XPComment));
    if (exif.Artist) ifd0.push(xp(XP_AUTHOR, exif.Artist));
  }
  const exifIfd = exif.DateTimeOriginal ? [ascii(DATE_TIME_ORIGINAL, exif.DateTimeOriginal)] : [];
  const segments = [];
  // Nikon and Canon bodies write big- and little-endian TIFF respectively; Windows keeps the file's order.
  if (ifd0.length || exifIfd.length)
    segments.push({ marker: 0xe1, payload: exifBlock(ifd0, { bigEndian: style === 'camera', exifIfd }) });
  if (style === 'photoshop' && (exif.CopyrightNotice || exif.Artist)) {
    const datasets: [number, number, Buffer][] = [[2, 0, Buffer.from([0, 4])]];
    if (exif.Artist) datasets.push([2, 80, encodeCp1252(exif.Artist)]);
    if (exif.CopyrightNotice) datasets.push([2, 116, encodeCp1252(exif.CopyrightNotice)]);
    segments.push({ marker: 0xed, payload: photoshopBlock(iim(datasets)) });
  }
  return segments;
}

// Builds EXIF (TIFF IFD0 + Exif IFD) and IPTC (Photoshop APP13) blocks byte by byte, as cameras and editors write them
// (libvips, which renders the universe, writes only its own ASCII/UTF-8 style).

/** Windows-1252 bytes of a string, as Windows tools and many cameras write text tags; unmappable characters become '?'. */
export function encodeCp1252(text: string): Buffer {
  const high =
    '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
  return Buffer.from(
    Array.from(text, (ch) => {
      const c = ch.codePointAt(0)!;
      if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) return c;
      const i = high.indexOf(ch);
      return i >= 0 ? 0x80 + i : 0x3f;
    }),
  );
}

export type IfdEntry = { tag: number; type: 1 | 2 | 4 | 7; bytes: Buffer };

/** ASCII tag value as written: the given bytes plus a NUL terminator (Nikon and Canon pad with NULs too). */
export const ascii = (tag: number, bytes: Buffer | string, pad = 0): IfdEntry => ({
  tag,
  type: 2,
  bytes: Buffer.concat([
    typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes,
    Buffer.alloc(1 + pad),
  ]),
});
/** Windows Explorer's XP* tags: BYTE array of UCS-2 LE with a two-byte NUL terminator, in every byte order. */
export const xp = (tag: number, text: string): IfdEntry => ({
  tag,
  type: 1,
  bytes: Buffer.concat([Buffer.from(text, 'utf16le'), Buffer.alloc(2)]),
});
export const undefinedTag = (tag: number, bytes: Buffer): IfdEntry => ({ tag, type: 7, bytes });

function ifd(entries: IfdEntry[], start: number, be: boolean, next = 0): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const head = Buffer.alloc(2 + sorted.length * 12 + 4);
  const u16 = (b: Buffer, v: number, at: number) => (be ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at));
  const u32 = (b: Buffer, v: number, at: number) => (be ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
  u16(head, sorted.length, 0);
  const data: Buffer[] = [];
  let dataAt = start + head.length;
  sorted.forEach((e, i) => {
    const at = 2 + i * 12;
    u16(head, e.tag, at);
    u16(head, e.type, at + 2);
    u32(head, e.type === 4 ? e.bytes.length / 4 : e.bytes.length, at + 4);
    if (e.bytes.length <= 4) e.bytes.copy(head, at + 8);
    else {
      u32(head, dataAt, at + 8);
      const padded = e.bytes.length % 2 ? Buffer.concat([e.bytes, Buffer.alloc(1)]) : e.bytes;
      data.push(padded);
      dataAt += padded.length;
    }
  });
  u32(head, next, head.length - 4);
  return Buffer.concat([head, ...data]);
}

const long = (tag: number, v: number, be: boolean): IfdEntry => {
  const b = Buffer.alloc(4);
  if (be) b.writeUInt32BE(v);
  else b.writeUInt32LE(v);
  return { tag, type: 4, bytes: b };
};

/** "Exif\0\0" + TIFF header ("II*\0" or "MM\0*") + IFD0 (+ an Exif sub-IFD when `exifIfd` has entries). */
export function exifBlock(
  ifd0: IfdEntry[],
  opts: { bigEndian?: boolean; exifIfd?: IfdEntry[] } = {},
): Buffer {
  const be = opts.bigEndian ?? false;
  const tiff = Buffer.from(be ? [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8] : [0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]);
  const sub = opts.exifIfd ?? [];
  // Lay IFD0 out once to learn its size, then again with the pointer to the Exif IFD after it.
  const pointer = sub.length ? [long(0x8769, 0, be)] : [];
  const size = ifd([...ifd0, ...pointer], 8, be).length;
  const entries = sub.length ? [...ifd0, long(0x8769, 8 + size, be)] : ifd0;
  const first = ifd(entries, 8, be);
  const parts = [Buffer.from('Exif\0\0', 'latin1'), tiff, first];
  if (sub.length) parts.push(ifd(sub, 8 + first.length, be));
  return Buffer.concat(parts);
}

/** IPTC-IIM datasets: 0x1C, record, dataset, 16-bit length, value. */
export function iim(datasets: [record: number, dataset: number, value: Buffer | string][]): Buffer {
  return Buffer.concat(
    datasets.map(([r, d, v]) => {
      const value = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
      const head = Buffer.from([0x1c, r, d, 0, 0]);
      head.writeUInt16BE(value.length, 3);
      return Buffer.concat([head, value]);
    }),
  );
}

/** Photoshop's APP13 payload: "Photoshop 3.0\0", then 8BIM resources; IPTC is resource 0x0404 with an empty name. */
export function photoshopBlock(iptc: Buffer, extra: { id: number; data: Buffer }[] = []): Buffer {
  const resource = (id: number, data: Buffer) => {
    const head = Buffer.alloc(12);
    head.write('8BIM', 0, 'latin1');
    head.writeUInt16BE(id, 4);
    // Empty Pascal name: length byte 0 plus a pad byte to keep it even.
    head.writeUInt32BE(data.length, 8);
    return Buffer.concat([head, data, Buffer.alloc(data.length % 2)]);
  };
  return Buffer.concat([
    Buffer.from('Photoshop 3.0\0', 'latin1'),
    ...extra.map((e) => resource(e.id, e.data)),
    resource(0x0404, iptc),
  ]);
}

/** Inserts APPn segments right after a JPEG's SOI marker, where cameras and editors put them. */
export function withSegments(jpeg: Buffer, segments: { marker: number; payload: Buffer }[]): Buffer {
  const parts = segments.map(({ marker, payload }) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(payload.length + 2, 2);
    return Buffer.concat([head, payload]);
  });
  return Buffer.concat([jpeg.subarray(0, 2), ...parts, jpeg.subarray(2)]);
}

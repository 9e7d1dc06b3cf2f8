// Reads the rights fields of IPTC-IIM records (as Photoshop stores them in APP13) into text.
import { decodeLegacyText, tidyText } from './exifText.ts';

/** Dataset (record 2) → field name. 2:116 is the IPTC copyright notice; the others name who holds rights. */
const DATASETS: Record<number, string> = {
  116: 'IPTC CopyrightNotice',
  80: 'IPTC By-line',
  110: 'IPTC Credit',
  120: 'IPTC Caption-Abstract',
  40: 'IPTC SpecialInstructions',
};

/** ESC % G in dataset 1:90 (CodedCharacterSet) declares UTF-8; without it, exiftool reads Latin-1/cp1252. */
const UTF8_MARK = Buffer.from([0x1b, 0x25, 0x47]);

/** The IIM stream inside a Photoshop image-resource block (8BIM resource 0x0404), or the input when it is bare IIM. */
export function iimStream(block: Buffer): Buffer | null {
  if (block[0] === 0x1c) return block;
  let i = block.indexOf('8BIM');
  while (i >= 0 && i + 12 <= block.length) {
    const id = block.readUInt16BE(i + 4);
    const nameLen = block[i + 6];
    // The resource name is a Pascal string padded to an even length (length byte included).
    const sizeAt = i + 6 + ((nameLen + 2) & ~1);
    if (sizeAt + 4 > block.length) return null;
    const size = block.readUInt32BE(sizeAt);
    const dataAt = sizeAt + 4;
    if (id === 0x0404) return block.subarray(dataAt, Math.min(block.length, dataAt + size));
    i = block.indexOf('8BIM', dataAt + size + (size % 2));
  }
  return null;
}

export function iptcFields(block: Buffer): Record<string, string> {
  const iim = iimStream(block);
  const out: Record<string, string> = {};
  if (!iim) return out;
  const values: [number, number, Buffer][] = [];
  for (let i = 0; i + 5 <= iim.length && iim[i] === 0x1c; ) {
    const record = iim[i + 1];
    const dataset = iim[i + 2];
    const len = iim.readUInt16BE(i + 3);
    // Extended (> 32767 bytes) datasets hold images, never the short texts read here: stop at one.
    if (len & 0x8000) break;
    values.push([record, dataset, iim.subarray(i + 5, i + 5 + len)]);
    i += 5 + len;
  }
  const utf8 = values.some(([r, d, v]) => r === 1 && d === 90 && v.equals(UTF8_MARK));
  for (const [record, dataset, value] of values) {
    const name = record === 2 ? DATASETS[dataset] : undefined;
    if (!name) continue;
    const text = tidyText(utf8 ? value.toString('utf8') : decodeLegacyText(value));
    // Repeatable datasets (By-line) are joined, as exiftool lists them.
    if (text) out[name] = out[name] ? `${out[name]}; ${text}` : text;
  }
  return out;
}

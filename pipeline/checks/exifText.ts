// Decodes metadata text bytes the way exiftool does: UTF-8 when the bytes are valid UTF-8, else Windows-1252.
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Windows-1252's 0x80–0x9F (Node's 'windows-1252' decoder maps them to C1 controls); the five holes stay as they are. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function cp1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

/** Cameras and Windows tools write EXIF ASCII tags in the local code page: © is often the single byte 0xA9. */
export function decodeLegacyText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return cp1252(bytes);
  }
}

/**
 * Tidies a decoded tag: trailing NULs dropped; an inner NUL separates EXIF Copyright's photographer and
 * editor notices (EXIF 2.3 §4.6.5), so it becomes a line break rather than cutting the text.
 */
export function tidyText(s: string): string | undefined {
  return s.replace(/\0+$/, '').replace(/\0+/g, '\n').trim() || undefined;
}

/** Windows XP* tags (BYTE arrays of UCS-2 little-endian, whatever the file's byte order). */
export function decodeUcs2(bytes: Uint8Array): string | undefined {
  const even = bytes.length - (bytes.length % 2);
  return tidyText(Buffer.from(bytes.buffer, bytes.byteOffset, even).toString('utf16le'));
}

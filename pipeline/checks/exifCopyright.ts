// EXIF copyright check: fails photos whose original's EXIF/XMP text states a reuse restriction.
import { classifyText, VERSION as TEXT_VERSION } from './copyrightText.ts';
import type { ExifReadResult } from './exifRead.ts';
import type { CheckOutcome } from '../../lib/domain/checkOutcome.ts';

export const NAME = 'exif_copyright';
// 2: cp1252 for non-UTF-8 bytes, XP tags always little-endian, IPTC rights read.
export const VERSION = `2:${TEXT_VERSION}`;

export function evaluate(read: ExifReadResult): CheckOutcome {
  if (!read.ok) return { verdict: 'error', score: null, details: { kind: read.kind, message: read.message } };
  const base = { source: read.source, ...(read.source === 'none' ? { reason: read.reason } : {}) };
  for (const [field, value] of Object.entries(read.fields)) {
    if (field === 'XMP xmpRights:Marked') {
      if (/^true$/i.test(value))
        return {
          verdict: 'fail',
          score: 1,
          details: { ...base, field, value, phrase: 'xmpRights:Marked=True (rights-managed)' },
        };
      continue;
    }
    const c = classifyText(value);
    if (c.restricted)
      return {
        verdict: 'fail',
        score: 1,
        details: { ...base, field, value, phrase: c.matches[0].phrase, rule: c.matches[0].rule },
      };
  }
  // A Copyright tag is itself a claim: with a bare name and no statement of freedom, a reviewer should look.
  const claim = read.fields.Copyright;
  if (claim && classifyText(claim).freedoms.length === 0) {
    return {
      verdict: 'uncertain',
      score: 0.5,
      details: { ...base, field: 'Copyright', value: claim, phrase: claim },
    };
  }
  return {
    verdict: 'pass',
    score: 0,
    details: { ...base, ...(Object.keys(read.fields).length ? { fields: read.fields } : {}) },
  };
}

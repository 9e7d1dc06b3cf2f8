// Copyright-text check: finds reuse restrictions in a photo's title, description and tags (and in EXIF text), ignoring statements of freedom.
import { configHash } from './version.ts';
import { FREEDOM, RESTRICTION } from './copyrightPhrases.ts';
import { htmlToText } from './textNormalize.ts';
import type { CheckOutcome } from '../../lib/domain/checkOutcome.ts';

export const NAME = 'copyright_text';
export const VERSION = `1:${configHash([...FREEDOM, ...RESTRICTION].map((r) => `${r.id}=${r.re.source}`))}`;

export type PhraseMatch = { rule: string; phrase: string };
export type Classification = { restricted: boolean; matches: PhraseMatch[]; freedoms: PhraseMatch[] };

/** Blank out every statement of freedom (same length, so offsets stay valid) and list them. */
function maskFreedom(text: string): { masked: string; freedoms: PhraseMatch[] } {
  const freedoms: PhraseMatch[] = [];
  let masked = text;
  for (const rule of FREEDOM) {
    masked = masked.replace(rule.re, (m) => {
      freedoms.push({ rule: rule.id, phrase: m.trim() });
      return ' '.repeat(m.length);
    });
  }
  return { masked, freedoms };
}

/** Classifies plain text (decode HTML first with htmlToText). Evidence phrases are cut from the original text. */
export function classifyText(text: string): Classification {
  const { masked, freedoms } = maskFreedom(text);
  const found: (PhraseMatch & { at: number })[] = [];
  for (const rule of RESTRICTION) {
    rule.re.lastIndex = 0;
    const m = rule.re.exec(masked);
    if (m)
      found.push({ rule: rule.id, phrase: text.slice(m.index, m.index + m[0].length).trim(), at: m.index });
  }
  // Evidence in reading order: the first restriction a reviewer would read comes first.
  const matches = found.sort((a, b) => a.at - b.at).map(({ rule, phrase }) => ({ rule, phrase }));
  return { restricted: matches.length > 0, matches, freedoms };
}

/** Flickr tags are lower-cased and space-less: also read them as words ("all-rights-reserved" → "all rights reserved"). */
export function tagsToText(tags: string): string {
  return tags
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => t.replace(/[-_]+/g, ' '))
    .join('\n');
}

export type TextFields = { title: string; description: string; tags: string };

export type TextEvidence = { field: string; rule: string; phrase: string };

export function evaluate(photo: TextFields): CheckOutcome {
  const fields: [string, string][] = [
    ['title', htmlToText(photo.title)],
    ['description', htmlToText(photo.description)],
    ['tags', tagsToText(photo.tags)],
  ];
  const found: TextEvidence[] = [];
  const freedoms: TextEvidence[] = [];
  for (const [field, text] of fields) {
    if (!text) continue;
    const c = classifyText(text);
    for (const m of c.matches) found.push({ field, ...m });
    for (const f of c.freedoms) freedoms.push({ field, ...f });
  }
  if (found.length === 0) return { verdict: 'pass', score: 0, details: freedoms.length ? { freedoms } : {} };
  return {
    verdict: 'fail',
    score: 1,
    details: {
      phrase: found[0].phrase,
      field: found[0].field,
      matches: found,
      ...(freedoms.length ? { freedoms } : {}),
    },
  };
}

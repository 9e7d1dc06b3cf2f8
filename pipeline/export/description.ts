// A photo's description for the dataset: Flickr's HTML as plain text, for captioning (title, description, tags).
import { decodeEntities } from '../checks/textNormalize.ts';

/**
 * Tags removed (line and paragraph breaks kept as line breaks), entities decoded, runs of spaces collapsed.
 * Unlike the copyright check's htmlToText, no NFKC: the dataset keeps the characters people typed.
 */
export function descriptionText(html: string): string {
  if (!html) return '';
  const noTags = html
    // A <br> already followed by a line break in the source is one break, not two.
    .replace(/<\s*br\b[^>]*>[ \t]*\r?\n?/gi, '\n')
    .replace(/<\s*(\/p|\/div|\/li|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  // Twice, as htmlToText does: Flickr sends some descriptions entity-encoded twice (&amp;quot;).
  return decodeEntities(decodeEntities(noTags))
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

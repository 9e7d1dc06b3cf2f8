// Word lists and text makers for synthetic titles, descriptions, tags and planted copyright phrases.
import type { Rng } from '../random.ts';

const FIRST = [
  'Anna',
  'Ben',
  'Carla',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemal',
  'Lena',
  'Marco',
  'Nadia',
  'Oscar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Victor',
  'Wen',
  'Yara',
] as const;
const LAST = [
  'Alder',
  'Brook',
  'Castell',
  'Dunmore',
  'Eriksen',
  'Fontaine',
  'Garcia',
  'Holm',
  'Ivanova',
  'Jansen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Novak',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Silva',
  'Tanaka',
] as const;
const ADJ = [
  'misty',
  'golden',
  'quiet',
  'old',
  'northern',
  'wild',
  'urban',
  'coastal',
  'autumn',
  'hidden',
] as const;
const NOUN = [
  'harbour',
  'valley',
  'bridge',
  'forest',
  'market',
  'lighthouse',
  'meadow',
  'cathedral',
  'river',
  'station',
  'garden',
  'mill',
] as const;
const INSTITUTIONS = ['Library Archive', 'City Museum', 'Survey Office', 'Historical Society'] as const;

export const CAMERAS = [
  ['Canon', 'Canon EOS 5D Mark III'],
  ['NIKON CORPORATION', 'NIKON D750'],
  ['FUJIFILM', 'X-T3'],
  ['SONY', 'ILCE-7M3'],
  ['Apple', 'iPhone 12'],
] as const;

export function personName(rng: Rng): string {
  return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
}

export function username(rng: Rng, index: number): string {
  return rng.chance(0.1)
    ? `${rng.pick(LAST)} ${rng.pick(INSTITUTIONS)}`
    : `${rng.pick(ADJ)}_${rng.pick(NOUN)}${index}`;
}

export function title(rng: Rng, index: number): string {
  if (rng.chance(0.25)) return `IMG_${String(1000 + (index % 9000)).padStart(4, '0')}`;
  if (rng.chance(0.05)) return '';
  const adj = rng.pick(ADJ);
  return `${adj[0].toUpperCase()}${adj.slice(1)} ${rng.pick(NOUN)}`;
}

export function tags(rng: Rng): string {
  const n = rng.int(0, 5);
  const out = new Set<string>();
  for (let i = 0; i < n; i++) out.add(rng.chance(0.5) ? rng.pick(NOUN) : rng.pick(ADJ));
  if (rng.chance(0.2)) out.add(`${rng.pick(ADJ)}${rng.pick(NOUN)}`);
  return [...out].join(' ');
}

/** Plain descriptions in Flickr's HTML: entities, anchors with rel="noreferrer nofollow", newlines. */
export function description(rng: Rng): string {
  const forms = [
    () => '',
    () => `Taken near the ${rng.pick(ADJ)} ${rng.pick(NOUN)}&#8230; what a morning.`,
    () =>
      `Fish &amp; chips by the ${rng.pick(NOUN)}.\n\nMore on <a href="https://example.org/${rng.pick(NOUN)}" rel="noreferrer nofollow">my blog</a>&nbsp;:)`,
    () =>
      `Scanned from a ${1900 + rng.int(0, 90)} print.&nbsp;Part of the &quot;${rng.pick(NOUN)}&quot; series.`,
    () => `<b>${rng.pick(ADJ)}</b> light over the ${rng.pick(NOUN)}`,
  ];
  return rng.pick(forms)();
}

/** Notices that restrict reuse; the copyright check must catch every one. */
export function copyrightPhrase(rng: Rng, name: string, year: number): string {
  return rng.pick([
    `© ${year} ${name}. All rights reserved.`,
    `&copy; ${name} ${year}`,
    `Copyright ${year} ${name} - do not use without permission`,
    'All Rights Reserved',
    'Please do not use this image without my written permission.',
    `(c) ${name}, reproduction prohibited`,
  ]);
}

/** Phrases that mention rights but do not restrict anything; the copyright check must let them pass. */
export function decoyPhrase(rng: Rng): string {
  return rng.pick([
    'No known copyright restrictions',
    'CC0 — no rights reserved',
    'CC0 &mdash; no rights reserved',
    'Public domain: no rights reserved, use freely.',
    'Released under CC0 1.0 Universal (no copyright).',
  ]);
}

/** Wrap a planted phrase in a realistic description. */
export function withPhrase(rng: Rng, base: string, phrase: string): string {
  if (!base) return phrase;
  return rng.chance(0.5) ? `${base}\n\n${phrase}` : `${phrase}\n${base}`;
}

export function watermarkText(rng: Rng, name: string, year: number): string {
  return rng.pick([
    `© ${name}`,
    `${name.split(' ')[1] ?? name} Photography`,
    `© ${year} ${name.split(' ')[0]}`,
    `${name.toLowerCase().replace(/\s+/g, '')}.com`,
  ]);
}

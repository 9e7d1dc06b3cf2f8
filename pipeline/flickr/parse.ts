// Reads Flickr's raw search JSON (strings vs numbers as Flickr really sends them) into typed PhotoRecords.
import { z } from 'zod';
import type { PhotoRecord, Sizes } from '../../lib/domain/photoRecord.ts';
import type { SearchPage } from './types.ts';

/** Flickr sends some numbers as strings, some as numbers, and a few as either. */
const numberish = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number);

type Raw = Record<string, unknown>;

class FieldError extends Error {}

// Per-photo fields are read by hand rather than by a zod schema: at 500 photos a page, schema
// parsing cost more than the database upsert (see test/bench/ingest.ts).
function num(raw: Raw, key: string): number | undefined {
  const v = raw[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

function requiredNum(raw: Raw, key: string): number {
  const v = num(raw, key);
  if (v === undefined)
    throw new FieldError(`${key}: expected a number or a string of digits, got ${JSON.stringify(raw[key])}`);
  return v;
}

function str(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  return typeof v === 'string' ? v : undefined;
}

function requiredStr(raw: Raw, key: string, pattern?: RegExp): string {
  const v = raw[key];
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !s || (pattern && !pattern.test(s)))
    throw new FieldError(`${key}: expected a string, got ${JSON.stringify(v)}`);
  return s;
}

const envelope = z.object({
  photos: z.object({
    page: numberish,
    pages: numberish,
    perpage: numberish,
    total: numberish,
    photo: z.array(z.unknown()),
  }),
  stat: z.literal('ok'),
});

const DATE_TAKEN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Flickr's datetaken, or null for "0000-00-00 00:00:00" and other impossible dates. */
export function parseDateTaken(value: string | undefined): string | null {
  const m = value ? DATE_TAKEN.exec(value) : null;
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const valid =
    y >= 1800 &&
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60;
  return valid ? value! : null;
}

// Search extras: url_<extra> with width_<extra>/height_<extra>; url_l is the `_b` rendition.
const URL_EXTRAS = [
  ['o', 'o'],
  ['k', 'k'],
  ['h', 'h'],
  ['l', 'b'],
  ['b', 'b'],
  ['c', 'c'],
  ['z', 'z'],
  ['m', 'm'],
] as const;

function sizesAndUrls(raw: Raw): { sizes: Sizes; urls: Partial<Record<keyof Sizes, string>> } {
  const sizes: Sizes = {};
  const urls: Partial<Record<keyof Sizes, string>> = {};
  for (const [extra, key] of URL_EXTRAS) {
    const url = raw[`url_${extra}`];
    if (typeof url !== 'string' || !url || urls[key]) continue;
    urls[key] = url;
    const w = Number(raw[`width_${extra}`]);
    const h = Number(raw[`height_${extra}`]);
    if (w > 0 && h > 0) sizes[key] = [w, h];
  }
  return { sizes, urls };
}

/** The 500 px rendition has no suffix; when a larger one exists, its URL is that one's minus the suffix. */
function deriveMedium(
  p: { id: string; secret: string; server: string },
  sizes: Sizes,
  urls: Partial<Record<keyof Sizes, string>>,
): void {
  if (urls.m) return;
  const larger = (['z', 'c', 'b', 'h', 'k'] as const).find((k) => urls[k]);
  if (!larger) return;
  urls.m = `${new URL(urls[larger]!).origin}/${p.server}/${p.id}_${p.secret}.jpg`;
  // The original's dimensions round the most faithfully; else scale the larger rendition.
  const [w, h] = sizes.o ?? sizes[larger] ?? [0, 0];
  if (w && h) {
    const f = 500 / Math.max(w, h);
    sizes.m = [Math.round(w * f), Math.round(h * f)];
  }
}

/** One raw search photo as a PhotoRecord; throws (with the field) when a required field is missing or malformed. */
export function toPhotoRecord(input: unknown): PhotoRecord {
  if (typeof input !== 'object' || input === null) throw new FieldError('photo: expected an object');
  const raw = input as Raw;
  const p = {
    id: requiredStr(raw, 'id', /^\d+$/),
    secret: requiredStr(raw, 'secret'),
    server: requiredStr(raw, 'server'),
  };
  const owner = requiredStr(raw, 'owner');
  const license = requiredNum(raw, 'license');
  const dateupload = requiredNum(raw, 'dateupload');
  const description = raw.description as { _content?: unknown } | undefined;
  const { sizes, urls } = sizesAndUrls(raw);
  const ow = num(raw, 'o_width');
  const oh = num(raw, 'o_height');
  const hasOriginal = ow !== undefined && oh !== undefined && ow > 0 && oh > 0;
  if (hasOriginal && !sizes.o) sizes.o = [ow, oh];
  deriveMedium(p, sizes, urls);
  return {
    id: p.id,
    ownerNsid: owner,
    ownerName: str(raw, 'ownername') ?? null,
    secret: p.secret,
    server: p.server,
    farm: num(raw, 'farm') ?? null,
    title: str(raw, 'title') ?? '',
    description: typeof description?._content === 'string' ? description._content : '',
    tags: str(raw, 'tags') ?? '',
    license,
    dateUpload: new Date(dateupload * 1000),
    dateTaken: parseDateTaken(str(raw, 'datetaken')),
    dateTakenGranularity: num(raw, 'datetakengranularity') ?? null,
    dateTakenUnknown: num(raw, 'datetakenunknown') === 1,
    originalWidth: hasOriginal ? ow : null,
    originalHeight: hasOriginal ? oh : null,
    originalFormat: str(raw, 'originalformat') ?? null,
    originalSecret: str(raw, 'originalsecret') ?? null,
    urlO: urls.o ?? null,
    urlB: urls.b ?? null,
    urlC: urls.c ?? null,
    urlZ: urls.z ?? null,
    urlM: urls.m ?? null,
    sizes,
    views: num(raw, 'views') ?? null,
  };
}

/** A search answer as a typed page; a malformed photo is skipped with its reason, a malformed envelope throws. */
export function parseSearchPage(json: unknown): SearchPage {
  const env = envelope.parse(json);
  const photos: PhotoRecord[] = [];
  const skipped: SearchPage['skipped'] = [];
  for (const raw of env.photos.photo) {
    try {
      photos.push(toPhotoRecord(raw));
    } catch (e) {
      const id = (raw as { id?: unknown })?.id;
      if (!(e instanceof FieldError)) throw e;
      skipped.push({ id: typeof id === 'string' ? id : null, reason: e.message });
    }
  }
  return {
    page: env.photos.page,
    pages: env.photos.pages,
    perPage: env.photos.perpage,
    total: env.photos.total,
    photos,
    skipped,
  };
}

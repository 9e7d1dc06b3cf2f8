// flickr.photos.search over a universe: Flickr's filters, sort orders, extras, JSON quirks and its ~4,000-result cap.
import type { UniversePhoto } from '../universe/types.ts';
import type { UniverseIndex } from './universeIndex.ts';
import { imageUrl, renditions } from './sizes.ts';
import { FlickrFailure } from './failure.ts';

export type SearchOptions = { origin: string; resultCap: number };

const LEGACY_CONTENT_TYPES: Record<string, number[]> = {
  1: [0],
  2: [1],
  3: [2],
  4: [0, 1],
  5: [1, 2],
  6: [0, 2],
  7: [0, 1, 2],
};

function parseDate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  // MySQL datetime, which Flickr also accepts.
  const t = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

function intList(value: string | undefined): number[] | undefined {
  if (value === undefined || value === '') return undefined;
  return value
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n));
}

function lowerBound(photos: UniversePhoto[], t: number): number {
  let lo = 0;
  let hi = photos.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (photos[mid].dateUpload < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const byId = (a: UniversePhoto, b: UniversePhoto) =>
  a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function sorted(list: UniversePhoto[], sort: string): UniversePhoto[] {
  switch (sort) {
    case 'date-posted-asc':
      return list; // the index is already in upload order
    case 'date-taken-asc':
      return [...list].sort((a, b) => a.dateTaken.localeCompare(b.dateTaken) || byId(a, b));
    case 'date-taken-desc':
      return [...list].sort((a, b) => b.dateTaken.localeCompare(a.dateTaken) || byId(b, a));
    case 'interestingness-desc':
      return [...list].sort((a, b) => b.views - a.views || byId(a, b));
    case 'interestingness-asc':
      return [...list].sort((a, b) => a.views - b.views || byId(a, b));
    default:
      return [...list].reverse(); // date-posted-desc and relevance
  }
}

export function matching(index: UniverseIndex, p: Record<string, string>): UniversePhoto[] {
  const licenses = intList(p.license);
  const min = parseDate(p.min_upload_date);
  const max = parseDate(p.max_upload_date);
  if (!licenses && min === undefined && max === undefined && !p.user_id && !p.text && !p.tags) {
    throw new FlickrFailure(
      3,
      'Parameterless searches have been disabled. Please use flickr.photos.getRecent instead.',
    );
  }
  // Unauthenticated calls see safe content only, whatever safe_search asks for.
  const types = intList(p.content_types) ??
    (p.content_type ? LEGACY_CONTENT_TYPES[p.content_type] : undefined) ?? [0, 1, 2, 3];
  const media = p.media ?? 'all';
  const tags = p.tags
    ? p.tags
        .toLowerCase()
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
    : undefined;
  const text = p.text?.toLowerCase();
  const { photos } = index;
  const from = min === undefined ? 0 : lowerBound(photos, min);
  const to = max === undefined ? photos.length : lowerBound(photos, max + 1);
  const out: UniversePhoto[] = [];
  for (let i = from; i < to; i++) {
    const ph = photos[i];
    if (licenses && !licenses.includes(ph.license)) continue;
    if (ph.safety !== 1 || !types.includes(ph.contentType)) continue;
    if (media !== 'all' && `${ph.media}s` !== media) continue;
    if (p.user_id && ph.owner !== p.user_id) continue;
    if (tags && !tags.some((t) => ph.tags.split(' ').includes(t))) continue;
    if (text && !`${ph.title} ${ph.description} ${ph.tags}`.toLowerCase().includes(text)) continue;
    out.push(ph);
  }
  return sorted(out, p.sort ?? 'date-posted-desc');
}

/** One photo as the search API shows it: strings where Flickr sends strings, only the extras asked for. */
export function photoJson(
  index: UniverseIndex,
  ph: UniversePhoto,
  extras: Set<string>,
  origin: string,
): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: ph.id,
    owner: ph.owner,
    secret: ph.secret,
    server: ph.server,
    farm: ph.farm,
    title: ph.title,
    ispublic: 1,
    isfriend: 0,
    isfamily: 0,
  };
  if (extras.has('license')) o.license = String(ph.license);
  if (extras.has('description')) o.description = { _content: ph.description };
  if (extras.has('o_dims') && !ph.originalHidden) {
    o.o_width = String(ph.width);
    o.o_height = String(ph.height);
  }
  if (extras.has('date_upload')) o.dateupload = String(ph.dateUpload);
  if (extras.has('date_taken')) {
    o.datetaken = ph.dateTaken;
    // Real responses carry this one both as a number and as a string.
    o.datetakengranularity =
      Number(ph.id.slice(-1)) % 2 ? ph.dateTakenGranularity : String(ph.dateTakenGranularity);
    o.datetakenunknown = ph.dateTakenUnknown ? '1' : '0';
  }
  if (extras.has('owner_name')) {
    const a = index.accounts.get(ph.owner);
    o.ownername = a?.realName || a?.username || '';
  }
  if (extras.has('views')) o.views = String(ph.views);
  if (extras.has('tags')) o.tags = ph.tags;
  if (extras.has('original_format') && !ph.originalHidden) {
    o.originalsecret = ph.originalSecret;
    o.originalformat = ph.originalFormat;
  }
  if (extras.has('media')) {
    o.media = ph.media;
    o.media_status = 'ready';
  }
  for (const r of renditions(ph)) {
    if (!extras.has(`url_${r.extra}`)) continue;
    o[`url_${r.extra}`] = imageUrl(origin, ph, r);
    o[`height_${r.extra}`] = r.height;
    o[`width_${r.extra}`] = r.width;
  }
  return o;
}

export function searchResponse(
  index: UniverseIndex,
  p: Record<string, string>,
  opts: SearchOptions,
): Record<string, unknown> {
  const list = matching(index, p);
  const perPage = Math.min(500, Math.max(1, Number(p.per_page) || 100));
  const page = Math.max(1, Number(p.page) || 1);
  const pages = Math.ceil(list.length / perPage);
  const extras = new Set(
    (p.extras ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const cap = Math.max(1, Math.min(opts.resultCap, list.length));
  const photo: Record<string, unknown>[] = [];
  if (page <= pages) {
    for (let i = (page - 1) * perPage; i < Math.min(page * perPage, list.length); i++) {
      // Past the cap Flickr serves earlier results again instead of new ones.
      photo.push(photoJson(index, list[i % cap], extras, opts.origin));
    }
  }
  return { photos: { page, pages, perpage: perPage, total: String(list.length), photo }, stat: 'ok' };
}

// flickr.photos.search for the crawl: eligible licenses, safe photos only, every extra the dataset needs.
import { z } from 'zod';
import type { FlickrClient } from './client.ts';
import { FlickrApiError } from './errors.ts';
import { parseSearchPage } from './parse.ts';
import type { SearchPage } from './types.ts';

export const SEARCH_EXTRAS = [
  'description',
  'license',
  'date_upload',
  'date_taken',
  'owner_name',
  'o_dims',
  'original_format',
  'tags',
  'views',
  'url_o',
  'url_l',
  'url_c',
  'url_z',
  'url_m',
] as const;

export type SearchQuery = {
  licenses: readonly number[];
  minUpload: number;
  maxUpload: number;
  page: number;
  perPage: number;
};

export function searchParams(q: SearchQuery): Record<string, string> {
  return {
    license: q.licenses.join(','),
    min_upload_date: String(q.minUpload),
    max_upload_date: String(q.maxUpload),
    safe_search: '1',
    // content_types (plural) is current; the singular content_type is deprecated.
    content_types: '0',
    media: 'photos',
    sort: 'date-posted-asc',
    per_page: String(q.perPage),
    page: String(q.page),
    extras: SEARCH_EXTRAS.join(','),
  };
}

export async function searchPhotos(
  client: FlickrClient,
  q: SearchQuery,
  signal?: AbortSignal,
): Promise<SearchPage> {
  const params = searchParams(q);
  const json = await client.call('flickr.photos.search', params, signal);
  try {
    return parseSearchPage(json);
  } catch (e) {
    if (!(e instanceof z.ZodError)) throw e;
    throw new FlickrApiError(
      `Malformed search answer: ${e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { method: 'flickr.photos.search', params },
    );
  }
}

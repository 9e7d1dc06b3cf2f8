// Every exclusion reason's label for people, in one place; the keys themselves (FIXED_REASONS, `check:<name>`) stay in
// the data and the export manifest. A reason added to FIXED_REASONS without a label here fails the type-check.
import { CHECKS, isCheckName } from './checks.ts';
import type { FIXED_REASONS } from './inclusion.ts';

const FIXED: Record<(typeof FIXED_REASONS)[number], string> & Record<string, string> = {
  license: 'License not allowed',
  not_fetched: 'Not fetched yet',
  unavailable: 'Unavailable (deleted)',
  fetch_error: 'Fetch failed',
  account_rejected: 'Account rejected',
  account_watermark: 'Account watermarks its photos',
};

export function reasonLabel(reason: string): string {
  if (reason.startsWith('check:')) {
    const name = reason.slice(6);
    return isCheckName(name) ? `Failed: ${CHECKS[name].label}` : `Failed: ${name}`;
  }
  return FIXED[reason] ?? reason;
}

// Why a photo's fetch or analysis failed in a run (run_stages.failures_by_kind keys), for people.
const FAILURE_KINDS: Record<string, string> = {
  no_url: 'no image URL',
  unavailable: 'removed from Flickr',
  corrupt: 'corrupt image',
  not_image: 'not an image',
  too_large: 'image too large',
  forbidden_host: 'image host not allowed',
  timeout: 'timed out',
  http_error: 'HTTP error',
  network: 'network error',
  flickr_api: 'Flickr API refused',
  unreadable: 'unreadable image',
};

export function failureKindLabel(kind: string): string {
  return FAILURE_KINDS[kind] ?? kind.replace(/_/g, ' ');
}

/**
 * Why a photo has no stored image, for the tile that would show its thumbnail; null when it has one. Fetch errors are
 * stored as `<kind>: <message>` (saveFetchOutcomes), so the kind gives the label.
 */
export function noImageReason(p: {
  contentHash: string | null;
  availability: string;
  fetchError: string | null;
}): string | null {
  if (p.contentHash) return null;
  if (p.availability === 'unknown') return 'Not downloaded yet';
  if (p.availability === 'unavailable') return 'Gone from Flickr (deleted or private)';
  if (p.availability === 'error') {
    const kind = p.fetchError?.split(':')[0]?.trim();
    return `Download failed: ${kind ? failureKindLabel(kind) : 'no reason recorded'}`;
  }
  return 'No stored image';
}

// What the fetch stage records per photo: the pipeline produces these, lib/queries/analysis.ts stores them.

/** A photo's image URLs and rendition sizes as ingest stored them. */
export type PhotoUrls = {
  urlB: string | null;
  urlC: string | null;
  urlZ: string | null;
  urlM: string | null;
  urlO: string | null;
  /** { o: [w, h], b: [w, h], ... } as stored by ingest. */
  sizes: unknown;
};

export type FetchPhotoInput = PhotoUrls & { id: string };

export type FetchErrorKind =
  | 'corrupt'
  | 'not_image'
  | 'too_large'
  | 'forbidden_host'
  | 'timeout'
  | 'http_error'
  | 'network'
  | 'no_url';

export type FetchOutcome =
  | {
      id: string;
      status: 'available';
      contentHash: string;
      width: number;
      height: number;
      phash: bigint;
      phashWindows: bigint[];
    }
  | { id: string; status: 'unavailable'; message: string }
  | { id: string; status: 'error'; kind: FetchErrorKind; message: string };

/** Errors that a later run should try again (the image may come back); the others are final. */
export const TRANSIENT_KINDS: readonly FetchErrorKind[] = ['timeout', 'http_error', 'network'];

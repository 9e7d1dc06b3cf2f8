// Typed Flickr failures: a bad key stops the run, transient ones are retried, the rest are recorded with their request.

export type RequestInfo = { method: string; params: Record<string, string> };

/** Request parameters safe to log and store: the API key is never kept. */
export function redact(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params))
    out[k] = k === 'api_key' || k === 'oauth_token' ? '[redacted]' : v;
  return out;
}

export class FlickrError extends Error {
  readonly request: RequestInfo;
  constructor(message: string, request: RequestInfo, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.request = { method: request.method, params: redact(request.params) };
  }
}

/** Code 100: retrying cannot help; the run must stop and say which setting to fix. */
export class FlickrInvalidKeyError extends FlickrError {
  constructor(request: RequestInfo, flickrMessage: string) {
    super(
      `Flickr rejected the API key (code 100: ${flickrMessage}). Set FLICKR_API_KEY to a valid key.`,
      request,
    );
  }
}

/** Code 105, HTTP 429/5xx, timeouts, network errors and cut-short bodies: worth trying again after a pause. */
export class FlickrRetryableError extends FlickrError {
  constructor(
    message: string,
    request: RequestInfo,
    readonly detail: { status?: number; code?: number; retryAfterMs?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, request, options);
  }
}

/** Any other answer Flickr gives (unknown method, not found, permission denied, 4xx...). */
export class FlickrApiError extends FlickrError {
  constructor(
    message: string,
    request: RequestInfo,
    readonly code?: number,
    readonly status?: number,
  ) {
    super(message, request);
  }
}

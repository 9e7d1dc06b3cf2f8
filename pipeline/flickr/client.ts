// Flickr REST client on flickr-sdk: configurable endpoint, shared rate limit, timeouts, typed errors, retries.
import { createFlickr, FetchTransport } from 'flickr-sdk';
import {
  FlickrApiError,
  FlickrError,
  FlickrInvalidKeyError,
  FlickrRetryableError,
  type RequestInfo,
} from './errors.ts';
import { processRateLimiter, type RateLimiter } from './rateLimiter.ts';
import { withRetry, type RetryOptions } from './retry.ts';

export const FLICKR_REST_URL = 'https://api.flickr.com/services/rest';

export type FlickrClientOptions = {
  apiKey: string;
  /** Any Flickr-compatible REST endpoint (FLICKR_API_BASE). */
  apiBase?: string;
  /** Defaults to the process-wide limiter at `ratePerHour` (default 3,600). */
  rateLimiter?: RateLimiter;
  ratePerHour?: number;
  retry?: RetryOptions;
  timeoutMs?: number;
};

export type FlickrClient = {
  /** Calls `method`; resolves to the parsed JSON of a `stat: "ok"` answer. */
  call: (method: string, params: Record<string, string>, signal?: AbortSignal) => Promise<unknown>;
  /** Requests sent (retries included) and retries made, for progress and rate figures. */
  readonly counters: { requests: number; retries: number };
};

/** flickr-sdk hard-codes api.flickr.com; this transport sends its requests to `apiBase` instead. */
class EndpointTransport extends FetchTransport {
  constructor(
    private readonly apiBase: string,
    private readonly request: RequestInfo,
    init: RequestInit,
  ) {
    super(init);
  }

  override async fetch(url: string, init: RequestInit): Promise<Response> {
    const target = new URL(this.apiBase);
    target.search = new URL(url).search;
    let res: Response;
    try {
      res = await fetch(target, init);
    } catch (e) {
      const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new FlickrRetryableError(
        timeout
          ? 'Flickr request timed out'
          : `Network error: ${e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)}`,
        this.request,
        {},
        { cause: e },
      );
    }
    if (res.status === 429 || res.status >= 500) {
      const retryAfter = Number(res.headers.get('retry-after'));
      await res.body?.cancel().catch(() => {});
      throw new FlickrRetryableError(`Flickr answered HTTP ${res.status}`, this.request, {
        status: res.status,
        retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined,
      });
    }
    if (!res.ok)
      throw new FlickrApiError(`Flickr answered HTTP ${res.status}`, this.request, undefined, res.status);
    return res;
  }
}

/** Turn what flickr-sdk throws into one of our typed errors. */
export function classify(e: unknown, request: RequestInfo): FlickrError {
  if (e instanceof FlickrError) return e;
  const cause = (e as { cause?: unknown })?.cause as
    | { stat?: string; code?: number; message?: string }
    | undefined;
  if (cause?.stat === 'fail') {
    const code = Number(cause.code);
    if (code === 100) return new FlickrInvalidKeyError(request, cause.message ?? 'Invalid API Key');
    if (code === 105)
      return new FlickrRetryableError(
        `Flickr: ${cause.message ?? 'Service currently unavailable'} (code 105)`,
        request,
        { code },
      );
    return new FlickrApiError(`Flickr error ${code}: ${cause.message ?? ''}`, request, code);
  }
  if (e instanceof SyntaxError)
    return new FlickrRetryableError(`Malformed Flickr response: ${e.message}`, request, {}, { cause: e });
  if (
    e instanceof Error &&
    (e.name === 'TimeoutError' || e.name === 'AbortError' || e.message === 'terminated')
  ) {
    return new FlickrRetryableError(`Flickr response interrupted: ${e.message}`, request, {}, { cause: e });
  }
  return new FlickrApiError(e instanceof Error ? e.message : String(e), request);
}

export function createFlickrClient(opts: FlickrClientOptions): FlickrClient {
  if (!opts.apiKey)
    throw new Error('FLICKR_API_KEY is not set: get a key at https://www.flickr.com/services/apps/create/');
  const apiBase = opts.apiBase ?? FLICKR_REST_URL;
  const limiter = opts.rateLimiter ?? processRateLimiter(opts.ratePerHour ?? 3600);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const counters = { requests: 0, retries: 0 };

  async function once(
    method: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const request = { method, params: { ...params, api_key: opts.apiKey } };
    await limiter.take(signal);
    counters.requests++;
    const timeout = AbortSignal.timeout(timeoutMs);
    const init = { signal: signal ? AbortSignal.any([signal, timeout]) : timeout };
    const { flickr } = createFlickr(opts.apiKey, new EndpointTransport(apiBase, request, init));
    try {
      return await (flickr as unknown as (m: string, p: Record<string, string>) => Promise<unknown>)(
        method,
        params,
      );
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw classify(e, request);
    }
  }

  return {
    counters,
    call: (method, params, signal) =>
      withRetry(
        () => once(method, params, signal),
        {
          ...opts.retry,
          onRetry: (e, attempt, delay) => {
            counters.retries++;
            opts.retry?.onRetry?.(e, attempt, delay);
          },
        },
        signal,
      ),
  };
}

// Downloads one image over HTTP from allowlisted hosts only: manual redirects, timeout, byte cap, retries with backoff.
import type { HostAllowlist } from './allowlist.ts';

export type DownloadErrorKind =
  | 'unavailable'
  | 'forbidden_host'
  | 'too_large'
  | 'timeout'
  | 'http_error'
  | 'network';

export type DownloadResult =
  | { ok: true; bytes: Buffer; url: string; status: number; contentType: string | null }
  | { ok: false; kind: DownloadErrorKind; message: string; url: string; status?: number };

export type DownloadOptions = {
  allowlist: HostAllowlist;
  timeoutMs: number;
  maxBytes: number;
  /** Extra attempts after a 5xx, 429, timeout or network error. */
  retries?: number;
  /** First backoff delay; doubles per attempt, with full jitter. */
  backoffMs?: number;
  maxRedirects?: number;
  /** Only the first `rangeBytes` bytes (HTTP Range); a server that ignores Range is cut off there. */
  rangeBytes?: number;
  signal?: AbortSignal;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Attempt = DownloadResult & { retryable?: boolean };

export async function download(url: string, opts: DownloadOptions): Promise<DownloadResult> {
  const retries = opts.retries ?? 3;
  const backoff = opts.backoffMs ?? 250;
  let last: Attempt | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(Math.random() * backoff * 2 ** (attempt - 1));
    opts.signal?.throwIfAborted();
    last = await attemptDownload(url, opts);
    if (last.ok || !last.retryable) break;
  }
  const { retryable: _, ...result } = last!;
  return result;
}

async function attemptDownload(start: string, opts: DownloadOptions): Promise<Attempt> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let url = start;
  try {
    for (let hop = 0; ; hop++) {
      if (!opts.allowlist.allows(url))
        return { ok: false, kind: 'forbidden_host', message: `host not allowed: ${safeHost(url)}`, url };
      const headers: Record<string, string> = { accept: 'image/*' };
      if (opts.rangeBytes) headers.range = `bytes=0-${opts.rangeBytes - 1}`;
      const res = await fetch(url, { redirect: 'manual', signal, headers });
      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel();
        const location = res.headers.get('location');
        if (!location || hop >= (opts.maxRedirects ?? 5))
          return {
            ok: false,
            kind: 'http_error',
            message: `bad redirect (${res.status})`,
            url,
            status: res.status,
          };
        url = new URL(location, url).toString();
        continue;
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        return { ok: false, kind: 'unavailable', message: `HTTP ${res.status}`, url, status: res.status };
      }
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel();
        const retryable = res.status >= 500 || res.status === 429;
        return {
          ok: false,
          kind: 'http_error',
          message: `HTTP ${res.status}`,
          url,
          status: res.status,
          retryable,
        };
      }
      return await readBody(res, url, opts);
    }
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (timeout.aborted)
      return {
        ok: false,
        kind: 'timeout',
        message: `no complete answer within ${opts.timeoutMs} ms`,
        url,
        retryable: true,
      };
    return { ok: false, kind: 'network', message: errorMessage(e), url, retryable: true };
  }
}

async function readBody(res: Response, url: string, opts: DownloadOptions): Promise<Attempt> {
  const limit = opts.rangeBytes ?? opts.maxBytes;
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (!opts.rangeBytes && declared > opts.maxBytes) {
    await res.body?.cancel();
    return {
      ok: false,
      kind: 'too_large',
      message: `${declared} bytes declared, limit ${opts.maxBytes}`,
      url,
      status: res.status,
    };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      if (total > limit) {
        // Stop reading at once: a hostile or huge body must not be buffered.
        await reader.cancel();
        if (!opts.rangeBytes)
          return {
            ok: false,
            kind: 'too_large',
            message: `body over ${opts.maxBytes} bytes`,
            url,
            status: res.status,
          };
        break;
      }
    }
  }
  const bytes = Buffer.concat(chunks);
  return {
    ok: true,
    bytes: opts.rangeBytes ? bytes.subarray(0, opts.rangeBytes) : bytes,
    url,
    status: res.status,
    contentType: res.headers.get('content-type'),
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}

function errorMessage(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

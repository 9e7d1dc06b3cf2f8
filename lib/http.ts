// Helpers shared by every API route: parse and validate input, JSON responses, one error mapping.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { databaseUnavailableReason, isBadTextEncoding } from './dbErrors.ts';
import { BadRequestError, ForbiddenError, HttpError, PayloadTooLargeError } from './errors.ts';

/** Largest JSON body any route accepts. */
export const MAX_BODY_BYTES = 1_000_000;

export function json<T>(data: T, init?: ResponseInit): NextResponse {
  return NextResponse.json(data, init);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}

/**
 * The path of the first string (value or key) holding a NUL character, or null. PostgreSQL cannot store U+0000 in
 * text (error 22021), so it is refused here, once for every route, naming the field.
 */
export function findNul(value: unknown, at: (string | number)[] = []): string | null {
  if (typeof value === 'string')
    return value.includes('\u0000') ? (at.length ? at.join('.') : 'input') : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], [...at, i]);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return [...at, k.replaceAll('\u0000', '\\0')].join('.');
      const hit = findNul(v, [...at, k]);
      if (hit) return hit;
    }
  }
  return null;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const nul = findNul(value);
  if (nul)
    throw new BadRequestError(`${nul}: must not contain a NUL character`, [
      { field: nul, message: 'must not contain a NUL character' },
    ]);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new BadRequestError(
      describeIssues(parsed.error),
      parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/**
 * Reads a body of at most `limit` bytes without ever holding more: a declared Content-Length over the limit is refused
 * before reading, and a chunked body is cancelled as soon as it passes the limit (413 either way).
 */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const tooLarge = () => new PayloadTooLargeError(`body: larger than ${limit} bytes`);
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away mid-body (ECONNRESET "aborted"): its fault and nobody is listening; never a 500 or a 503.
      throw new BadRequestError('body: the client closed the connection before sending it all');
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and validates a JSON body (max 1 MB). */
export async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const text = await readBodyText(req);
  let value: unknown;
  try {
    value = text ? JSON.parse(text) : {};
  } catch {
    throw new BadRequestError('body: not valid JSON');
  }
  // Unknown fields in a body are refused, not silently dropped: a typo or a hostile extra key gets a 400.
  const strict = schema instanceof z.ZodObject ? (schema.strict() as unknown as S) : schema;
  return parseWith(strict, value);
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const params = new URL(req.url).searchParams;
  const obj: Record<string, string> = {};
  for (const [k, v] of params) obj[k] = v;
  return parseWith(schema, obj);
}

/**
 * CSRF defence for cookie-authenticated mutations: the browser always sends Origin on POST/PUT/PATCH/DELETE
 * from pages, so a request whose Origin is another site is refused.
 */
export function assertSameOrigin(req: Request): void {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  const origin = req.headers.get('origin');
  if (!origin) return; // non-browser clients (CLI, tests) send none; they still need a session cookie
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new ForbiddenError('Cross-site request refused');
  }
  if (!host || originHost !== host) throw new ForbiddenError('Cross-site request refused');
}

export function handleError(e: unknown): NextResponse {
  if (e instanceof HttpError) {
    return NextResponse.json(
      { error: { message: e.message, code: e.code, details: e.details } },
      { status: e.status },
    );
  }
  // A ZodError thrown past the route's own parsing (e.g. resolveRunConfig's unknown stage) is still bad input.
  if (e instanceof z.ZodError) {
    return NextResponse.json(
      {
        error: {
          message: describeIssues(e),
          code: 'bad_request',
          details: e.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
        },
      },
      { status: 400 },
    );
  }
  const down = databaseUnavailableReason(e);
  if (down) {
    console.error(`database unavailable: ${down}`);
    return NextResponse.json(
      { error: { message: `Service unavailable: ${down}; try again shortly`, code: 'unavailable' } },
      { status: 503, headers: { 'Retry-After': '5' } },
    );
  }
  // Backstop for text that slipped past findNul (e.g. built by a query): the input's fault, not a server error.
  if (isBadTextEncoding(e)) {
    return NextResponse.json(
      {
        error: {
          message: 'input: text contains a character the database cannot store (NUL)',
          code: 'bad_request',
        },
      },
      { status: 400 },
    );
  }
  console.error(e);
  return NextResponse.json({ error: { message: 'Internal error', code: 'internal' } }, { status: 500 });
}

/** Wraps a route handler so every thrown error becomes the one JSON error shape. */
export function route<A extends unknown[]>(fn: (req: Request, ...rest: A) => Promise<Response>) {
  return async (req: Request, ...rest: A): Promise<Response> => {
    try {
      assertSameOrigin(req);
      return await fn(req, ...rest);
    } catch (e) {
      return handleError(e);
    }
  };
}

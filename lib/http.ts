// Helpers shared by every API route: parse and validate input, JSON responses, one error mapping.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { BadRequestError, ForbiddenError, HttpError } from './errors.ts';

export function json<T>(data: T, init?: ResponseInit): NextResponse {
  return NextResponse.json(data, init);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new BadRequestError(describeIssues(parsed.error), parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })));
  }
  return parsed.data;
}

/** Reads and validates a JSON body (max 1 MB). */
export async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const text = await req.text();
  if (text.length > 1_000_000) throw new BadRequestError('body: too large');
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
    return NextResponse.json({ error: { message: e.message, code: e.code, details: e.details } }, { status: e.status });
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

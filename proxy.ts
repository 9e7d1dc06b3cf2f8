// Runs before every page and API route: gives the request a fresh CSP nonce. Next reads the nonce from the
// request's Content-Security-Policy header and puts it on the scripts it renders; the browser gets the same policy.
// Role checks are not here: pages and routes check the session themselves against the database (lib/auth/guard.ts).
import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, newNonce } from './lib/contentSecurityPolicy.ts';

export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Static build files carry no scripts of their own to allow; everything else gets the policy.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};

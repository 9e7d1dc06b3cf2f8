// Which paths need the admin role. Pages and API routes check roles themselves; this list lets the access
// test (test/e2e/access.spec.ts) know what to expect for every route it finds in app/.

export const ADMIN_PATHS = [
  '/runs',
  '/export',
  '/users',
  '/quality',
  '/api/runs',
  '/api/users',
  '/api/exports/create',
  '/api/quality',
  '/api/accounts/[nsid]/adjudication',
  '/api/accounts/[nsid]/reopen',
  '/api/accounts/[nsid]/gold',
  '/api/photos/[id]/gold',
  '/api/gold-photos',
] as const;

/** Routes anyone may call without a session. */
export const PUBLIC_PATHS = ['/login', '/api/auth'] as const;

export function needsAdmin(pathname: string): boolean {
  return ADMIN_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

export function isPublic(pathname: string): boolean {
  return PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

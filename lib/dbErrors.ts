// Recognises "the database is not there" among errors from Prisma (driver adapter) and pg, by code, not message text.

const UNREACHABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'ConnectionClosed',
  'TooManyConnections',
  'SocketTimeout',
  'TlsConnectionError',
]);
/** Prisma: can't reach, timed out, server closed the connection, pool timeout. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Node socket errors and PostgreSQL's connection (08…) and shutdown (57P01–57P03) classes. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;

type Shape = {
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string; code?: string } } };
  cause?: unknown;
};

/** A short reason when `e` means the database is down or unreachable; null for every other error. */
export function databaseUnavailableReason(e: unknown, depth = 0): string | null {
  if (!e || typeof e !== 'object' || depth > 4) return null;
  const x = e as Shape;
  const code = typeof x.code === 'string' ? x.code : '';
  const cause = x.meta?.driverAdapterError?.cause;
  if (cause?.kind && UNREACHABLE_KINDS.has(cause.kind)) return `the database is unreachable (${cause.kind})`;
  const pgCode = cause?.kind === 'postgres' ? (cause.originalCode ?? cause.code ?? '') : code;
  if (PG_UNAVAILABLE.test(pgCode)) return `the database is unavailable (PostgreSQL ${pgCode})`;
  if (PRISMA_CODES.has(code)) return `the database is unreachable (${code})`;
  if (SOCKET_CODES.has(code)) return `the database is unreachable (${code})`;
  if (typeof x.kind === 'string' && UNREACHABLE_KINDS.has(x.kind))
    return `the database is unreachable (${x.kind})`;
  // pg reports a connection the server dropped with a plain Error and no code.
  if (e instanceof Error && /^Connection terminated/.test(e.message))
    return 'the database closed the connection';
  return databaseUnavailableReason(x.cause, depth + 1);
}

/** PostgreSQL 22021 (a NUL byte or bad encoding in text): the input's fault, not the server's. */
export function isBadTextEncoding(e: unknown): boolean {
  const x = e as Shape | null;
  const cause = x?.meta?.driverAdapterError?.cause;
  return x?.code === '22021' || cause?.originalCode === '22021' || cause?.code === '22021';
}

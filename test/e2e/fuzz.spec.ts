// Hostile and random input at every API route: never a 500, never a change in the database.
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { isPublic } from '../../lib/access';
import { e2eState, signIn } from './fixtures';
import { findRoutes } from './routes';

const HOSTILE_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  "' OR 1=1 --",
  '"; DROP TABLE photos; --',
  '%00',
  '\u0000',
  '𝕏🙂ünïcödé',
  'A'.repeat(5000),
  '-1',
  '0',
  '1e309',
  '99999999999999999999999999',
  'NaN',
  'null',
  'true',
  '{}',
  '[]',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '\\\\server\\share',
  '%',
  '?#&=',
];

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deeply nested JSON (linear size: each level wraps the previous once). */
function deep(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

function hostileBodies(rand: () => number): unknown[] {
  const pick = () => HOSTILE_STRINGS[Math.floor(rand() * HOSTILE_STRINGS.length)];
  const KEYS = [
    'id',
    'ids',
    'photoIds',
    'email',
    'role',
    'password',
    'stages',
    'check',
    'verdict',
    'newVerdict',
    'reason',
    'note',
    'size',
    'seed',
    'labels',
    'requestId',
    'format',
    'formats',
    'from',
    'to',
    'limit',
    'nsid',
    'population',
    'disabled',
    'decision',
  ];
  const randomValue = (): unknown => {
    const r = rand();
    if (r < 0.3) return pick();
    if (r < 0.4) return [pick(), 1e308, -1];
    if (r < 0.5) return 1e308 * (rand() < 0.5 ? 1 : -1);
    if (r < 0.6) return Number.MAX_SAFE_INTEGER + 2;
    if (r < 0.7) return null;
    if (r < 0.8) return { $gt: '', __proto__: { admin: true } };
    return rand() < 0.5;
  };
  const bodies: unknown[] = [
    null,
    [],
    'just a string',
    12345,
    deep(2000),
    { constructor: { prototype: { polluted: true } } },
  ];
  for (let i = 0; i < 6; i++) {
    const o: Record<string, unknown> = {};
    for (const k of KEYS) if (rand() < 0.4) o[k] = randomValue();
    bodies.push(o);
  }
  return bodies;
}

async function snapshot(url: string): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (
      await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
      AND table_name NOT IN ('_prisma_migrations', 'login_throttles')`)
    ).rows.map((r) => r.table_name as string);
    const out: Record<string, string> = {};
    for (const t of tables) {
      const r = await c.query(
        `SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS sig FROM "${t}" x`,
      );
      out[t] = r.rows[0].sig;
    }
    return out;
  } finally {
    await c.end();
  }
}

test('hostile input at every API route: no 500 and no change in the database', async ({ page }) => {
  test.setTimeout(240_000);
  const { databaseUrl } = e2eState();
  await signIn(page, 'admin');
  const before = await snapshot(databaseUrl);
  const rand = mulberry32(20261125);
  const routes = findRoutes().filter((r) => r.kind === 'api' && !isPublic(r.pattern));
  let tried = 0;
  for (const r of routes) {
    const urls = [
      r.url,
      ...HOSTILE_STRINGS.slice(0, 12).map((s) =>
        r.pattern.replace(/\[[^\]]+\]/g, encodeURIComponent(s) || '%20'),
      ),
    ].map(
      (u) =>
        `${u}?${['page', 'pageSize', 'min', 'max', 'kind', 'check', 'order', 'q'].map((k) => `${k}=${encodeURIComponent(HOSTILE_STRINGS[Math.floor(rand() * HOSTILE_STRINGS.length)])}`).join('&')}`,
    );
    for (const method of r.methods) {
      const bodies = method === 'GET' ? [undefined] : hostileBodies(rand);
      for (const url of urls.slice(0, method === 'GET' ? urls.length : 3)) {
        for (const body of bodies) {
          const res = await page.request.fetch(url, {
            method,
            data: body === undefined ? undefined : JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
            failOnStatusCode: false,
          });
          tried++;
          expect(res.status(), `${method} ${url} ${JSON.stringify(body)?.slice(0, 120)}`).toBeLessThan(500);
        }
      }
    }
  }
  expect(tried).toBeGreaterThan(100);
  expect(await snapshot(databaseUrl)).toEqual(before);
});

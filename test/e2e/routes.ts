// Enumerates every page and API route from the app directory, so a new route cannot escape the access tests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type FoundRoute = {
  kind: 'page' | 'api';
  pattern: string;
  url: string;
  methods: string[];
  file: string;
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function toPattern(rel: string): string {
  const parts = path
    .dirname(rel)
    .split(path.sep)
    .filter((s) => s !== '.' && !/^\(.*\)$/.test(s));
  return `/${parts.join('/')}`;
}

/** A concrete URL: dynamic segments get a harmless placeholder value. */
function toUrl(pattern: string): string {
  return pattern.replace(/\[\[?\.\.\.[^\]]+\]?\]/g, 'x/y').replace(/\[[^\]]+\]/g, 'x1');
}

export function findRoutes(appDir = path.resolve('app')): FoundRoute[] {
  return walk(appDir).flatMap((file): FoundRoute[] => {
    const rel = path.relative(appDir, file);
    const base = path.basename(file);
    if (base === 'page.tsx' || base === 'page.ts') {
      const pattern = toPattern(rel);
      return [{ kind: 'page', pattern, url: toUrl(pattern), methods: ['GET'], file: rel }];
    }
    if (base === 'route.ts') {
      const src = readFileSync(file, 'utf8');
      const methods = METHODS.filter((m) =>
        new RegExp(
          `export\\s+(const|async function|function)\\s+${m}\\b|export\\s+const\\s+\\{[^}]*\\b${m}\\b`,
        ).test(src),
      );
      const pattern = toPattern(rel);
      return [{ kind: 'api', pattern, url: toUrl(pattern), methods, file: rel }];
    }
    return [];
  });
}

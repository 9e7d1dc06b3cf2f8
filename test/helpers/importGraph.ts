// The project's import graph, read from source text: which file imports which (type-only imports included,
// since a type import is still a dependency on the other layer). TypeScript 7's compiler has no JS API and
// dependency-cruiser/madge parse TypeScript through it, so this reads import specifiers itself.
import fs from 'node:fs';
import path from 'node:path';

export const ROOTS = ['app', 'components', 'lib', 'pipeline'];
export const ROOT_FILES = ['instrumentation.ts', 'proxy.ts', 'auth.ts', 'auth.config.ts'];
const SKIP = new Set(['lib/generated', 'node_modules']);
const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const CANDIDATES = ['', '.ts', '.tsx', '.mts', '.mjs', '/index.ts', '/index.tsx'];

/** Static `import … from`, `export … from` and side-effect imports (at a statement's start, so a comment's
 * prose is not read as one), and dynamic `import('…')` anywhere. */
const STATIC = /^[ \t]*(?:import|export)\b(?:[^'";]|\n)*?\bfrom\s*['"]([^'"\n]+)['"]/gm;
const BARE = /^[ \t]*import\s*['"]([^'"\n]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const re of [STATIC, BARE, DYNAMIC]) for (const m of source.matchAll(re)) found.push(m[1]);
  return found;
}

export function listSources(repo: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(repo, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (SKIP.has(child) || entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(child);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(child);
    }
  };
  for (const root of ROOTS) walk(root);
  for (const file of ROOT_FILES) if (fs.existsSync(path.join(repo, file))) out.push(file);
  return out.sort();
}

/** Repo-relative file a specifier names, or null for packages (and anything outside the scanned tree). */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | null {
  let base: string;
  if (specifier.startsWith('@/')) base = specifier.slice(2);
  else if (specifier.startsWith('.'))
    base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  else return null;
  for (const suffix of CANDIDATES) if (files.has(base + suffix)) return base + suffix;
  return null;
}

export type ImportGraph = Map<string, string[]>;

export function buildImportGraph(repo: string): ImportGraph {
  const files = listSources(repo);
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const source = fs.readFileSync(path.join(repo, file), 'utf8');
    const targets = importSpecifiers(source)
      .map((s) => resolveSpecifier(file, s, known))
      .filter((t): t is string => t !== null && t !== file);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan): each is an import cycle. */
export function findCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return cycles;
}

/** The folder a file belongs to for the stage-level cycle check: pipeline/<stage> (pipeline/devkit/<part>). */
export function stageOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] !== 'pipeline' || parts.length < 3) return null;
  if (parts[1] === 'devkit') return parts.length > 3 ? parts.slice(0, 3).join('/') : 'pipeline/devkit';
  return parts.slice(0, 2).join('/');
}

/** The graph of pipeline folders: an edge when any file of one imports any file of another. */
export function stageGraph(graph: ImportGraph): ImportGraph {
  const out: ImportGraph = new Map();
  for (const [file, targets] of graph) {
    const from = stageOf(file);
    if (!from) continue;
    const edges = new Set(out.get(from) ?? []);
    for (const t of targets) {
      const to = stageOf(t);
      if (to && to !== from) edges.add(to);
    }
    out.set(from, [...edges]);
  }
  return out;
}

const isDevkit = (f: string) => f.startsWith('pipeline/devkit/');
const isCli = (f: string) => f.startsWith('pipeline/cli/');
/** Product code: everything but the development kit and the CLI (which offers the kit's commands). */
const isProduct = (f: string) => !isDevkit(f) && !isCli(f);

/** Imports that point the wrong way, as "from -> to: rule" lines. */
export function wrongWayImports(graph: ImportGraph, allowed: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const edge = `${from} -> ${to}`;
      if (allowed.has(edge)) continue;
      if (from.startsWith('lib/') && !to.startsWith('lib/')) out.push(`${edge}: lib imports only lib`);
      else if (isProduct(from) && isDevkit(to))
        out.push(`${edge}: product code never imports the development kit`);
      else if (from.startsWith('pipeline/') && isProduct(from) && isCli(to))
        out.push(`${edge}: pipeline stages never import the CLI`);
      else if (from.startsWith('pipeline/') && (to.startsWith('app/') || to.startsWith('components/')))
        out.push(`${edge}: the pipeline never imports the app`);
    }
  }
  return out.sort();
}

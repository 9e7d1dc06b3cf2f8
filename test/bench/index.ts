// `npm run bench -- <name> [args]`: runs test/bench/<name>.ts, which prints its figures and baseline ratios.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3)).sort();
const [name, ...args] = process.argv.slice(2);

if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(path.join(here, `${name}.ts`))) {
  console.error(`Usage: npm run bench -- <name> [args]\nBenchmarks: ${available.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { run: (a: string[]) => Promise<void> };
await mod.run(args);
process.exit(0);

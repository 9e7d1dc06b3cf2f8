// `npm run bench -- <name> [args]`: runs test/bench/<name>.ts, which prints its figures and baseline ratios.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { refuseOldNode } from '../../lib/server/nodeVersion.ts';
import { type Bench, runBench } from './lib/dispatch.ts';

// Figures measured on an unsupported Node would be compared with baselines taken on Node 24.
refuseOldNode();

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...args] = process.argv.slice(2);

if (!name || !/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(path.join(here, `${name}.ts`))) {
  console.error(`Usage: npm run bench -- <name> [args]\nBenchmarks: ${available.join(', ')}`);
  process.exit(name ? 2 : 0);
}
let mod: Bench;
try {
  mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as Bench;
} catch (e) {
  console.error(`bench ${name} failed to load: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
// Exits explicitly: a bench's pools and timers must not keep the process alive after its figures are printed.
process.exit(await runBench(name, mod, args));

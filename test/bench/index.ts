// `npm run bench -- <name> [args]`: runs test/bench/<name>.ts, which prints its figures and baseline ratios.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { refuseOldNode } from '../../lib/server/nodeVersion.ts';

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
try {
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as {
    run: (a: string[]) => Promise<void>;
  };
  await mod.run(args);
} catch (e) {
  // One line, as the CLI reports (an embedded PostgreSQL that would not start says why: initdb's or postgres's stderr).
  console.error(
    `bench ${name} failed: ${e instanceof Error ? (process.env.DEBUG ? e.stack : e.message) : String(e)}`,
  );
  process.exit(1);
}
process.exit(0);

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
type Bench = {
  run: (a: string[]) => Promise<void>;
  /** What it measures (and its positional arguments, if any). */
  usage: string;
  /** Every flag it reads: name → what it sets (its default). */
  flags: Record<string, string>;
};
try {
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as Bench;
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: npm run bench -- ${name} [flags]\n${mod.usage}`);
    for (const [flag, what] of Object.entries(mod.flags)) console.log(`  --${flag.padEnd(16)} ${what}`);
    process.exit(0);
  }
  // A mistyped flag would otherwise run the whole bench (minutes to hours) with defaults.
  const unknown = args.filter(
    (a) => a.startsWith('-') && !(a.replace(/^--?/, '').split('=')[0] in mod.flags),
  );
  if (unknown.length > 0) {
    const known = Object.keys(mod.flags);
    console.error(
      `bench ${name}: unknown flag ${unknown[0]} (${known.length ? `flags: ${known.map((f) => `--${f}`).join(', ')}` : 'it takes no flags'}; --help says more)`,
    );
    process.exit(2);
  }
  await mod.run(args);
} catch (e) {
  // One line, as the CLI reports (an embedded PostgreSQL that would not start says why: initdb's or postgres's stderr).
  console.error(
    `bench ${name} failed: ${e instanceof Error ? (process.env.DEBUG ? e.stack : e.message) : String(e)}`,
  );
  process.exit(1);
}
process.exit(0);

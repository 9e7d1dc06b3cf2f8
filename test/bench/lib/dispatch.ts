// Runs one bench module for test/bench/index.ts and says the process's exit code.
import { UsageError } from '../../../pipeline/cli/flags.ts';

export type Bench = {
  run: (a: string[]) => Promise<void>;
  /** What it measures (and its positional arguments, if any). */
  usage: string;
  /** Every flag it reads: name → what it sets (its default). */
  flags: Record<string, string>;
};

/**
 * 0 after --help or a run; 2 for an unknown flag or a bad value (one line); 1 when the run throws. A run that ends by
 * setting process.exitCode (a bench's own failed check, e.g. planted duplicates not all found) keeps that code: a plain
 * exit(0) after it would hide the failure from CI and scripts.
 */
export async function runBench(name: string, mod: Bench, args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: npm run bench -- ${name} [flags]\n${mod.usage}`);
    for (const [flag, what] of Object.entries(mod.flags)) console.log(`  --${flag.padEnd(16)} ${what}`);
    return 0;
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
    return 2;
  }
  try {
    await mod.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`bench ${name}: ${e.message}`);
      return 2;
    }
    // One line, as the CLI reports (an embedded PostgreSQL that would not start says why: initdb's or postgres's stderr).
    console.error(
      `bench ${name} failed: ${e instanceof Error ? (process.env.DEBUG ? e.stack : e.message) : String(e)}`,
    );
    return 1;
  }
  const code = Number(process.exitCode ?? 0);
  return Number.isInteger(code) ? code : 1;
}

// The command line's dispatcher: finds commands/<name>.ts, answers --help and checks flags from the command's
// `spec` before its `run` can act, and turns failures into one line and an exit code (2 for bad input).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatCliError } from './errors.ts';
import { helpText, parseCommand, UsageError, wantsHelp, type CommandSpec } from './flags.ts';

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

type CommandModule = { spec: CommandSpec; run: (args: string[]) => Promise<void> };
export type CliOutput = { out: (text: string) => void; err: (text: string) => void };

export function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
}

async function load(name: string): Promise<CommandModule | null> {
  if (!/^[a-z][a-z-]*$/.test(name) || !existsSync(path.join(commandsDir, `${name}.ts`))) return null;
  return (await import(pathToFileURL(path.join(commandsDir, `${name}.ts`)).href)) as CommandModule;
}

async function listCommands(): Promise<string> {
  const names = commandNames();
  const mods = await Promise.all(names.map(load));
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n, i) => `  ${n.padEnd(width)}  ${mods[i]?.spec.summary ?? ''}`);
  return [
    'Usage: npm run quarry -- <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `npm run quarry -- <command> --help` (or `help <command>`) for its flags.',
  ].join('\n');
}

/** Runs one command line; returns the exit code. */
export async function runCli(
  argv: string[],
  io: CliOutput = { out: console.log, err: console.error },
): Promise<number> {
  const [name, ...args] = argv;
  const unknown = (n: string) => {
    io.err(`Unknown command "${n}". Commands: ${commandNames().join(', ')}`);
    return 2;
  };
  try {
    if (!name || name === 'help' || name === '--help' || name === '-h') {
      const mod = name === 'help' && args[0] ? await load(args[0]) : null;
      if (name === 'help' && args[0] && !mod) return unknown(args[0]);
      io.out(mod ? helpText(mod.spec) : await listCommands());
      return 0;
    }
    const mod = await load(name);
    if (!mod) return unknown(name);
    if (wantsHelp(args)) {
      io.out(helpText(mod.spec));
      return 0;
    }
    parseCommand(mod.spec, args);
    await mod.run(args);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    // Commands also throw UsageError for what no single flag can say (one mode at a time, --to after --from).
    if (e instanceof UsageError) {
      io.err(`quarry ${name}: ${e.message} (see: npm run quarry -- ${name} --help)`);
      return 2;
    }
    const { message, code } = formatCliError(e);
    io.err(message);
    return code;
  }
}

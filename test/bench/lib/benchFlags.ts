// Numeric bench flags and arguments: a value that is not a number in range is a UsageError (one line, exit 2 from
// test/bench/index.ts), instead of a bench that runs for minutes over NaN. The checks are the CLI's (pipeline/cli/flags.ts).
import { flag, type Flag, UsageError } from '../../../pipeline/cli/flags.ts';

type Raw = string | true | undefined;
type RawFlags = Record<string, string | true>;
export type Range = { min?: number; max?: number };

function parsed<T>(label: string, raw: string | true, f: Flag<T>): T {
  if (raw === true) throw new UsageError(`${label} needs a value: ${f.expects}`);
  const r = f.parse(raw);
  if (!r.ok) throw new UsageError(`${label} expects ${r.expects}, got ${JSON.stringify(raw)}`);
  return r.value;
}

/** An integer from `raw` (a flag's or a positional argument's text), `fallback` when absent; `label` names it in errors. */
export function intValue<D extends number | undefined>(
  label: string,
  raw: Raw,
  fallback: D,
  range: Range = {},
): number | D {
  return raw === undefined ? fallback : (parsed(label, raw, flag.int('', range)) as number);
}

/** `--name N`, an integer; `fallback` (a number, or undefined for "not given") when the flag is absent. */
export function intFlag<D extends number | undefined>(
  flags: RawFlags,
  name: string,
  fallback: D,
  range: Range = {},
): number | D {
  return intValue(`--${name}`, flags[name], fallback, range);
}

/** `--name X`, any finite number (a skew, a rate). */
export function numberFlag(flags: RawFlags, name: string, fallback: number, range: Range = {}): number {
  const raw = flags[name];
  return raw === undefined ? fallback : (parsed(`--${name}`, raw, flag.number('', range)) as number);
}

/** `--name N,N`, comma-separated integers (sizes), each once, in the order given. */
export function intListFlag(flags: RawFlags, name: string, fallback: number[], range: Range = {}): number[] {
  const raw = flags[name];
  return raw === undefined ? fallback : (parsed(`--${name}`, raw, flag.intList('', range)) as number[]);
}

/** `--name N`, a TCP port. */
export function portFlag<D extends number | undefined>(
  flags: RawFlags,
  name: string,
  fallback: D,
): number | D {
  const raw = flags[name];
  return raw === undefined ? fallback : (parsed(`--${name}`, raw, flag.port('')) as number);
}

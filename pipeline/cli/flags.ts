// Declarative command-line flags: one definition per flag gives the parser, the validation and the `--help` text,
// so what a command accepts and what its help says cannot drift apart. Bad input is a UsageError: one line, exit 2.
import { isFetchBlockedPort } from '../../lib/fetchBlockedPorts.ts';

export class UsageError extends Error {}

export type Flag<T> = {
  description: string;
  /** Placeholder shown in help (`N`, `DIR`); switches have none and take no value. */
  value?: string;
  /** What a valid value looks like, for error messages ("an integer from 1 to 64"). */
  expects?: string;
  defaultText?: string;
  required?: boolean;
  /** Turns the text after the flag into a value; returns an error text (what was expected) on bad input. */
  parse: (raw: string) => { ok: true; value: T } | { ok: false; expects: string };
  fallback: () => T;
};

export type Flags = Record<string, Flag<unknown>>;
export type Values<F extends Flags> = { [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

export type Subcommand = { summary: string; flags: Flags; args?: string };

export type CommandSpec = {
  name: string;
  /** One line for `quarry help`. */
  summary: string;
  flags: Flags;
  /** Named subcommands (`users add`), each with its own flags; `flags` then apply when none is named. */
  subcommands?: Record<string, Subcommand>;
  /** A subcommand must be named (users, models); otherwise the top-level flags run the command itself. */
  subcommandRequired?: boolean;
  /** Extra lines printed at the end of the help (examples, environment). */
  notes?: string[];
};

type Common<T> = { value?: string; defaultText?: string; default?: T | (() => T); required?: boolean };
type Out<T, O> = O extends { default: unknown } ? T : O extends { required: true } ? T : T | undefined;

const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (expects: string) => ({ ok: false as const, expects });

function make<T>(
  description: string,
  o: Common<T>,
  value: string,
  expects: string,
  parse: Flag<T>['parse'],
): Flag<T> {
  const d = o.default;
  const defaultText =
    o.defaultText ??
    (d === undefined || typeof d === 'function' ? undefined : Array.isArray(d) ? d.join(',') : String(d));
  return {
    description,
    value: o.value ?? value,
    expects,
    defaultText,
    required: o.required,
    parse,
    fallback: () => (typeof d === 'function' ? (d as () => T)() : (d as T)),
  };
}

const range = (min?: number, max?: number) =>
  min !== undefined && max !== undefined
    ? ` from ${min} to ${max}`
    : min !== undefined
      ? ` ≥ ${min}`
      : max !== undefined
        ? ` ≤ ${max}`
        : '';

const within = (n: number, min?: number, max?: number) =>
  (min === undefined || n >= min) && (max === undefined || n <= max);

const isDay = (s: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  // Date.parse accepts 2024-02-30 and rolls it over; a real calendar day reads back unchanged.
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

const items = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const oneOf = (values: readonly string[]) =>
  values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;

export const flag = {
  /** A switch: present or not, takes no value. */
  switch(description: string): Flag<boolean> {
    return { description, parse: () => ok(true), fallback: () => false };
  },

  string<O extends Common<string> & { pattern?: RegExp; expects?: string }>(
    description: string,
    o: O = {} as O,
  ): Flag<Out<string, O>> {
    const expects = o.expects ?? (o.pattern ? `a value matching ${o.pattern.source}` : 'a non-empty value');
    return make(description, o, 'TEXT', expects, (raw) =>
      raw !== '' && (!o.pattern || o.pattern.test(raw)) ? ok(raw) : bad(expects),
    ) as Flag<Out<string, O>>;
  },

  int<O extends Common<number> & { min?: number; max?: number }>(
    description: string,
    o: O = {} as O,
  ): Flag<Out<number, O>> {
    const expects = `an integer${range(o.min, o.max)}`;
    return make(description, o, 'N', expects, (raw) => {
      const n = Number(raw);
      return /^-?\d+$/.test(raw.trim()) && Number.isSafeInteger(n) && within(n, o.min, o.max)
        ? ok(n)
        : bad(expects);
    }) as Flag<Out<number, O>>;
  },

  /** A TCP port; `fetched` ports are ones the pipeline's fetch() connects to, so fetch's blocked ports are refused. */
  port<O extends Common<number> & { min?: number; fetched?: boolean }>(
    description: string,
    o: O = {} as O,
  ): Flag<Out<number, O>> {
    const min = o.min ?? 1;
    const expects = `a port from ${min} to 65535${o.fetched ? " that fetch() may connect to (not one of the Fetch standard's blocked ports, e.g. 4190, 6000, 6667)" : ''}`;
    return make(description, o, 'N', expects, (raw) => {
      const n = Number(raw);
      return /^\d+$/.test(raw.trim()) && within(n, min, 65535) && !(o.fetched && isFetchBlockedPort(n))
        ? ok(n)
        : bad(expects);
    }) as Flag<Out<number, O>>;
  },

  number<O extends Common<number> & { min?: number; max?: number }>(
    description: string,
    o: O = {} as O,
  ): Flag<Out<number, O>> {
    const expects = `a number${range(o.min, o.max)}`;
    return make(description, o, 'X', expects, (raw) => {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) && within(n, o.min, o.max) ? ok(n) : bad(expects);
    }) as Flag<Out<number, O>>;
  },

  choice<const V extends readonly string[], O extends Common<V[number]>>(
    description: string,
    values: V,
    o: O = {} as O,
  ): Flag<Out<V[number], O>> {
    const expects = oneOf(values);
    return make(description, o, values.join('|'), expects, (raw) =>
      values.includes(raw) ? ok(raw as V[number]) : bad(expects),
    ) as Flag<Out<V[number], O>>;
  },

  /** A comma-separated list, each item one of `values` (any non-empty text when `values` is null). */
  list<const V extends string, O extends Common<V[]>>(
    description: string,
    values: readonly V[] | null,
    o: O = {} as O,
  ): Flag<Out<V[], O>> {
    const expects = values ? `a comma-separated list of ${values.join(', ')}` : 'a comma-separated list';
    const described = values
      ? `${description} (comma-separated: ${values.join(', ')})`
      : `${description} (comma-separated)`;
    return make(described, o, 'LIST', expects, (raw) => {
      const a = items(raw);
      if (a.length === 0 || (values && a.some((x) => !values.includes(x as V)))) return bad(expects);
      if (new Set(a).size !== a.length) return bad(`${expects}, each once`);
      return ok(a as V[]);
    }) as Flag<Out<V[], O>>;
  },

  /** A comma-separated list of integers (license ids). */
  intList<O extends Common<number[]> & { min?: number; max?: number }>(
    description: string,
    o: O = {} as O,
  ): Flag<Out<number[], O>> {
    const expects = `comma-separated integers${range(o.min, o.max)}`;
    return make(description, o, 'N,N', expects, (raw) => {
      const a = items(raw);
      const n = a.map(Number);
      return a.length > 0 && a.every((x, i) => /^\d+$/.test(x) && within(n[i], o.min, o.max))
        ? ok([...new Set(n)])
        : bad(expects);
    }) as Flag<Out<number[], O>>;
  },

  /** Any other kind of value: `parse` returns it, or undefined when the text is not one. */
  of<T, O extends Common<T>>(
    description: string,
    value: string,
    expects: string,
    parse: (raw: string) => T | undefined,
    o: O = {} as O,
  ): Flag<Out<T, O>> {
    return make(description, o, value, expects, (raw) => {
      const v = parse(raw);
      return v === undefined ? bad(expects) : ok(v);
    }) as Flag<Out<T, O>>;
  },

  /** A calendar day, YYYY-MM-DD (2024-02-30 is refused). */
  date<O extends Common<string>>(description: string, o: O = {} as O): Flag<Out<string, O>> {
    const expects = 'a date YYYY-MM-DD';
    return make(description, o, 'YYYY-MM-DD', expects, (raw) =>
      isDay(raw) ? ok(raw) : bad(expects),
    ) as Flag<Out<string, O>>;
  },
};

const HELP_FLAGS = new Set(['--help', '-h']);

export function wantsHelp(args: readonly string[]): boolean {
  return args.some((a) => HELP_FLAGS.has(a));
}

const show = (raw: string) => JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);

export type Parsed<F extends Flags> = { values: Values<F>; positionals: string[] };

/** Parses `--name value`, `--name=value` and switches against `flags`; anything else is a UsageError. */
export function parseFlags<F extends Flags>(
  flags: F,
  args: readonly string[],
  maxPositionals = 0,
): Parsed<F> {
  const seen = new Map<string, unknown>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-') || a === '-') {
      if (positionals.length >= maxPositionals) throw new UsageError(`unexpected argument ${show(a)}`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? a.slice(2, eq === -1 ? undefined : eq) : '';
    const def = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (!def)
      throw new UsageError(
        `unknown flag ${a.slice(0, eq === -1 ? undefined : eq)} (known: ${
          Object.keys(flags)
            .map((k) => `--${k}`)
            .join(', ') || 'none'
        })`,
      );
    if (seen.has(name)) throw new UsageError(`--${name} is given twice`);
    if (!def.value) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      seen.set(name, true);
      continue;
    }
    let raw: string;
    if (eq !== -1) raw = a.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) raw = args[++i];
    else throw new UsageError(`--${name} needs a value: ${def.expects}`);
    const r = def.parse(raw);
    if (!r.ok) throw new UsageError(`--${name} expects ${r.expects}, got ${show(raw)}`);
    seen.set(name, r.value);
  }
  const values: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(flags)) {
    if (seen.has(name)) values[name] = seen.get(name);
    else if (def.required) throw new UsageError(`--${name} is required: ${def.expects}`);
    else values[name] = def.fallback();
  }
  return { values: values as Values<F>, positionals };
}

/** Which subcommand `args` name (their first word), checked against the spec. */
export function pickSubcommand(
  spec: CommandSpec,
  args: readonly string[],
): { sub: string | undefined; rest: string[] } {
  const first = args[0];
  const subs = Object.keys(spec.subcommands ?? {});
  if (first && !first.startsWith('-') && subs.includes(first)) return { sub: first, rest: args.slice(1) };
  if (spec.subcommandRequired) {
    throw new UsageError(
      first && !first.startsWith('-')
        ? `unknown subcommand ${show(first)} (known: ${subs.join(', ')})`
        : `name a subcommand: ${subs.join(', ')}`,
    );
  }
  return { sub: undefined, rest: [...args] };
}

/** Parses a whole command line of `spec` (its subcommand, then that subcommand's flags). */
export function parseCommand(
  spec: CommandSpec,
  args: readonly string[],
): { sub: string | undefined; values: Record<string, unknown>; positionals: string[] } {
  const { sub, rest } = pickSubcommand(spec, args);
  const s = sub ? spec.subcommands![sub] : undefined;
  const { values, positionals } = parseFlags(s ? s.flags : spec.flags, rest, s?.args ? 1 : 0);
  return { sub, values, positionals };
}

function flagLines(flags: Flags, indent: string): string[] {
  const rows = Object.entries(flags).map(([name, f]) => {
    const left = `--${name}${f.value ? ` ${f.value}` : ''}`;
    const tail = f.required
      ? ' (required)'
      : f.defaultText !== undefined
        ? ` (default: ${f.defaultText})`
        : '';
    return [left, `${f.description}${tail}`] as const;
  });
  rows.push(['-h, --help', 'print this help and exit (nothing else is done)']);
  const width = Math.min(30, Math.max(...rows.map(([l]) => l.length)));
  return rows.map(([l, r]) => `${indent}${l.padEnd(width)}  ${r}`);
}

export function helpText(spec: CommandSpec): string {
  const subs = Object.entries(spec.subcommands ?? {});
  const hasTop = !spec.subcommandRequired;
  const usage =
    subs.length === 0
      ? `npm run quarry -- ${spec.name} [options]`
      : `npm run quarry -- ${spec.name} ${hasTop ? '[' : '<'}${subs.map(([n]) => n).join('|')}${hasTop ? ']' : '>'} [options]`;
  const out = [`quarry ${spec.name}: ${spec.summary}`, '', `Usage: ${usage}`];
  if (hasTop) out.push('', 'Options:', ...flagLines(spec.flags, '  '));
  for (const [name, s] of subs) {
    out.push(
      '',
      `${spec.name} ${name}${s.args ? ` ${s.args}` : ''}: ${s.summary}`,
      ...flagLines(s.flags, '  '),
    );
  }
  if (spec.notes?.length) out.push('', ...spec.notes);
  return out.join('\n');
}

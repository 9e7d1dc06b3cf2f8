// `npm run bench -- <name>`: --help lists a bench's flags and runs nothing; a mistyped flag or a value that is not a
// number is one line and exit 2 instead of a bench run of minutes to hours with defaults (or NaN); a bench's own failed
// check (process.exitCode) reaches the shell.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../pipeline/cli/flags.ts';
import { intFlag, intListFlag, numberFlag } from '../../bench/lib/benchFlags.ts';
import { runBench } from '../../bench/lib/dispatch.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const benchDir = path.join(root, 'test/bench');
const BENCHES = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3));

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(root, 'node_modules/.bin/tsx'),
      ['test/bench/index.ts', ...args],
      { cwd: root, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('bench flags', () => {
  it('every bench says what it measures and names every flag it reads', async () => {
    for (const name of BENCHES) {
      const src = readFileSync(path.join(benchDir, `${name}.ts`), 'utf8');
      const mod = (await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href)) as {
        usage?: unknown;
        flags?: Record<string, string>;
      };
      expect(typeof mod.usage, name).toBe('string');
      // A flag read as flags.x, flags['x'], intFlag(flags, 'x') (any of lib/benchFlags.ts) or arg(args, 'x') must be
      // declared, or the dispatcher would refuse it.
      const read = new Set(
        [
          ...src.matchAll(
            /(?<!\/)flags\.([a-z0-9]+)|flags\['([a-z0-9-]+)'\]|arg\(args, '([a-z0-9-]+)'|[a-zA-Z]+Flag\([^,()]*(?:\(args\)\.flags)?, '([a-z0-9-]+)'/g,
          ),
        ].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]),
      );
      expect(
        [...read].filter((f) => !(f in (mod.flags ?? {}))),
        name,
      ).toEqual([]);
    }
  }, 120_000);

  it('--help lists the flags and runs nothing; a wrong flag is one line and exit 2', async () => {
    const [help, wrong, none] = await Promise.all([
      bench(['ann', '--help']),
      bench(['ann', '--size', '1000']),
      bench(['watermarks', '--runs', '3']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: npm run bench -- ann/);
    expect(help.stdout).toMatch(/--sizes/);
    expect(help.stdout + help.stderr).not.toMatch(/MET|MISSED|embeddings:/); // nothing measured
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toEqual([
      'bench ann: unknown flag --size (flags: --sizes, --10m, --floor, --probes, --dims, --scan-rows, --sample, --dir, --figures; --help says more)',
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/bench watermarks: unknown flag --runs \(it takes no flags/);
  }, 240_000);

  it('a numeric value that is not a number in range is one line and exit 2, before anything is measured', async () => {
    const runs = await Promise.all([
      bench(['analyze', '--images', 'abc']),
      bench(['review', '--zipf=x']),
      // Read at the end of a run before: a bad value must not wait for the minutes of measuring before it.
      bench(['dedup', '--crop-batch', '0']),
      bench(['watermarks', '12x']),
      bench(['scale', '--port', '99999']),
    ]);
    expect(runs.map((r) => [r.code, r.stderr.trim().split('\n'), r.stdout])).toEqual([
      [2, ['bench analyze: --images expects an integer ≥ 1, got "abc"'], ''],
      [2, ['bench review: --zipf expects a number ≥ 0, got "x"'], ''],
      [2, ['bench dedup: --crop-batch expects an integer ≥ 1, got "0"'], ''],
      [2, ['bench watermarks: the photo count (first argument) expects an integer ≥ 1, got "12x"'], ''],
      [2, ['bench scale: --port expects a port from 1 to 65535, got "99999"'], ''],
    ]);
  }, 240_000);
});

describe('bench values and exit codes', () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  it('parses numbers, lists and their ranges, and says which flag and what it expected', () => {
    const flags = { images: '12', zipf: '0.5', sizes: '1000,250000', none: true, bad: '1e3' } as const;
    expect(intFlag(flags, 'images', 60, { min: 1 })).toBe(12);
    expect(intFlag(flags, 'rounds', 7)).toBe(7);
    expect(intFlag(flags, 'threads', undefined)).toBeUndefined();
    expect(numberFlag(flags, 'zipf', 0.8, { min: 0 })).toBe(0.5);
    expect(intListFlag(flags, 'sizes', [1], { min: 1000 })).toEqual([1000, 250_000]);
    expect(() => intFlag(flags, 'bad', 1)).toThrow(new UsageError('--bad expects an integer, got "1e3"'));
    expect(() => intFlag(flags, 'none', 1)).toThrow(new UsageError('--none needs a value: an integer'));
    expect(() => intListFlag({ sizes: '1000,abc' }, 'sizes', [], { min: 1000 })).toThrow(
      new UsageError('--sizes expects comma-separated integers ≥ 1000, got "1000,abc"'),
    );
    expect(() => intFlag({ images: '0' }, 'images', 60, { min: 1 })).toThrow(UsageError);
  });

  it('a bench that ends with process.exitCode set exits with it; one that only prints a missed target exits 0', async () => {
    const bench = (run: () => Promise<void>) => ({ run, usage: 'test', flags: { n: 'N' } });
    // A failed correctness check (dedup: planted pairs not all found; faults: something lost) sets exitCode.
    expect(
      await runBench(
        'failing',
        bench(async () => {
          process.exitCode = 1;
        }),
        [],
      ),
    ).toBe(1);
    process.exitCode = 0;
    expect(
      await runBench(
        'slow',
        bench(async () => console.log('target MISSED')),
        [],
      ),
    ).toBe(0);
    expect(
      await runBench(
        'bad',
        bench(async () => {
          throw new UsageError('--n expects an integer, got "x"');
        }),
        [],
      ),
    ).toBe(2);
    expect(
      await runBench(
        'broken',
        bench(async () => {
          throw new Error('database would not start');
        }),
        [],
      ),
    ).toBe(1);
    expect(
      await runBench(
        'failing',
        bench(async () => {}),
        ['--m', '1'],
      ),
    ).toBe(2);
  });
});

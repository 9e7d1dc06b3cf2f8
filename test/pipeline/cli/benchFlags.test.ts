// `npm run bench -- <name>`: --help lists a bench's flags and runs nothing; a mistyped flag is one line and exit 2
// instead of a bench run of minutes to hours with defaults.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

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
      // A flag read as flags.x, flags['x'] or arg(args, 'x') must be declared, or the dispatcher would refuse it.
      const read = new Set(
        [...src.matchAll(/flags\.([a-z0-9]+)|flags\['([a-z0-9-]+)'\]|arg\(args, '([a-z0-9-]+)'/g)].map(
          (m) => m[1] ?? m[2] ?? m[3],
        ),
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
      'bench ann: unknown flag --size (flags: --sizes, --10m, --quantization, --connectivity, --expansion-add, --expansion-search, --expansion-wide, --sample, --dir, --figures; --help says more)',
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/bench watermarks: unknown flag --runs \(it takes no flags/);
  }, 240_000);
});

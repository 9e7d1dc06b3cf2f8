// Every command's --help prints its flags and does nothing else; bad flags are one line and exit 2.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../helpers/db.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const COMMANDS = readdirSync(path.join(root, 'pipeline/cli/commands'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

const database = useTestDatabase();
let tmp: string;
let dataDir: string;

type Result = { code: number; stdout: string; stderr: string };

/** Through the real entry point, as a user types it (slow: a process per line, so used for a few lines only). */
function spawned(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      ['pipeline/cli/index.ts', ...args],
      {
        cwd: root,
        timeout: 240_000,
        env: {
          ...process.env,
          DATABASE_URL: database.url(),
          DATA_DIR: dataDir,
          EXPORT_DIR: path.join(dataDir, 'exports'),
          NODE_ENV: 'production',
        },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** Every table of the test database with its row count: any write by a command changes it. */
async function fingerprint(): Promise<string> {
  const client = new pg.Client({ connectionString: database.url() });
  await client.connect();
  try {
    const { rows } = await client.query<{ s: string; t: string }>(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    );
    const counts: string[] = [];
    for (const r of rows) {
      const {
        rows: [c],
      } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${r.s}"."${r.t}"`);
      counts.push(`${r.s}.${r.t}=${c.n}`);
    }
    return counts.join('\n');
  } finally {
    await client.end();
  }
}

let runCli: typeof import('../../../pipeline/cli/main.ts').runCli;

/** The same dispatcher in this process, one line after another (every command module loads once). */
async function quarry(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    out: (t) => {
      stdout += `${t}\n`;
    },
    err: (t) => {
      stderr += `${t}\n`;
    },
  });
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

async function each(lines: string[][]): Promise<Result[]> {
  const out: Result[] = [];
  for (const l of lines) out.push(await quarry(l));
  return out;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quarry-cli-help-'));
  dataDir = path.join(tmp, 'data');
  // A data dir that does not exist: a command that acted would create it (embedded database, exports, models).
  Object.assign(process.env, { DATA_DIR: dataDir, EXPORT_DIR: path.join(dataDir, 'exports') });
  ({ runCli } = await import('../../../pipeline/cli/main.ts'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('quarry --help', () => {
  it('covers the commands that exist', () => {
    expect(COMMANDS).toEqual(
      expect.arrayContaining([
        'analyze',
        'backup',
        'clip',
        'demo',
        'export',
        'ingest',
        'models',
        'quality',
        'restore',
        'run',
        'serve',
        'simulator',
        'users',
        'watermarks',
        'worker',
      ]),
    );
  });

  it("prints each command's usage and flags, exits 0, and writes nothing (no database rows, no data dir)", async () => {
    const before = await fingerprint();
    const lines = [
      ...COMMANDS.flatMap((c) => [
        [c, '--help'],
        [c, '-h'],
      ]),
      ['users', 'add', '--help'],
      ['users', 'set-password', '-h'],
      ['models', 'check', '--help'],
      ['watermarks', 'quality', '--help'],
      // --help wins over everything else on the line, even a flag that would act.
      ['export', '--out', path.join(tmp, 'out'), '--help'],
      ['users', 'add', '--email', 'x@example.org', '-h'],
      ['help', 'export'],
    ];
    const results = await each(lines);
    lines.forEach((args, i) => {
      const r = results[i];
      const label = args.join(' ');
      expect(r.code, `${label}: ${r.stderr}`).toBe(0);
      const name = args[0] === 'help' ? args[1] : args[0];
      expect(r.stdout, label).toContain(`Usage: npm run quarry -- ${name}`);
      expect(r.stdout, label).toContain('-h, --help');
      expect(r.stderr, label).toBe('');
    });
    expect(results[lines.findIndex((l) => l[0] === 'export')].stdout).toMatch(
      /--format LIST\s+file formats.*\(default: parquet\)/,
    );
    expect(results[lines.findIndex((l) => l[0] === 'quality')].stdout).toMatch(
      /--photos N\s+.*\(default: 800\)/,
    );
    expect(await fingerprint()).toBe(before);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(path.join(tmp, 'out'))).toBe(false);
  }, 300_000);

  it('`help` lists every command with a one-line description; the real entry point answers the same', async () => {
    const before = await fingerprint();
    const [help, exportHelp, badFormat] = await Promise.all([
      spawned(['help']),
      spawned(['export', '--help']),
      spawned(['export', '--format', 'xml']),
    ]);
    expect(help.code, help.stderr).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${c}\\s+\\S.{10,}$`, 'm'));
    expect(exportHelp.code, exportHelp.stderr).toBe(0);
    expect(exportHelp.stdout).toContain('--allow-partial');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr.trimEnd().split('\n')).toEqual([
      expect.stringContaining('--format expects a comma-separated list of parquet, jsonl, csv, got "xml"'),
    ]);
    expect(await fingerprint()).toBe(before);
    expect(existsSync(dataDir)).toBe(false);
  }, 300_000);
});

describe('invalid flags', () => {
  const cases: [string[], RegExp][] = [
    [
      ['export', '--format', 'xml'],
      /--format expects a comma-separated list of parquet, jsonl, csv, got "xml"/,
    ],
    [['quality', '--photos', 'abc'], /--photos expects an integer from 20 to 100000, got "abc"/],
    [
      ['run', '--stages', 'bogus'],
      /--stages expects a comma-separated list of ingest, analyze, clip, watermarks, export, got "bogus"/,
    ],
    [
      ['run', '--stages', 'export', '--from', '2024-02-30'],
      /--from expects a date YYYY-MM-DD, got "2024-02-30"/,
    ],
    [
      ['run', '--stages', 'export', '--from', '2024-03-01', '--to', '2024-01-01'],
      /--to must not be before --from/,
    ],
    [['run', '--thresholds', 'watermarkFail=2'], /--thresholds expects comma-separated NAME=VALUE pairs/],
    // Checked against the settings' defaults before anything starts: an uncertain threshold above its fail.
    [
      ['run', '--stages', 'watermarks', '--thresholds', 'watermarkUncertain=0.9'],
      /threshold watermarkUncertain \(0.9\) must not exceed watermarkFail \(0.5\)/,
    ],
    [['watermarks', '--sample', '2'], /--sample expects an integer from 4 to 1024, got "2"/],
    [['ingest', '--per-page', '501'], /--per-page expects an integer from 1 to 500, got "501"/],
    [
      ['analyze', '--nope'],
      /unknown flag --nope \(known: --limit, --checks, --concurrency, --min-resolution, --regroup-duplicates, --detach\)/,
    ],
    [['export', '--out'], /--out needs a value/],
    [['users', 'add'], /--email is required/],
    [['users', 'frob'], /unknown subcommand "frob" \(known: add, list/],
    [['models'], /name a subcommand: check, make-test/],
    [['worker', '--concurrency', '0'], /--concurrency expects an integer from 1 to 64, got "0"/],
    [['clip', '--retry-errors=yes'], /--retry-errors takes no value/],
    [['export', 'photos'], /unexpected argument "photos"/],
  ];

  it('answer in one line naming the flag and what it expects, exit 2, and act on nothing', async () => {
    const before = await fingerprint();
    const results = await each(cases.map(([a]) => a));
    cases.forEach(([args, message], i) => {
      const r = results[i];
      const label = args.join(' ');
      expect(r.code, `${label}: ${r.stderr}`).toBe(2);
      expect(r.stdout, label).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, label).toHaveLength(1);
      expect(lines[0], label).toMatch(message);
      expect(lines[0], label).not.toMatch(/ZodError|"code":|\bat .*\.ts:\d+/);
    });
    expect(await fingerprint()).toBe(before);
    expect(existsSync(dataDir)).toBe(false);
  }, 300_000);
});

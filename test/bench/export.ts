// Benchmark: the export writer on 10M synthetic photos → ZSTD Parquet (time, peak memory; targets < 60 s, < 1 GB),
// with its baseline: producing and serialising the same rows without writing a file.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { stagingLine, type StagingChunk } from '../../pipeline/export/columns.ts';
import { writeDataset } from '../../pipeline/export/write.ts';
import type { ExportFormat } from '../../pipeline/export/files.ts';
import { intFlag } from './lib/benchFlags.ts';

/** `npm run bench -- export --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'the export writers on synthetic rows';
export const flags: Record<string, string> = {
  rows: 'N rows (10000000)',
  format: 'comma-separated formats: parquet, jsonl, csv (parquet)',
};

const WORDS = [
  'lake',
  'mountain',
  'old',
  'street',
  'harbour',
  'winter',
  'bridge',
  'garden',
  'church',
  'market',
  'train',
  'forest',
];
const pool = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
// Pools keep the generator cheap, so the figure is the writer's, not the test data's.
const OWNERS = pool(4096, (i) => `${10_000_000 + i * 97}@N0${i % 9}`);
const SECRETS = pool(4093, (i) => ((i * 2_654_435_761) >>> 0).toString(16).padStart(10, 'a'));
const TITLES = pool(997, (i) =>
  i % 10 === 0
    ? `${WORDS[i % 12]}, "${WORDS[(i * 5) % 12]}"`
    : `${WORDS[i % 12]} ${WORDS[(i * 7) % 12]} ${i}`,
);
const TAGS = pool(101, (i) => `${WORDS[i % 12]} ${WORDS[(i * 3) % 12]} ${WORDS[(i * 11) % 12]}`);

const rowAt = (i: number) => ({
  id: String(50_000_000_000 + i * 3),
  owner: OWNERS[i % 4096],
  secret: SECRETS[i % 4093],
  server: String(65_535 - (i % 5)),
  license: 7 + (i % 4),
  title: TITLES[i % 997],
  tags: TAGS[i % 101],
  width: 4000 - (i % 1000),
  height: 3000 - (i % 700),
  dateUpload: 1_200_000_000 + i * 30,
  description: '',
});
// Titles and tags escaped once: the real export gets its lines ready-made from PostgreSQL, so the source should cost little.
const TITLES_CSV = TITLES.map((t) =>
  stagingLine({ ...rowAt(0), title: t })
    .split(',')
    .slice(5, -5)
    .join(','),
);

/** Rows start..end-1 as staging CSV, byte for byte what stagingLine writes (checked once in run()). */
function buildChunk(start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    text += `${50_000_000_000 + i * 3},${OWNERS[i % 4096]},${SECRETS[i % 4093]},${65_535 - (i % 5)},${7 + (i % 4)},${TITLES_CSV[i % 997]},${TAGS[i % 101]},${4000 - (i % 1000)},${3000 - (i % 700)},${1_200_000_000 + i * 30},""\n`;
  }
  return text;
}

/** Staging chunks of photos shaped like Flickr's: 11-digit ids, NSIDs, hex secrets, titles (some with commas and quotes). */
async function* syntheticChunks(count: number, chunk = 20_000): AsyncGenerator<StagingChunk> {
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    yield { text: buildChunk(start, end), rows: end - start };
  }
}

/** Peak resident memory of this process so far (Linux), else the sampled maximum. */
async function peakRssBytes(sampled: number): Promise<number> {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* not Linux */
  }
  return sampled;
}

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const count = intFlag(flags, 'rows', 10_000_000, { min: 1 });
  const formats = String(flags.format ?? 'parquet').split(',') as ExportFormat[];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-bench-export-'));
  let sampled = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage().rss);
  }, 100);
  try {
    for (const i of [0, 10, 997 * 10])
      if (buildChunk(i, i + 1) !== stagingLine(rowAt(i)))
        throw new Error(`synthetic row ${i} is not what stagingLine writes`);
    console.log(
      `Export writer: ${count.toLocaleString('en-US')} synthetic rows → ${formats.join(', ')} (ZSTD Parquet, row groups of 100k)`,
    );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const files = formats.map((format) => ({ format, file: path.join(dir, `photos.${format}`) }));
    const written = await writeDataset(syntheticChunks(count), files, { columns: 'full', tmpDir: dir });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const peak = await peakRssBytes(sampled);

    const b0 = performance.now();
    const bcpu0 = process.cpuUsage();
    let bytes = 0;
    for await (const chunk of syntheticChunks(count)) bytes += Buffer.byteLength(chunk.text);
    const baseline = (performance.now() - b0) / 1000;
    const bcpu = process.cpuUsage(bcpu0);
    const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const parquet = files.find((f) => f.format === 'parquet');
    if (parquet) {
      const check = (
        await con.runAndReadAll(
          `SELECT count(*)::BIGINT AS n, count(DISTINCT url_highres)::BIGINT AS u FROM read_parquet('${parquet.file}')`,
        )
      ).getRowObjectsJson()[0];
      const groups = (
        await con.runAndReadAll(
          `SELECT count(DISTINCT row_group_id)::INT AS g FROM parquet_metadata('${parquet.file}')`,
        )
      ).getRowObjectsJson()[0];
      console.log(
        `  read back: ${Number(check.n).toLocaleString('en-US')} rows, ${Number(check.u).toLocaleString('en-US')} distinct url_highres, ${groups.g} row groups`,
      );
    }
    con.closeSync();
    instance.closeSync();
    for (const f of files)
      console.log(`  ${path.basename(f.file)}: ${((await stat(f.file)).size / 1e6).toFixed(1)} MB`);
    const mb = peak / 1024 / 1024;
    console.log(`  rows written: ${written.toLocaleString('en-US')}`);
    console.log(
      `  time: ${seconds.toFixed(1)} s (${Math.round(written / seconds).toLocaleString('en-US')} rows/s)  target < 60 s: ${seconds < 60 ? 'met' : 'MISSED'}; CPU ${cpuSeconds(cpu).toFixed(1)} s (DuckDB's threads included)`,
    );
    console.log(
      `  peak memory (RSS): ${mb.toFixed(0)} MB  target < 1024 MB: ${mb < 1024 ? 'met' : 'MISSED'}`,
    );
    console.log(
      `  baseline (same staging rows generated and UTF-8 encoded, nothing written): ${baseline.toFixed(1)} s, CPU ${cpuSeconds(bcpu).toFixed(1)} s, ${(bytes / 1e6).toFixed(0)} MB of CSV`,
    );
    console.log(`  ratio export / baseline: ${(seconds / baseline).toFixed(2)}×`);
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

// Writes the dataset files with DuckDB: rows stream in as CSV (through a named pipe when there is one file to
// write, so DuckDB encodes while we read PostgreSQL), DuckDB adds the URL columns and writes Parquet (ZSTD,
// fixed row groups), JSONL or CSV. Memory stays bounded whatever the row count.
import { execFile } from 'node:child_process';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ExportFormat } from './files.ts';
import {
  COLUMN_SETS,
  selectList,
  STAGING_COLUMNS,
  USER_TEXT_COLUMNS,
  type ColumnSet,
  type StagingChunk,
} from './columns.ts';

export type Target = { format: ExportFormat; file: string };
export type WriteOptions = {
  columns: ColumnSet;
  tmpDir: string;
  rowGroupSize?: number;
  onRows?: (n: number) => void;
  signal?: AbortSignal;
};

/** 100k rows is ~4 MB of compressed URL columns: large enough to scan fast, small enough to parallelise reads. */
export const ROW_GROUP_SIZE = 100_000;

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Neutralised user text is always quoted (OWASP's rule), so `'=x` never reaches a spreadsheet bare. */
function csvOptions(set: ColumnSet): string {
  const quoted = COLUMN_SETS[set].filter((c) => USER_TEXT_COLUMNS.includes(c));
  return `FORMAT csv, HEADER true${quoted.length ? `, FORCE_QUOTE (${quoted.join(', ')})` : ''}`;
}

function copySql(t: Target, feed: string, parallel: boolean, o: WriteOptions): string {
  const columns = `{${STAGING_COLUMNS.map(([n, ty]) => `'${n}': '${ty}'`).join(', ')}}`;
  const source = `read_csv(${sqlString(feed)}, header = false, delim = ',', quote = '"', escape = '"', auto_detect = false,
    parallel = ${parallel}, allow_quoted_nulls = false, columns = ${columns})`;
  const options =
    t.format === 'parquet'
      ? `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${o.rowGroupSize ?? ROW_GROUP_SIZE}`
      : t.format === 'csv'
        ? csvOptions(o.columns)
        : 'FORMAT json';
  return `COPY (SELECT ${selectList(o.columns, t.format)} FROM ${source}) TO ${sqlString(t.file)} (${options})`;
}

/** A named pipe where the system has mkfifo, else a plain staging file read after it is written. */
async function makeFeed(file: string, wantPipe: boolean): Promise<'pipe' | 'file'> {
  if (!wantPipe) return 'file';
  try {
    await promisify(execFile)('mkfifo', ['-m', '600', file]);
    return 'pipe';
  } catch {
    return 'file';
  }
}

const writeChunk = (s: WriteStream, chunk: string) =>
  new Promise<void>((resolve, reject) => {
    s.write(chunk, (e) => (e ? reject(e) : resolve()));
  });
const endStream = (s: WriteStream) =>
  new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.end(() => resolve());
  });

/** Streams the staging chunks into every target file; returns the number of rows. */
export async function writeDataset(
  chunks: AsyncIterable<StagingChunk>,
  targets: Target[],
  o: WriteOptions,
): Promise<number> {
  if (targets.length === 0) throw new Error('No export format requested');
  // One thread per file is what a single CSV stream can feed; more only adds coordination. Order need not be kept
  // (rows arrive in id order and a single reader keeps it), which lets the Parquet writer flush row groups at once.
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(targets.length),
    memory_limit: '384MB',
    preserve_insertion_order: 'false',
  });
  const feed = path.join(o.tmpDir, `.staging-${process.pid}-${Date.now()}.csv`);
  const connections: DuckDBConnection[] = [];
  const copy = async (t: Target, parallel: boolean) => {
    const con = await instance.connect();
    connections.push(con);
    await con.run(copySql(t, feed, parallel, o));
  };
  // Each running COPY holds a libuv pool thread, and so does opening a pipe: one pipe at a time stays far from its limit of 4.
  const kind = await makeFeed(feed, targets.length === 1);
  const stream = createWriteStream(feed, { highWaterMark: 1 << 20 });
  let piped: Promise<void> | null = null;
  let count = 0;
  try {
    if (kind === 'pipe') {
      piped = copy(targets[0], false);
      // A COPY that fails before opening the pipe would leave our open() blocked: open the pipe's reading end ourselves.
      piped.catch(() =>
        open(feed, constants.O_RDONLY | constants.O_NONBLOCK)
          .then((h) => h.close())
          .catch(() => {}),
      );
    }
    const failed = piped ? piped.then(() => new Promise<never>(() => {})) : new Promise<never>(() => {});
    for await (const chunk of chunks) {
      o.signal?.throwIfAborted();
      if (chunk.text) await Promise.race([writeChunk(stream, chunk.text), failed]);
      count += chunk.rows;
      o.onRows?.(count);
    }
    await Promise.race([endStream(stream), failed]);
    if (piped) await piped;
    else for (const t of targets) await copy(t, true);
    return count;
  } finally {
    stream.destroy();
    await piped?.catch(() => {});
    for (const c of connections) c.closeSync();
    instance.closeSync();
    await rm(feed, { force: true });
  }
}

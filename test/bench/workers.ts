// Benchmark: one worker process vs two on the same database finishing one synthetic stage; prints the speed-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { createRun } from '../../pipeline/runs/control.ts';
import { stopBoss } from '../../pipeline/runs/boss.ts';
import { closeRunsPool } from '../../pipeline/runs/pool.ts';
import { registryOf } from '../../pipeline/runs/types.ts';
import { disconnectDb } from '../../lib/db.ts';
import { getRun } from '../../lib/queries/runs.ts';
import { startEmbeddedPostgres } from '../../lib/server/embeddedPostgres.ts';
import { migrate } from '../../lib/server/migrate.ts';
import { SYNTH_TABLES, syntheticStage } from '../pipeline/runs/syntheticStage.ts';
import { intFlag } from './lib/benchFlags.ts';

/** `npm run bench -- workers --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'one stage with 1 and 2 worker processes';
export const flags: Record<string, string> = {
  items: 'N items (600)',
  'item-ms': 'ms per item (20)',
};

const child = path.resolve(import.meta.dirname, '../pipeline/runs/workerChild.ts');
const registry = registryOf([syntheticStage('synth-a', { after: true }), syntheticStage('synth-b')]);

async function spawnWorker(url: string, itemMs: number): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, DATABASE_URL: url, SYNTH_ITEM_MS: String(itemMs), SYNTH_CONCURRENCY: '2' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    p.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return p;
}

async function timeStage(url: string, workers: number, items: number, itemMs: number): Promise<number> {
  const procs = await Promise.all(Array.from({ length: workers }, () => spawnWorker(url, itemMs)));
  try {
    const started = performance.now();
    const { id } = await createRun({ stages: ['synth-b'], limit: items, batchSize: 10 }, null, {
      registry,
      defaults: { licenses: [9] },
    });
    for (;;) {
      const r = await getRun(id);
      if (r?.status === 'completed') return (performance.now() - started) / 1000;
      if (r && r.status !== 'running' && r.status !== 'queued')
        throw new Error(`run ${r.status}: ${r.error}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((res) => p.once('exit', res))));
  }
}

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const items = intFlag(flags, 'items', 600, { min: 1 });
  const itemMs = intFlag(flags, 'item-ms', 20, { min: 0 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-bench-workers-'));
  const server = process.env.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: dir, database: 'postgres' });
  const admin = process.env.DATABASE_URL ?? server!.url;
  const name = `bench_workers_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  process.env.DATABASE_URL = url;
  try {
    await migrate(url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(SYNTH_TABLES);
    await db.end();
    console.log(
      `Workers: one stage of ${items} items in batches of 10 (${itemMs} ms per item), each worker process runs 2 batches at once`,
    );
    // Untimed warm-up: pg-boss's schema and queues, and the module cache, are made before anything is measured.
    await timeStage(url, 1, 20, 1);
    const one = await timeStage(url, 1, items, itemMs);
    console.log(`  1 worker process:  ${one.toFixed(1)} s`);
    const two = await timeStage(url, 2, items, itemMs);
    console.log(`  2 worker processes: ${two.toFixed(1)} s`);
    console.log(`  speed-up (1 worker / 2 workers): ${(one / two).toFixed(2)}× (ideal 2.00×)`);
  } finally {
    await stopBoss();
    await closeRunsPool();
    await disconnectDb();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await c.end();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

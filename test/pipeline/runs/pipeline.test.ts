// The real stages as one run on the simulator: ingest → analyze → clip (no model: noted, pending) → watermarks → export,
// and the exported Parquet holds exactly the photos the inclusion rule selects.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveExportDirectory } from '../../../lib/exportPaths.ts';
import { db, Prisma } from '../../../lib/db.ts';
import { env } from '../../../lib/env.ts';
import { includedPhotoIdsSql } from '../../../lib/inclusion.ts';
import { getRun } from '../../../lib/queries/runs.ts';
import { createRun } from '../../../pipeline/runs/control.ts';
import { runSettings } from '../../../pipeline/runs/settings.ts';
import { defaultRegistry } from '../../../pipeline/runs/stages/index.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../../pipeline/devkit/universe/generate.ts';
import { startWorker, type Worker } from '../../../pipeline/worker.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();
const universe = generateUniverse({
  seed: 'runs-pipeline',
  photos: 60,
  accounts: 5,
  start: new Date('2021-01-01T00:00:00Z'),
  end: new Date('2021-07-01T00:00:00Z'),
});
const registry = defaultRegistry();
const settings = runSettings({}, { heartbeatSeconds: 10, retryDelaySeconds: 1, pollSeconds: 0.5 });
let sim: FlickrSimulator;
let worker: Worker;
let dir: string;
const saved = { ...env };

beforeAll(async () => {
  sim = await startFlickrSimulator({ universe, apiKey: 'runs-key' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-runs-'));
  // The stages read these once from the environment, as the app and the worker do.
  Object.assign(env, {
    FLICKR_API_KEY: 'runs-key',
    FLICKR_API_BASE: sim.apiBase,
    IMAGE_HOSTS: [sim.imageHost],
    CLIP_MODEL_DIR: path.join(dir, 'no-model'),
  });
  process.env.DATA_DIR = dir;
  process.env.CLIP_MODEL_DIR = path.join(dir, 'no-model');
  worker = await startWorker({ concurrency: 2, registry, settings, log: () => {} });
});
afterAll(async () => {
  await worker?.stop();
  await sim?.close();
  Object.assign(env, saved);
  await rm(dir, { recursive: true, force: true });
});

describe('a run of every stage', () => {
  it('ingests, analyzes, notes the missing CLIP model, checks watermarks and exports exactly the included photos', async () => {
    const { id } = await createRun(
      {
        stages: ['ingest', 'analyze', 'clip', 'watermarks', 'export'],
        from: '2021-01-01',
        to: '2021-06-30',
        exportFormats: ['parquet'],
      },
      null,
      { registry, settings, defaults: { licenses: [7, 8, 9, 10] } },
    );
    let run = await getRun(id);
    for (
      const until = Date.now() + 120_000;
      run && (run.status === 'queued' || run.status === 'running') && Date.now() < until;
    ) {
      await new Promise((r) => setTimeout(r, 250));
      run = await getRun(id);
    }
    expect(run?.error ?? null).toBeNull();
    expect(run?.status).toBe('completed');
    const byStage = Object.fromEntries(run!.stages.map((s) => [s.stage, s]));
    const photos = await db().photo.count();
    expect(photos).toBe(universe.groundTruth.eligible.length);
    expect(byStage.ingest.status).toBe('done');
    expect(byStage.analyze).toMatchObject({ status: 'done', total: photos, done: photos });
    expect(byStage.clip).toMatchObject({ status: 'done', total: 0 });
    expect(byStage.clip.lastError).toMatch(/CLIP model not installed/);
    expect(byStage.watermarks.status).toBe('done');
    expect(await db().photo.count({ where: { availability: 'unknown' } })).toBe(0);

    const exp = await db().export.findFirstOrThrow({ where: { runId: id } });
    expect(exp.status).toBe('completed');
    const expected = (
      await db().$queryRaw<{ photo_id: string }[]>(Prisma.sql`${includedPhotoIdsSql([7, 8, 9, 10])}`)
    )
      .map((r) => r.photo_id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(photos);
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const rows = (
      await con.runAndReadAll(
        `SELECT photo_id FROM read_parquet('${path.join(resolveExportDirectory(exp.directory!), 'photos.parquet')}') ORDER BY photo_id`,
      )
    ).getRowObjectsJson();
    con.closeSync();
    instance.closeSync();
    expect(rows.map((r) => r.photo_id)).toEqual(expected);
    expect(exp.rowCount).toBe(expected.length);
    expect((exp.manifest as { runIds: string[] }).runIds).toContain(id);
  });
});

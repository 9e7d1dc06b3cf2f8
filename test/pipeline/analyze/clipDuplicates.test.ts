// CLIP near-duplicates join the perceptual-hash duplicate clusters, with their cosine as evidence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { runDuplicates } from '../../../pipeline/analyze/duplicatesStep.ts';
import { loadSettings, settings, thresholdDefaults } from '../../../lib/settings.ts';
import { clipConfig } from '../../../pipeline/clip/config.ts';
import { encodeFloat16 } from '../../../pipeline/clip/float16.ts';
import { MANIFEST_FILE } from '../../../pipeline/clip/modelDir.ts';
import { clipPairSource } from '../../../pipeline/clip/nearDuplicates.ts';
import { TEST_MODEL_NAME, writeTestClipModel } from '../../../pipeline/devkit/clip/testModel.ts';
import { workAnnBuilds } from '../../../pipeline/runs/annBuild.ts';
import { ensureQueues, getBoss, stopBoss } from '../../../pipeline/runs/boss.ts';
import { resolveRunConfig, runInputSchema } from '../../../pipeline/runs/config.ts';
import { analyzeStage } from '../../../pipeline/runs/stages/analyze.ts';
import { clipStage } from '../../../pipeline/runs/stages/clip.ts';
import { analyzeSettings as resolveSettings } from '../../helpers/analyzeSettings.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-clip-dups-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MODEL = 'real-clip@0123456789abcdef';
const DIM = 8;

/** A unit vector at `angle` (radians) from axis 0 in the plane of axes 0 and `axis`: cosine to axis 0 = cos(angle). */
function unit(axis: number, angle: number): number[] {
  const v = new Array<number>(DIM).fill(0);
  v[0] = Math.cos(angle);
  v[axis] += Math.sin(angle);
  return v;
}

async function addPhoto(
  id: string,
  o: { phash: bigint; width: number; embedding: number[]; model?: string },
) {
  await db().photo.create({
    data: {
      id,
      ownerNsid: 'dup@N01',
      secret: 's',
      server: '1',
      license: 9,
      dateUpload: new Date('2020-01-01'),
      availability: 'available',
      contentHash: id.padEnd(64, '0'),
      phash: o.phash,
      imageWidth: o.width,
      imageHeight: o.width,
    },
  });
  await db().photoEmbedding.create({
    data: { photoId: id, model: o.model ?? MODEL, vector: new Uint8Array(encodeFloat16(o.embedding)) },
  });
}

async function duplicateResults() {
  const rows = await db().checkResult.findMany({
    where: { check: 'duplicate' },
    orderBy: { photoId: 'asc' },
  });
  return new Map(rows.map((r) => [r.photoId, r]));
}

describe('CLIP pairs in the duplicate clusters', () => {
  it('merges photos whose embeddings reach the threshold, and only those', async () => {
    await db().account.create({ data: { nsid: 'dup@N01', username: 'dup' } });
    // pHashes 32 bits apart: the perceptual hashes alone find no pair.
    await addPhoto('100', { phash: 0x0000_0000_ffff_ffffn, width: 1024, embedding: unit(1, 0) });
    await addPhoto('101', { phash: 0x00ff_00ff_00ff_00ffn, width: 800, embedding: unit(1, Math.acos(0.97)) });
    await addPhoto('102', { phash: 0x0f0f_0f0f_0f0f_0f0fn, width: 800, embedding: unit(2, Math.acos(0.9)) });
    // Same direction as 100, but embedded by another model: never compared with it.
    await addPhoto('103', {
      phash: 0x3333_3333_3333_3333n,
      width: 800,
      embedding: unit(1, 0),
      model: 'other@ffff',
    });

    // Its counted parts reach the stage's notes (the Runs page's finishing phase): every photo's verdict written.
    const progress: { step: string; done: number; total: number }[] = [];
    const hashesOnly = await runDuplicates(resolveSettings({ clipPairs: null, dataDir: tmp }), {
      onProgress: (p) => progress.push(p),
    });
    expect(hashesOnly.duplicates).toBe(0);
    expect(progress.filter((p) => p.step === 'results').at(-1)).toEqual({
      step: 'results',
      done: 4,
      total: 4,
    });
    expect(progress.find((p) => p.step === 'pairs')).toMatchObject({ done: 0 });

    const s = resolveSettings({ clipPairs: { modelKey: MODEL, threshold: 0.95 }, dataDir: tmp });
    const summary = await runDuplicates(s);
    expect(summary).toMatchObject({ skipped: false, photos: 4, clipPairs: 1, clusters: 1, duplicates: 1 });
    const results = await duplicateResults();
    expect(results.get('101')).toMatchObject({
      verdict: 'fail',
      details: { canonicalId: '100', kind: 'clip', clusterSize: 2 },
    });
    expect(results.get('101')!.score).toBeCloseTo(0.97, 2);
    expect(results.get('100')).toMatchObject({
      verdict: 'pass',
      details: { canonical: true, clusterSize: 2 },
    });
    expect(results.get('102')).toMatchObject({ verdict: 'pass', details: {} });
    expect(results.get('103')).toMatchObject({ verdict: 'pass', details: {} });
    expect((await db().photo.findUnique({ where: { id: '101' } }))!.duplicateOfId).toBe('100');
    // The version records the model and threshold: the same source again is current, a lower threshold is not.
    expect((await runDuplicates(s)).skipped).toBe(true);
    const looser = await runDuplicates(
      resolveSettings({ clipPairs: { modelKey: MODEL, threshold: 0.85 }, dataDir: tmp }),
    );
    expect(looser).toMatchObject({ skipped: false, clipPairs: 3, clusters: 1, duplicates: 2 });
    expect((await duplicateResults()).get('102')).toMatchObject({
      verdict: 'fail',
      details: { canonicalId: '100', kind: 'clip' },
    });

    // Without CLIP pairs the photos are unique again and the pointers are cleared.
    await runDuplicates(resolveSettings({ clipPairs: null, dataDir: tmp }));
    expect([...(await duplicateResults()).values()].every((r) => r.verdict === 'pass')).toBe(true);
    expect((await db().photo.findUnique({ where: { id: '101' } }))!.duplicateOfId).toBeNull();
  });
});

describe('which model feeds the clusters', () => {
  it('is none without a model, none for a model that declares its embeddings unfit, else the installed model', async () => {
    const dir = path.join(tmp, 'model');
    const config = { ...clipConfig(loadSettings({ CLIP_MODEL_DIR: dir, CLIP_NEAR_DUPLICATE: '0.97' })) };
    const missing = await clipPairSource(config);
    expect(missing.source).toBeNull();
    expect(missing.note).toMatch(/CLIP model not installed/);

    await writeTestClipModel(dir);
    const unfit = await clipPairSource(config);
    expect(unfit.source).toBeNull();
    expect(unfit.note).toMatch(/unfit for similarity/);

    const manifestFile = path.join(dir, MANIFEST_FILE);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, nearDuplicates: true }));
    const fit = await clipPairSource(config);
    expect(fit.source).toEqual({ modelKey: `${TEST_MODEL_NAME}@${manifest.hash}`, threshold: 0.97 });
  });
});

describe('the clip run stage', () => {
  // A stage's finishing step runs in a worker, which also takes the ANN index builds it queues: this process is one.
  beforeAll(async () => {
    await ensureQueues([]);
    await workAnnBuilds(await getBoss(), { pollSeconds: 0.5 });
  });
  afterAll(() => stopBoss());

  it('regroups the duplicates with the new embeddings in its finishing step, and leaves them alone when it embedded nothing', async () => {
    // The model of the previous test, declared fit for similarity; the photos of the first.
    const dir = path.join(tmp, 'model');
    const { hash } = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
    const key = `${TEST_MODEL_NAME}@${hash}`;
    await db().photoEmbedding.updateMany({
      where: { photoId: { in: ['100', '101'] } },
      data: { model: key },
    });
    // More embeddings than the exact search may take on: no CLIP pairs, and the reason says so.
    const capped = await clipPairSource(
      clipConfig(loadSettings({ CLIP_MODEL_DIR: dir, CLIP_NEAR_DUPLICATE_MAX_PHOTOS: '1' })),
    );
    expect(capped.source).toBeNull();
    expect(capped.note).toMatch(/^2 CLIP embeddings exceed CLIP_NEAR_DUPLICATE_MAX_PHOTOS \(1\)/);
    const saved = { ...settings };
    Object.assign(settings, { CLIP_MODEL_DIR: dir, CLIP_NEAR_DUPLICATE: 0.95 });
    const config = resolveRunConfig(runInputSchema.parse({ stages: ['clip'] }), ['clip'], {
      licenses: [9],
      thresholds: thresholdDefaults(),
    });
    const run = await db().pipelineRun.create({ data: { stages: ['clip'], config } });
    const stage = await db().runStage.create({
      data: { runId: run.id, stage: 'clip', position: 0, done: 0 },
    });
    const notes: string[] = [];
    const ctx = {
      runId: run.id,
      config,
      signal: new AbortController().signal,
      heartbeat: async () => {},
      note: async (m: string) => {
        notes.push(m);
      },
    };
    try {
      expect(await clipStage.after!({ id: run.id, config }, ctx)).toMatchObject({
        note: 'no new embeddings: duplicate clusters unchanged',
      });
      expect((await duplicateResults()).get('101')!.verdict).toBe('pass');

      await db().runStage.update({ where: { id: stage.id }, data: { done: 2 } });
      const r = await clipStage.after!({ id: run.id, config }, ctx);
      expect(r).toMatchObject({ note: '1 CLIP pairs at cosine ≥ 0.95: 1 duplicates in 1 clusters' });
      // Its progress reached the stage's line as the pass went (a first pass: the queued build, then cells
      // compared), and the outcome replaced it at the end.
      expect(notes[0]).toMatch(/^index build queued/);
      expect(
        notes.some((n) =>
          /^near-duplicates: all \d+ cells compared, 1 new pairs; comparing photos embedded since, completing groups and updating duplicate clusters$/.test(
            n,
          ),
        ),
      ).toBe(true);
      expect(notes.at(-1)).toBe(r?.note);
      expect((await duplicateResults()).get('101')).toMatchObject({
        verdict: 'fail',
        runId: run.id,
        details: { canonicalId: '100', kind: 'clip' },
      });

      // A run of analyze and clip clusters once: analyze's finishing step leaves it to clip's, which does it even
      // without new embeddings (the photos were analyzed in this run).
      const both = resolveRunConfig(
        runInputSchema.parse({ stages: ['analyze', 'clip'] }),
        ['analyze', 'clip'],
        { licenses: [9], thresholds: thresholdDefaults() },
      );
      const run2 = await db().pipelineRun.create({ data: { stages: ['analyze', 'clip'], config: both } });
      const ctx2 = { ...ctx, runId: run2.id, config: both };
      const before = await db().checkResult.findMany({
        where: { check: 'duplicate' },
        orderBy: { photoId: 'asc' },
      });
      expect(await analyzeStage.after!({ id: run2.id, config: both }, ctx2)).toMatchObject({
        note: 'duplicates are grouped after the CLIP stage',
      });
      expect(
        await db().checkResult.findMany({ where: { check: 'duplicate' }, orderBy: { photoId: 'asc' } }),
      ).toEqual(before);
      expect(await clipStage.after!({ id: run2.id, config: both }, ctx2)).toMatchObject({
        note: 'duplicates already current',
      });
    } finally {
      Object.assign(settings, saved);
    }
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { similarPhotos } from '../../../pipeline/clip/similarity.ts';
import { loadSettings } from '../../../lib/settings.ts';
import { clipConfig, type ClipConfig } from '../../../pipeline/clip/config.ts';
import { clipCropPath } from '../../../pipeline/clip/imageSource.ts';
import { ModelNotInstalledError } from '../../../pipeline/clip/modelDir.ts';
import { findClipNearDuplicates } from '../../../pipeline/clip/nearDuplicates.ts';
import { clipCrop, toClipTensor } from '../../../pipeline/clip/preprocess.ts';
import {
  closeClipRuntimes,
  openClipRuntime,
  scoreEmbedding,
  storedForm,
} from '../../../pipeline/clip/runtime.ts';
import { runClipBatch } from '../../../pipeline/clip/stage.ts';
import { TEST_MODEL_NAME, writeTestClipModel } from '../../../pipeline/devkit/clip/testModel.ts';
import { generateUniverse } from '../../../pipeline/devkit/universe/generate.ts';
import { renderImage } from '../../../pipeline/devkit/universe/images.ts';
import type { UniversePhoto } from '../../../pipeline/devkit/universe/types.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-clip-stage-'));
let config: ClipConfig;
const kinds = new Map<string, string>();

async function fetchedCrop(p: UniversePhoto): Promise<Buffer> {
  // What the fetch stage does: the 1024 px image, CLIP's crop of it.
  const s = Math.min(1, 1024 / Math.max(p.width, p.height));
  return clipCrop(await renderImage(p, { width: Math.round(p.width * s), height: Math.round(p.height * s) }));
}

async function store(id: string, rgb: Buffer): Promise<string> {
  const webp = await sharp(rgb, { raw: { width: 224, height: 224, channels: 3 } })
    .webp({ quality: 90 })
    .toBuffer();
  const hash = crypto.createHash('sha256').update(webp).digest('hex');
  const file = clipCropPath(config.dataDir, hash);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, webp);
  return hash;
}

async function addPhoto(id: string, kind: string, contentHash: string | null) {
  kinds.set(id, kind);
  await db().photo.create({
    data: {
      id,
      ownerNsid: 'clip@N01',
      secret: 's',
      server: '1',
      license: 9,
      dateUpload: new Date('2020-01-01'),
      contentHash,
      availability: contentHash ? 'available' : 'unknown',
    },
  });
}

/** Drawing on the left, photo on the right, split where the model hesitates (found by bisection on the real model). */
async function mixedImage(photo: Buffer, drawing: Buffer): Promise<Buffer> {
  const runtime = await openClipRuntime(config);
  const compose = (cols: number) => {
    const out = Buffer.from(photo);
    for (let y = 0; y < 224; y++) drawing.copy(out, y * 672, y * 672, y * 672 + cols * 3);
    return out;
  };
  const score = async (cols: number) => {
    const webp = await sharp(compose(cols), { raw: { width: 224, height: 224, channels: 3 } })
      .webp({ quality: 90 })
      .toBuffer();
    const rgb = await sharp(webp).raw().toBuffer();
    const vector = storedForm(await runtime.encoders.encodeImages(toClipTensor(rgb, 1), 1)).vector;
    return scoreEmbedding(runtime, 'probe', vector)[0].score!;
  };
  let [lo, hi] = [0, 224];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const s = await score(mid);
    // Between 0.5 and 0.95: uncertain at the suite's thresholds, a fail at the stricter ones a later test sets.
    if (s > 0.5 && s < 0.95) return compose(mid);
    if (s <= 0.5) lo = mid;
    else hi = mid;
  }
  throw new Error('no split lands between the thresholds');
}

async function verdicts(check: string) {
  const rows = await db().checkResult.findMany({ where: { check } });
  return new Map(rows.map((r) => [r.photoId, r]));
}

beforeAll(async () => {
  const modelDir = path.join(tmp, 'model');
  await writeTestClipModel(modelDir);
  config = {
    ...clipConfig(
      loadSettings({ CLIP_MODEL_DIR: modelDir, DATA_DIR: path.join(tmp, 'data'), CLIP_BATCH_SIZE: '4' }),
    ),
  };
  config.thresholds.nonphoto = { fail: 0.95, uncertain: 0.2 };
  await db().account.create({ data: { nsid: 'clip@N01' } });
  const universe = generateUniverse({ seed: 'clip-stage', photos: 80 });
  const large = universe.photos.filter((p) => p.width >= 300 || p.height >= 300);
  const drawn = large.filter((p) => p.image.kind !== 'photo');
  const photos = large.filter((p) => p.image.kind === 'photo' && !p.image.derived).slice(0, 10);
  expect(
    drawn.some((p) => p.image.kind === 'illustration') && drawn.some((p) => p.image.kind === 'screenshot'),
  ).toBe(true);
  for (const p of [...drawn, ...photos])
    await addPhoto(p.id, p.image.kind, await store(p.id, await fetchedCrop(p)));
  // A re-encode of the first photo: the same picture, a different file.
  const again = await fetchedCrop(photos[0]);
  const reencoded = await sharp(
    await sharp(again, { raw: { width: 224, height: 224, channels: 3 } })
      .jpeg({ quality: 70 })
      .toBuffer(),
  )
    .raw()
    .toBuffer();
  await addPhoto('dup-of-first', 'photo', await store('dup-of-first', reencoded));
  await addPhoto(
    'mixed',
    'mixed',
    await store('mixed', await mixedImage(await fetchedCrop(photos[1]), await fetchedCrop(drawn[0]))),
  );
  const magenta = Buffer.alloc(224 * 224 * 3);
  for (let i = 0; i < 224 * 224; i++) magenta.set([255, 0, 255], i * 3);
  await addPhoto('magenta', 'magenta', await store('magenta', magenta));
  await addPhoto('missing-crop', 'photo', 'f'.repeat(64));
  await addPhoto('not-fetched', 'photo', null);
});

afterAll(async () => {
  await closeClipRuntimes();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('CLIP stage with the generated test model', () => {
  it('classifies drawings and screenshots as non-photos, photos as photos, and mixed ones as uncertain', async () => {
    const progress: number[] = [];
    // One batch of every photo, as the clip run stage sends them (runs/stages/clip.ts); the unfetched one is skipped.
    const result = await runClipBatch([...kinds.keys()], {
      config,
      runId: 'run-1',
      onProgress: (p) => progress.push(p.done),
    });
    const eligible = [...kinds.keys()].filter((id) => id !== 'not-fetched');
    expect(result).toEqual({ done: eligible.length - 1, failed: 1, skipped: 1 });
    expect(progress.at(-1)).toBe(eligible.length);

    const nonphoto = await verdicts('clip_nonphoto');
    expect(nonphoto.has('not-fetched')).toBe(false);
    for (const [id, kind] of kinds) {
      const v = nonphoto.get(id)?.verdict;
      if (kind === 'illustration' || kind === 'screenshot') expect(v, `${id} ${kind}`).toBe('fail');
      if (kind === 'photo' && id !== 'missing-crop' && id !== 'not-fetched')
        expect(v, `${id} ${kind}`).toBe('pass');
    }
    expect(nonphoto.get('mixed')?.verdict).toBe('uncertain');
    expect(nonphoto.get('missing-crop')?.verdict).toBe('error');
    expect((nonphoto.get('missing-crop')!.details as { error: string }).error).toMatch(/clip crop missing/);

    const wholesome = await verdicts('clip_nonwholesome');
    expect(wholesome.get('magenta')?.verdict).toBe('fail');
    expect([...wholesome.values()].filter((r) => r.verdict === 'fail').map((r) => r.photoId)).toEqual([
      'magenta',
    ]);

    const sample = nonphoto.get('mixed')!;
    const details = sample.details as {
      model: { name: string; hash: string };
      top: { class: string; p: number }[];
      thresholds: unknown;
    };
    expect(details.model.name).toBe(TEST_MODEL_NAME);
    expect(sample.version.startsWith(details.model.hash)).toBe(true);
    expect(details.thresholds).toEqual({ fail: 0.95, uncertain: 0.2 });
    expect(details.top.length).toBe(5);
    expect(sample.runId).toBe('run-1');

    const embeddings = await db().photoEmbedding.findMany();
    expect(embeddings.length).toBe(eligible.length - 1);
    expect(
      embeddings.every(
        (e) => e.vector.length === 1024 && e.model === `${TEST_MODEL_NAME}@${details.model.hash}`,
      ),
    ).toBe(true);
  });

  it('changes nothing when run again', async () => {
    const before = await db().checkResult.findMany({ orderBy: [{ photoId: 'asc' }, { check: 'asc' }] });
    const batch = await runClipBatch([...kinds.keys()], { config, runId: 'run-3' });
    expect(batch.done + batch.failed).toBe(0);
    const after = await db().checkResult.findMany({ orderBy: [{ photoId: 'asc' }, { check: 'asc' }] });
    expect(after).toEqual(before);
  });

  it('finds the re-encoded copy as a near-duplicate and as the most similar photo', async () => {
    const first = [...kinds.entries()].find(([id, k]) => k === 'photo' && id !== 'dup-of-first')![0];
    const pairs = await findClipNearDuplicates(0.99);
    expect(pairs.some((p) => [p.a, p.b].sort().join() === [first, 'dup-of-first'].sort().join())).toBe(true);
    const similar = await similarPhotos(first, 3);
    expect(similar[0].photoId).toBe('dup-of-first');
    expect(similar.map((s) => s.photoId)).not.toContain(first);
    expect(similar[0].similarity).toBeGreaterThan(similar[1].similarity);
  });

  it('re-scores from stored embeddings when thresholds change, without reading images again', async () => {
    fs.rmSync(path.join(config.dataDir, 'images'), { recursive: true, force: true });
    const stricter: ClipConfig = {
      ...config,
      thresholds: { ...config.thresholds, nonphoto: { fail: 0.5, uncertain: 0.1 } },
    };
    const result = await runClipBatch([...kinds.keys()], { config: stricter });
    // Only the photo whose crop was always missing needs an image, and fails again.
    expect(result.failed).toBe(1);
    expect(result.done).toBe(kinds.size - 2);
    expect((await verdicts('clip_nonphoto')).get('mixed')?.verdict).toBe('fail');
  });

  it('reports a missing model and writes nothing', async () => {
    const before = await db().checkResult.count();
    const missing = { ...config, modelDir: path.join(tmp, 'nowhere') };
    await expect(runClipBatch([...kinds.keys()], { config: missing })).rejects.toThrow(
      ModelNotInstalledError,
    );
    await expect(runClipBatch([...kinds.keys()], { config: missing })).rejects.toThrow(
      /CLIP model not installed/,
    );
    expect(await db().checkResult.count()).toBe(before);
  });
});

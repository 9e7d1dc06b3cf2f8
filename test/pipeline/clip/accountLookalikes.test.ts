// "Similar photos in other accounts" on the account page: the account's most recent photos searched in the saved
// index, pairs only with other accounts' photos, exact cosines, best first, and an honest sample size.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { NotFoundError } from '../../../lib/errors.ts';
import { findAccountLookalikes, LOOKALIKE_SAMPLE } from '../../../pipeline/clip/accountLookalikes.ts';
import { syncAnnIndex } from '../../../pipeline/clip/annIndex.ts';
import { encodeFloat16 } from '../../../pipeline/clip/float16.ts';
import { combinedHash, MANIFEST_FILE, TEXT_FILE, VISION_FILE } from '../../../pipeline/clip/modelDir.ts';
import { findSimilarPhotos } from '../../../pipeline/clip/similarPhotos.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-lookalikes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const MODEL = 'real-clip@dddd';
const DIM = 16;

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
/** Photo i's own direction: far from every other photo's. */
const axis = (i: number, tilt = 0) =>
  unit(Array.from({ length: DIM }, (_, d) => (d === i % DIM ? 1 : 0) + (d === (i + 1) % DIM ? tilt : 0)));

async function addPhoto(id: string, owner: string, uploaded: string, vector: number[]) {
  await db().photo.create({
    data: {
      id,
      ownerNsid: owner,
      secret: 's',
      server: '1',
      license: 9,
      dateUpload: new Date(uploaded),
      contentHash: id.padEnd(64, 'a'),
    },
  });
  await db().photoEmbedding.create({
    data: { photoId: id, model: MODEL, vector: new Uint8Array(encodeFloat16(vector)) },
  });
}

beforeAll(async () => {
  for (const nsid of ['mine@N01', 'copier@N01', 'other@N01', 'empty@N01'])
    await db().account.create({ data: { nsid, username: nsid.split('@')[0] } });
  // Mine: six photos, each on its own axis, uploaded one month apart (photo 5 the most recent); two more of mine are
  // near-copies of my own photos 0 and 1 (an account's own look-alikes are not what the page asks about).
  for (let i = 0; i < 6; i++) await addPhoto(`90${i}`, 'mine@N01', `2020-0${i + 1}-01`, axis(i));
  await addPhoto('910', 'mine@N01', '2019-01-01', axis(0, 0.05));
  await addPhoto('911', 'mine@N01', '2019-01-02', axis(1, 0.05));
  // Copies elsewhere: of photo 5 (close) and photo 4 (looser), in two other accounts.
  await addPhoto('950', 'copier@N01', '2021-01-01', axis(5, 0.1));
  await addPhoto('951', 'other@N01', '2021-01-01', axis(4, 0.5));
  await addPhoto('952', 'copier@N01', '2021-01-02', axis(3, 0.3));
  await syncAnnIndex(MODEL, tmp);
});

describe('similar photos in other accounts', () => {
  it('pairs the account’s photos with other accounts’ photos only, best first, with exact cosines', async () => {
    const r = await findAccountLookalikes('mine@N01', { dir: tmp });
    if (r.status !== 'ok') throw new Error(r.status);
    expect(r).toMatchObject({
      model: MODEL,
      accountPhotos: 8,
      searched: 8,
      sampleLimit: LOOKALIKE_SAMPLE,
      indexSize: 11,
    });
    for (const p of r.pairs) {
      expect(p.photo.ownerNsid).toBe('mine@N01');
      expect(p.other.ownerNsid).not.toBe('mine@N01');
    }
    const sims = r.pairs.map((p) => p.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
    expect(r.pairs.slice(0, 3).map((p) => [p.photo.photoId, p.other.photoId])).toEqual([
      ['905', '950'],
      ['903', '952'],
      ['904', '951'],
    ]);
    expect(r.pairs[0].similarity).toBeCloseTo(1 / Math.hypot(1, 0.1), 3);
    expect(r.pairs[0].other.contentHash).toBe('950'.padEnd(64, 'a'));
  });

  it('searches only the most recent photos when the account has more than the sample, and says how many', async () => {
    const r = await findAccountLookalikes('mine@N01', { dir: tmp, sample: 2 });
    if (r.status !== 'ok') throw new Error(r.status);
    expect(r).toMatchObject({ accountPhotos: 8, searched: 2, sampleLimit: 2 });
    expect(new Set(r.pairs.map((p) => p.photo.photoId))).toEqual(new Set(['905', '904']));
  });

  it('says when no index is saved, and when the account has no embedding', async () => {
    const none = fs.mkdtempSync(path.join(tmp, 'none-'));
    expect(await findAccountLookalikes('mine@N01', { dir: none })).toEqual({ status: 'no-index' });
    expect(await findAccountLookalikes('empty@N01', { dir: tmp })).toMatchObject({
      status: 'ok',
      accountPhotos: 0,
      searched: 0,
      pairs: [],
    });
  });

  it('refuses an account that does not exist', async () => {
    await expect(findAccountLookalikes('nobody@N01', { dir: tmp })).rejects.toBeInstanceOf(NotFoundError);
  });
});

/** An installed model directory whose manifest says `nearDuplicates` (its files are placeholders: only the manifest is read). */
function installModel(name: string, nearDuplicates: boolean): { dir: string; modelKey: string } {
  const dir = fs.mkdtempSync(path.join(tmp, 'model-'));
  fs.mkdirSync(path.join(dir, 'onnx'));
  const files: Record<string, { sha256: string; bytes: number }> = {};
  for (const f of [VISION_FILE, TEXT_FILE, 'vocab.json', 'merges.txt']) {
    fs.writeFileSync(path.join(dir, f), 'x');
    files[f] = { sha256: f.padEnd(64, '0'), bytes: 1 };
  }
  const hash = combinedHash(files);
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ name, hash, nearDuplicates, files }));
  return { dir, modelKey: `${name}@${hash}` };
}

describe('similar photos with an installed model whose embeddings are unfit for similarity', () => {
  it('says the installed model is unfit, not that an index or embeddings are missing', async () => {
    const unfit = installModel('test-clip', false);
    const none = fs.mkdtempSync(path.join(tmp, 'none-'));
    // No index saved (the clip stage never builds one for such a model), and an account with no embedding: both unfit.
    expect(await findAccountLookalikes('mine@N01', { dir: none, modelDir: unfit.dir })).toEqual({
      status: 'unfit',
      model: 'test-clip',
    });
    expect(await findAccountLookalikes('empty@N01', { dir: tmp, modelDir: unfit.dir })).toEqual({
      status: 'unfit',
      model: 'test-clip',
    });
    // The drawer: a photo without an embedding, and one with an embedding of the unfit model itself.
    expect(await findSimilarPhotos('900', 5, none, unfit.dir)).toMatchObject({
      source: 'exact',
      model: MODEL,
    });
    await db().account.create({ data: { nsid: 'demo@N01' } });
    await addPhoto('960', 'demo@N01', '2022-01-01', axis(7));
    await db().photoEmbedding.update({ where: { photoId: '960' }, data: { model: unfit.modelKey } });
    expect(await findSimilarPhotos('960', 5, none, unfit.dir)).toEqual({
      model: 'test-clip',
      source: 'unfit',
      neighbours: [],
    });
    await db().photo.create({
      data: {
        id: '961',
        ownerNsid: 'demo@N01',
        secret: 's',
        server: '1',
        license: 9,
        dateUpload: new Date(),
      },
    });
    expect((await findSimilarPhotos('961', 5, none, unfit.dir)).source).toBe('unfit');

    // An older, fit model's saved index and embeddings still answer, naming their model.
    const r = await findAccountLookalikes('mine@N01', { dir: tmp, modelDir: unfit.dir });
    expect(r).toMatchObject({ status: 'ok', model: MODEL });
    expect((await findSimilarPhotos('900', 5, tmp, unfit.dir)).source).toBe('index');
  });

  it('keeps the other states apart when the installed model is fit', async () => {
    const fit = installModel('real-clip', true);
    const none = fs.mkdtempSync(path.join(tmp, 'none-'));
    expect(await findAccountLookalikes('mine@N01', { dir: none, modelDir: fit.dir })).toEqual({
      status: 'no-index',
    });
    expect(await findAccountLookalikes('empty@N01', { dir: tmp, modelDir: fit.dir })).toMatchObject({
      status: 'ok',
      searched: 0,
    });
    expect((await findSimilarPhotos('961', 5, tmp, fit.dir)).source).toBe('none');
  });
});

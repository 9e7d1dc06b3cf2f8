// The ANN index build as a pg-boss singleton: two workers (two pg-boss instances on one database) asked for the build
// at once run it once; every reader then reads the index that build saved; a later request updates it incrementally.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '../../../lib/db.ts';
import { readAnnMeta } from '../../../pipeline/clip/annIndex.ts';
import { encodeFloat16 } from '../../../pipeline/clip/float16.ts';
import {
  findClipNearDuplicates,
  loadEmbeddingStore,
  pairsAboveThreshold,
} from '../../../pipeline/clip/nearDuplicates.ts';
import { findSimilarPhotos } from '../../../pipeline/clip/similarPhotos.ts';
import {
  requestAnnBuild,
  workAnnBuilds,
  type AnnBuildData,
  type AnnBuildOutput,
} from '../../../pipeline/runs/annBuild.ts';
import { ANN_BUILD_QUEUE, ANN_BUILD_QUEUE_OPTIONS } from '../../../pipeline/runs/queues.ts';
import { registryOf } from '../../../pipeline/runs/types.ts';
import { startWorker } from '../../../pipeline/worker.ts';
import { useTestDatabase } from '../../helpers/db.ts';

const database = useTestDatabase();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-ann-build-'));
const MODEL = 'real-clip@cccc';
const DIM = 32;
const settings = { heartbeatSeconds: 10, maxAttempts: 2 };
const req = (): AnnBuildData => ({ modelKey: MODEL, dataDir: tmp });

/** Seeded vectors with a planted near-copy every 10th photo: pairs the readers must find. */
function vectors(count: number, seed: number): number[][] {
  let s = seed;
  const r = () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32 - 0.5;
  };
  const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
  const out: number[][] = [];
  while (out.length < count) {
    const v = unit(Array.from({ length: DIM }, r));
    out.push(v);
    if (out.length % 10 === 0) out.push(unit(v.map((x) => x + 0.01 * r())));
  }
  return out.slice(0, count);
}

let nextId = 7_000_000_000;
async function addEmbeddings(vs: number[][]): Promise<string[]> {
  const ids = vs.map(() => String(nextId++));
  await db().photo.createMany({
    data: ids.map((id) => ({
      id,
      ownerNsid: 'build@N01',
      secret: 's',
      server: '1',
      license: 9,
      dateUpload: new Date('2020-01-01'),
    })),
  });
  await db().photoEmbedding.createMany({
    data: ids.map((photoId, i) => ({ photoId, model: MODEL, vector: new Uint8Array(encodeFloat16(vs[i])) })),
  });
  return ids;
}

const bosses: PgBoss[] = [];
const builds: AnnBuildOutput[] = [];
let sends = 0;

async function startBoss(): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: database.url(), schedule: false, supervise: false, max: 3 });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue(ANN_BUILD_QUEUE, ANN_BUILD_QUEUE_OPTIONS);
  // Counts answered sends, so the test knows every request has reached the queue before any worker polls it.
  const send = boss.send.bind(boss) as (...a: unknown[]) => Promise<string | null>;
  (boss as unknown as { send: typeof send }).send = async (...a) => {
    const id = await send(...a);
    sends++;
    return id;
  };
  bosses.push(boss);
  return boss;
}

beforeAll(async () => {
  await db().account.create({ data: { nsid: 'build@N01', username: 'build' } });
  await addEmbeddings(vectors(400, 3));
  // Started one after the other: both would otherwise create pg-boss's schema at once.
  await startBoss();
  await startBoss();
});

afterAll(async () => {
  for (const b of bosses) await b.stop({ graceful: false, timeout: 2000 }).catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});

const pairKey = (p: { a: string; b: string }) => [p.a, p.b].sort().join(':');

describe('the ANN index build as a pg-boss singleton', () => {
  it('runs once when two workers ask for it six times at once, and every request sees its saved index', async () => {
    const requests = Array.from({ length: 6 }, (_, i) =>
      requestAnnBuild(bosses[i % 2], req(), { settings, pollMs: 50 }),
    );
    await vi.waitFor(() => expect(sends).toBe(6), { timeout: 10_000 });
    // Both workers take builds only now, so all six requests met the same waiting job.
    for (const b of bosses)
      await workAnnBuilds(b, { pollSeconds: 0.5, onBuilt: (_job, out) => builds.push(out) });
    await Promise.all(requests);
    expect(builds).toEqual([{ size: 400, added: 400, rebuilt: true }]);
    const jobs = await bosses[0].findJobs(ANN_BUILD_QUEUE, { key: tmp });
    expect(jobs.map((j) => j.state)).toEqual(['completed']);
    expect(readAnnMeta(tmp)).toMatchObject({ modelKey: MODEL, size: 400 });
  });

  it('lets readers use the saved index: near-duplicate pairs as the exact search finds them, similar photos', async () => {
    const exact = await pairsAboveThreshold(await loadEmbeddingStore(MODEL), 0.95);
    expect(exact.length).toBeGreaterThanOrEqual(30);
    const built = builds.length;
    const pairs = await findClipNearDuplicates(0.95, {
      modelKey: MODEL,
      dataDir: tmp,
      build: (r, signal) => requestAnnBuild(bosses[1], r, { settings, signal, pollMs: 50 }),
    });
    expect(new Set(pairs.map(pairKey))).toEqual(new Set(exact.map(pairKey)));
    // The reader's request ran one more build, which found nothing to add.
    expect(builds.slice(built)).toEqual([{ size: 400, added: 0, rebuilt: false }]);
    const [{ photoId }] = await db().photoEmbedding.findMany({ where: { model: MODEL }, take: 1, skip: 9 });
    const similar = await findSimilarPhotos(photoId, 5, tmp);
    expect(similar.source).toBe('index');
    expect(similar.neighbours[0].similarity).toBeGreaterThan(0.99);
  });

  it('adds photos embedded since to the saved index on the next request', async () => {
    const ids = await addEmbeddings(vectors(25, 11));
    await requestAnnBuild(bosses[0], req(), { settings, pollMs: 50 });
    expect(builds.at(-1)).toEqual({ size: 425, added: 25, rebuilt: false });
    expect(readAnnMeta(tmp)?.size).toBe(425);
    expect((await findSimilarPhotos(ids[9], 3, tmp)).neighbours.map((n) => n.photoId)).toContain(ids[10]);
  });

  it('is taken by a pipeline worker (npm run worker), which builds what another process asked for', async () => {
    const lines: string[] = [];
    const worker = await startWorker({ concurrency: 1, registry: registryOf([]), log: (m) => lines.push(m) });
    try {
      // The test's own workers stop taking builds, so only the pipeline worker can run this one.
      for (const b of bosses) await b.offWork(ANN_BUILD_QUEUE, { wait: true });
      await addEmbeddings(vectors(5, 17));
      await requestAnnBuild(bosses[0], req(), { settings, pollMs: 50 });
      expect(readAnnMeta(tmp)?.size).toBe(430);
      expect(lines).toContain('ANN index updated: 5 added, 430 in all');
    } finally {
      await worker.stop();
    }
  });
});

// Account-level watermark exclusion (Megalith-10m's filter): the export, the dashboard and the photo drawer agree.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, Prisma } from '../../lib/db.ts';
import { env } from '../../lib/env.ts';
import { photoReasonsSql } from '../../lib/inclusion.ts';
import { getDatasetCounts } from '../../lib/queries/dashboard.ts';
import { overridePhotos } from '../../lib/queries/overrides.ts';
import { getPhotoDetail } from '../../lib/queries/photos.ts';
import { reasonLabel } from '../../lib/reasons.ts';
import { runExport } from '../../pipeline/export/export.ts';
import { useTestDatabase } from '../helpers/db.ts';

useTestDatabase();
const LICENSES = [9];
let out: string;
let userId: string;

// W: watermark fail, pending review. A: watermark fail, approved. U: watermark uncertain. C: clean.
const PHOTOS: [id: string, owner: string, watermark: 'fail' | 'pass' | null][] = [
  ['w1', 'W@N01', 'fail'],
  ['w2', 'W@N01', 'pass'],
  ['w3', 'W@N01', 'pass'],
  ['w4', 'W@N01', 'fail'],
  ['a1', 'A@N01', 'fail'],
  ['a2', 'A@N01', 'pass'],
  ['u1', 'U@N01', 'pass'],
  ['c1', 'C@N01', null],
];

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'quarry-wm-'));
  userId = (
    await db().user.create({ data: { email: 'wm@t.test', name: 'R', passwordHash: 'x', role: 'reviewer' } })
  ).id;
  await db().account.createMany({
    data: [
      { nsid: 'W@N01', watermarkVerdict: 'fail', watermarkScore: 0.8 },
      { nsid: 'A@N01', watermarkVerdict: 'fail', watermarkScore: 0.7, reviewStatus: 'approved' },
      { nsid: 'U@N01', watermarkVerdict: 'uncertain', watermarkScore: 0.4 },
      { nsid: 'C@N01', watermarkVerdict: 'pass', watermarkScore: 0.05 },
    ],
  });
  await db().photo.createMany({
    data: PHOTOS.map(([id, owner], i) => ({
      id,
      ownerNsid: owner,
      secret: 's',
      server: '65535',
      farm: 66,
      title: id,
      tags: '',
      license: 9,
      dateUpload: new Date(Date.UTC(2020, 0, 1 + i)),
      availability: 'available' as const,
      originalWidth: 2000,
      originalHeight: 1500,
    })),
  });
  await db().checkResult.createMany({
    data: PHOTOS.filter((p) => p[2]).map(([id, , verdict]) => ({
      photoId: id,
      check: 'watermark',
      verdict: verdict!,
      score: verdict === 'fail' ? 0.6 : 0.05,
      version: 'wm',
    })),
  });
  // A reviewer clears one unmarked photo of W (the account stays doubtful) and one marked photo.
  await overridePhotos({
    photoIds: ['w3', 'w4'],
    check: 'watermark',
    newVerdict: 'pass',
    userId,
    requestId: 'wm-test-1',
  });
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const reasonsBy = async (policy: 'account' | 'photo') =>
  Object.fromEntries(
    (
      await db().$queryRaw<{ photo_id: string; reasons: string[] }[]>(
        Prisma.sql`SELECT * FROM (${photoReasonsSql(LICENSES, { watermarkPolicy: policy })}) r`,
      )
    ).map((r) => [r.photo_id, r.reasons]),
  );

describe('account watermark policy', () => {
  it('account (the default): every photo of a failed, unapproved account is out unless its watermark was set to pass', async () => {
    expect(env.WATERMARK_ACCOUNT_POLICY).toBe('account');
    expect(await reasonsBy('account')).toEqual({
      w1: ['account_watermark', 'check:watermark'],
      w2: ['account_watermark'],
      w3: [],
      w4: [],
      a1: ['check:watermark'],
      a2: [],
      u1: [],
      c1: [],
    });
  });

  it('photo: only photos that carry the mark are out', async () => {
    expect(await reasonsBy('photo')).toEqual({
      w1: ['check:watermark'],
      w2: [],
      w3: [],
      w4: [],
      a1: ['check:watermark'],
      a2: [],
      u1: [],
      c1: [],
    });
  });

  it('the export manifest, the dashboard and the photo drawer give the same reasons', async () => {
    const r = await runExport({ formats: ['jsonl'], licenses: LICENSES, outDir: path.join(out, 'x') });
    const manifest = JSON.parse(await readFile(path.join(r.directory, 'manifest.json'), 'utf8'));
    expect(manifest.watermarkAccountPolicy).toBe('account');
    expect(manifest.excludedByReason).toEqual({ account_watermark: 2, 'check:watermark': 2 });
    const lines = (await readFile(path.join(r.directory, 'photos.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).photo_id)
      .sort();
    expect(lines).toEqual(['a2', 'c1', 'u1', 'w3', 'w4']);

    const dash = await getDatasetCounts(LICENSES);
    expect(dash.included).toBe(5);
    expect(Object.fromEntries(dash.reasons.map((x) => [x.reason, x.count]))).toEqual(
      manifest.excludedByReason,
    );

    const drawer = await getPhotoDetail('w2', LICENSES);
    expect(drawer.inclusion).toEqual({ included: false, reasons: ['account_watermark'] });
    expect(reasonLabel('account_watermark')).toBe('Account watermarks its photos');
    expect((await getPhotoDetail('w3', LICENSES)).inclusion.included).toBe(true);

    const byPhoto = await runExport({
      formats: ['jsonl'],
      licenses: LICENSES,
      outDir: path.join(out, 'y'),
      watermarkPolicy: 'photo',
    });
    expect(byPhoto.manifest).toMatchObject({
      watermarkAccountPolicy: 'photo',
      excludedByReason: { 'check:watermark': 2 },
    });
    expect(byPhoto.rowCount).toBe(6);
  });

  it('approving the account lets its unmarked photos back in; a marked one stays out for its own mark', async () => {
    await db().account.update({ where: { nsid: 'W@N01' }, data: { reviewStatus: 'approved' } });
    const r = await reasonsBy('account');
    expect([r.w1, r.w2]).toEqual([['check:watermark'], []]);
    expect((await getPhotoDetail('w2', LICENSES)).inclusion.included).toBe(true);
  });
});

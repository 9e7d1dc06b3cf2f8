import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../../lib/db.ts';
import { setGoldAnswer } from '../../../../lib/queries/gold.ts';
import { setGoldPhoto } from '../../../../lib/queries/goldPhotos.ts';
import { seedDemoGold, seedDemoGoldAfterRun } from '../../../../pipeline/devkit/demo/seedGold.ts';
import { generateUniverse } from '../../../../pipeline/devkit/universe/generate.ts';
import type { Universe } from '../../../../pipeline/devkit/universe/types.ts';
import { useTestDatabase } from '../../../helpers/db.ts';
import { pollFor } from '../../../helpers/pollFor.ts';

useTestDatabase();

let universe: Universe;
let adminId = '';

/** The universe as a crawl stores it: its accounts and its eligible photos. */
async function storeUniverse(u: Universe): Promise<void> {
  const eligible = new Set(u.groundTruth.eligible);
  await db().account.createMany({
    data: u.accounts.map((a, i) => ({ nsid: a.nsid, username: a.username, photoCount: 0, rank: i + 1 })),
  });
  await db().photo.createMany({
    data: u.photos
      .filter((p) => eligible.has(p.id))
      .map((p) => ({
        id: p.id,
        ownerNsid: p.owner,
        secret: p.secret,
        server: p.server,
        license: p.license,
        availability: 'available' as const,
        dateUpload: new Date(p.dateUpload * 1000),
        contentHash: `h${p.id}`,
      })),
  });
}

async function marks() {
  const accounts = await db().account.findMany({
    where: { goldAnswer: { not: null } },
    select: { nsid: true, goldAnswer: true, goldReason: true },
    orderBy: { nsid: 'asc' },
  });
  const photos = await db().goldPhoto.findMany({
    select: { photoId: true, answer: true },
    orderBy: { photoId: 'asc' },
  });
  return { accounts, photos, events: await db().goldPhotoEvent.count() };
}

beforeAll(async () => {
  universe = generateUniverse({ seed: 'demo', photos: 600 });
  await storeUniverse(universe);
  adminId = (
    await db().user.create({
      data: { email: 'admin@quarry.local', name: 'Demo Admin', passwordHash: 'x', role: 'admin' },
    })
  ).id;
});

describe('demo known answers', () => {
  it('marks a few accounts and photos with the answers of the ground truth, and a second run changes nothing', async () => {
    const gold = await seedDemoGold(universe, adminId);
    const truth = universe.groundTruth;
    const watermarked = new Set(truth.watermarkedAccounts.map((a) => a.nsid));
    const rejects = gold.accounts.filter((a) => a.answer === 'reject');
    const approves = gold.accounts.filter((a) => a.answer === 'approve');
    expect(rejects.length).toBeGreaterThan(0);
    expect(approves.length).toBeGreaterThan(0);
    expect(rejects.every((a) => watermarked.has(a.nsid))).toBe(true);
    expect(approves.some((a) => watermarked.has(a.nsid))).toBe(false);

    const nonPhotos = new Set([...truth.illustrations, ...truth.screenshots]);
    const copyright = new Set(truth.copyrightText.map((c) => c.id));
    const stamped = new Set(truth.watermarkedAccounts.flatMap((a) => a.photoIds));
    const byAnswer = (answer: string) => gold.photos.filter((p) => p.answer === answer).map((p) => p.id);
    for (const answer of ['non_photo', 'copyright', 'minor_edits', 'fine'])
      expect(byAnswer(answer).length, answer).toBeGreaterThan(0);
    expect(byAnswer('non_photo').every((id) => nonPhotos.has(id))).toBe(true);
    expect(byAnswer('copyright').every((id) => copyright.has(id))).toBe(true);
    expect(byAnswer('minor_edits').every((id) => stamped.has(id))).toBe(true);
    expect(byAnswer('fine').some((id) => nonPhotos.has(id) || copyright.has(id) || stamped.has(id))).toBe(
      false,
    );

    const first = await marks();
    expect(first.accounts.map((a) => [a.nsid, a.goldAnswer])).toEqual(
      [...gold.accounts].sort((a, b) => a.nsid.localeCompare(b.nsid)).map((a) => [a.nsid, a.answer]),
    );
    expect(
      first.accounts.filter((a) => a.goldAnswer === 'reject').every((a) => a.goldReason === 'watermarks'),
    ).toBe(true);
    expect(first.photos.map((p) => [p.photoId, p.answer])).toEqual(
      [...gold.photos].sort((a, b) => a.id.localeCompare(b.id)).map((p) => [p.id, p.answer]),
    );
    expect(first.events).toBe(gold.photos.length);

    expect(await seedDemoGold(universe, adminId)).toEqual(gold);
    expect(await marks()).toEqual(first);
  });

  it('marks once the run has stored the universe, once per data folder: an admin’s later changes stay', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-demo-gold-'));
    try {
      const logs: string[] = [];
      const seed = () =>
        seedDemoGoldAfterRun({
          universe,
          dataDir: dir,
          adminEmail: 'admin@quarry.local',
          log: (m) => logs.push(m),
          everyMs: 50,
        });
      // The demo's run still running: the crawl may not have stored everything yet, so nothing is marked.
      await db().$executeRawUnsafe('TRUNCATE gold_photo_events, gold_photos');
      await db().account.updateMany({ data: { goldAnswer: null, goldReason: null } });
      const run = await db().pipelineRun.create({ data: { status: 'running', config: {} } });
      const stop = seed();
      const file = path.join(dir, 'demo', 'gold.json');
      await new Promise((r) => setTimeout(r, 500));
      expect(existsSync(file)).toBe(false);
      expect((await marks()).photos).toEqual([]);
      await db().pipelineRun.update({ where: { id: run.id }, data: { status: 'completed' } });
      await pollFor('the record of the marks', async () => existsSync(file), 10_000);
      stop();
      const recorded = JSON.parse(await readFile(file, 'utf8'));
      expect(recorded.accounts.length).toBeGreaterThan(0);
      expect(logs.join('\n')).toMatch(
        /Known answers marked from the demo ground truth: \d+ accounts, \d+ photos/,
      );

      // An admin clears one account's answer and unmarks one photo; the next demo start leaves both so.
      await setGoldAnswer(recorded.accounts[0].nsid, null, null);
      await setGoldPhoto({
        photoId: recorded.photos[0].id,
        answer: null,
        reason: 'not a good test',
        userId: adminId,
        requestId: 'admin-unmark-1',
      });
      const before = await marks();
      const again = seed();
      await new Promise((r) => setTimeout(r, 300));
      again();
      expect(await marks()).toEqual(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

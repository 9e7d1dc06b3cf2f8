import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db, Prisma } from '../../../lib/db.ts';
import { includedPhotoIdsSql } from '../../../lib/inclusion.ts';
import { getGoldPhoto, goldPhotoAccuracy, setGoldPhoto } from '../../../lib/queries/goldPhotos.ts';
import {
  createSpotCheck,
  getSpotCheck,
  labelSpotCheckItem,
  spotCheckTrend,
} from '../../../lib/queries/spotChecks.ts';
import type { SpotLabel } from '../../../lib/reviewVocabulary.ts';
import { spotCheckItemsCsv } from '../../../lib/stats/spotCheckCsv.ts';
import { wilsonInterval } from '../../../lib/stats/wilson.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();
const LICENSES = [7, 8, 9, 10];
let admin = '',
  alice = '',
  bob = '';
let n = 0;
const rid = () => `gp-${++n}-${Date.now()}`;
/** The known-answer photos: g0..g9 of account g, answer non_photo for even ones, fine for odd ones. */
const GOLD = Array.from({ length: 10 }, (_, i) => `g0p${i}`);
const answerOf = (id: string): SpotLabel => (Number(id.slice(3)) % 2 === 0 ? 'non_photo' : 'fine');
const spot = (seed: string, goldRate: number, size = 40) =>
  createSpotCheck({ name: seed, population: 'all', size, seed, userId: alice, licenses: LICENSES, goldRate });
const label = (spotCheckId: string, photoId: string, labels: SpotLabel[], userId = alice) =>
  labelSpotCheckItem({ spotCheckId, photoId, labels, userId, requestId: rid() });

beforeAll(async () => {
  admin = await makeUser('admin');
  alice = await makeUser('alice');
  bob = await makeUser('bob');
  await makeAccounts(20, 10); // 200 photos a0p0..a19p9
  await makeAccounts(1, 10, 'g'); // 10 more, to be known answers
});

beforeEach(async () => {
  await db().$executeRawUnsafe('TRUNCATE spot_checks, gold_photos CASCADE');
  for (const id of GOLD)
    await setGoldPhoto({
      photoId: id,
      answer: answerOf(id),
      reason: 'seeded',
      userId: admin,
      requestId: rid(),
    });
});

describe('marking known-answer photos', () => {
  it('records who, when and why for every mark and unmark, once per request, and a repeat of the state not at all', async () => {
    const id = 'a0p0';
    const first = {
      photoId: id,
      answer: 'copyright' as const,
      reason: 'a © notice',
      userId: admin,
      requestId: rid(),
    };
    // A double click: the same request twice at once, then another click with a new request id but the same state.
    await Promise.all([setGoldPhoto(first), setGoldPhoto(first)]);
    await setGoldPhoto({ ...first, requestId: rid() });
    let state = await getGoldPhoto(id);
    expect(state.gold).toMatchObject({ answer: 'copyright', reason: 'a © notice', markedBy: 'admin' });
    expect(state.history).toHaveLength(1);

    await setGoldPhoto({ ...first, answer: null, reason: 'the notice is a decoy', requestId: rid() });
    await setGoldPhoto({ ...first, answer: null, reason: 'clicked twice', requestId: rid() });
    state = await getGoldPhoto(id);
    expect(state.gold).toBeNull();
    expect(state.history.map((h) => [h.answer, h.reason, h.by])).toEqual([
      [null, 'the notice is a decoy', 'admin'],
      ['copyright', 'a © notice', 'admin'],
    ]);
    // The history is append-only in the database itself.
    await expect(db().$executeRawUnsafe('DELETE FROM gold_photo_events')).rejects.toThrow(/append-only/);
    await expect(setGoldPhoto({ ...first, photoId: 'nope', requestId: rid() })).rejects.toThrow(/not found/);
    // A request id reused for another request is refused, not silently taken as the first.
    await expect(setGoldPhoto({ ...first, answer: 'fine', requestId: first.requestId })).rejects.toThrow(
      /already used/,
    );
  });
});

describe('known-answer photos in spot-checks', () => {
  it('are mixed in at the rate, reproducibly, in place of the last drawn photos', async () => {
    const a = await spot('mix-1', 0.1);
    const b = await spot('mix-1', 0.1);
    const plain = await spot('mix-1', 0);
    const [da, dbb, dp] = await Promise.all([a, b, plain].map((s) => getSpotCheck(s.id, { admin: true })));
    const gold = da.items.filter((i) => i.gold);
    expect(da.items).toHaveLength(40);
    expect(gold).toHaveLength(4); // 10% of 40
    expect(gold.every((i) => GOLD.includes(i.photoId) && i.knownAnswer === answerOf(i.photoId))).toBe(true);
    // Same seed, rate and known answers: the same sample, item for item.
    expect(dbb.items.map((i) => [i.photoId, i.gold])).toEqual(da.items.map((i) => [i.photoId, i.gold]));
    // The drawn part is the plain draw's first 36 (the draw's order: photos by hashtextextended(id) from the seed's
    // hash, wrapping around), and the population (and so every estimate's scale) is unchanged.
    const drawOrder = await db().$queryRaw<{ id: string }[]>(Prisma.sql`
      SELECT id FROM photos WHERE id = ANY(${dp.items.map((i) => i.photoId)})
      ORDER BY hashtextextended(id, 0) >= hashtextextended('mix-1', 0) DESC, hashtextextended(id, 0), id`);
    expect(new Set(da.items.filter((i) => !i.gold).map((i) => i.photoId))).toEqual(
      new Set(drawOrder.slice(0, 36).map((r) => r.id)),
    );
    expect(da.spotCheck.populationSize).toBe(dp.spotCheck.populationSize);
    expect(dp.items.map((i) => i.position)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));

    // Another seed picks other known answers; a rate above the supply uses what there is; rate 0 uses none.
    const c = await getSpotCheck((await spot('mix-2', 0.1)).id, { admin: true });
    expect(c.items.filter((i) => i.gold).map((i) => i.photoId)).not.toEqual(gold.map((i) => i.photoId));
    // At rate 1 every known answer not drawn anyway is mixed in (a drawn one is a sample member like any other).
    const all = await getSpotCheck((await spot('mix-3', 1, 30)).id, { admin: true });
    const drawnGold = (await getSpotCheck((await spot('mix-3', 0, 30)).id)).items.filter((i) =>
      GOLD.includes(i.photoId),
    ).length;
    expect(all.items.filter((i) => i.gold)).toHaveLength(10 - drawnGold);
    expect(dp.items.some((i) => i.gold)).toBe(false);
  });

  it('join a sample of the included photos only if included themselves (an excluded one’s drawer would tell)', async () => {
    await db().photo.updateMany({ where: { id: { in: GOLD.slice(0, 8) } }, data: { license: 4 } });
    try {
      const d = await getSpotCheck(
        (
          await createSpotCheck({
            name: 'inc',
            population: 'included',
            size: 40,
            seed: 'inc',
            userId: alice,
            licenses: LICENSES,
            goldRate: 0.25,
          })
        ).id,
        { admin: true },
      );
      // Only the two included known answers can join, less any the draw took as an ordinary member.
      const drawnAnyway = d.items.filter((i) => !i.gold).map((i) => i.photoId);
      const mixed = d.items
        .filter((i) => i.gold)
        .map((i) => i.photoId)
        .sort();
      expect(mixed.length).toBeGreaterThan(0);
      expect(mixed).toEqual(GOLD.slice(8).filter((id) => !drawnAnyway.includes(id)));
    } finally {
      await db().photo.updateMany({ where: { id: { in: GOLD } }, data: { license: 9 } });
    }
  });

  it('sit anywhere in the sample: over many seeds they fall in the first half as often as in the second', async () => {
    const positions: number[] = [];
    for (let s = 0; s < 20; s++) {
      const d = await getSpotCheck((await spot(`spread-${s}`, 0.1, 20)).id, { admin: true });
      positions.push(...d.items.filter((i) => i.gold).map((i) => i.position));
    }
    expect(positions).toHaveLength(40);
    const firstHalf = positions.filter((p) => p <= 10).length;
    // Binomial(40, 0.5): 10..30 holds with probability > 0.998; drawn photos' own key would put all 40 last.
    expect(firstHalf).toBeGreaterThanOrEqual(10);
    expect(firstHalf).toBeLessThanOrEqual(30);
    expect(new Set(positions).size).toBeGreaterThan(8);
  });

  it('look like any other item to a reviewer, who gets no estimates to watch; admins get them without the known answers', async () => {
    const sc = await spot('blind', 0.1);
    const rev = await getSpotCheck(sc.id, { admin: false });
    const shapes = new Set(rev.items.map((i) => Object.keys(i).sort().join(',')));
    expect(shapes.size).toBe(1);
    expect(JSON.stringify(rev)).not.toMatch(/gold|knownAnswer|non_photo|seeded/i);
    expect(rev.estimates).toBeNull();
    expect(
      (await spotCheckTrend({ admin: false })).find((t) => t.spotCheck.id === sc.id)?.estimates,
    ).toBeNull();
    // The labels' CSV: a reviewer's has the same columns as any other; an admin's says which item is a known answer.
    const revCsv = spotCheckItemsCsv(rev);
    expect(revCsv.split('\r\n')[0]).toBe(
      'position,photo_id,owner_nsid,labels,labelled_by,labelled_at,flickr_url',
    );
    const adminCsv = spotCheckItemsCsv(await getSpotCheck(sc.id, { admin: true })).split('\r\n');
    expect(adminCsv[0]).toContain(',known_answer_item,known_answer');
    expect(adminCsv.filter((l) => /,yes,(fine|non_photo)$/.test(l))).toHaveLength(4);
    // A sample without known answers keeps its estimates for everyone.
    const plain = await spot('blind-plain', 0);
    expect((await getSpotCheck(plain.id, { admin: false })).estimates).not.toBeNull();
  });

  it('never move a rate or an interval: the estimates are identical with and without the known answers labelled', async () => {
    const sc = await spot('exclude', 0.1);
    const { items } = await getSpotCheck(sc.id, { admin: true });
    const drawn = items.filter((i) => !i.gold);
    for (const [k, i] of drawn.entries()) await label(sc.id, i.photoId, k < 6 ? ['non_photo'] : ['fine']);
    const included = async () =>
      (
        await db().$queryRaw<{ n: number }[]>(
          Prisma.sql`SELECT count(*)::int AS n FROM (${includedPhotoIdsSql(LICENSES)}) x`,
        )
      )[0].n;
    const before = await getSpotCheck(sc.id, { admin: true });
    const trendBefore = (await spotCheckTrend({ admin: true })).find((t) => t.spotCheck.id === sc.id);
    const includedBefore = await included();

    // Label the known answers, some the opposite way (problems on fine photos), twice over by two people.
    for (const i of items.filter((x) => x.gold)) {
      await label(sc.id, i.photoId, ['non_photo', 'copyright']);
      await label(sc.id, i.photoId, ['minor_edits'], bob);
    }
    const after = await getSpotCheck(sc.id, { admin: true });
    expect(after.estimates).toEqual(before.estimates);
    expect(after.estimates?.find((e) => e.label === 'non_photo')).toMatchObject({
      count: 6,
      n: 36,
      low: wilsonInterval(6, 36).low,
      high: wilsonInterval(6, 36).high,
    });
    expect((await spotCheckTrend({ admin: true })).find((t) => t.spotCheck.id === sc.id)).toEqual({
      ...trendBefore,
      spotCheck: { ...trendBefore?.spotCheck, labelled: 40 },
    });
    expect(after.spotCheck.labelled).toBe(40); // progress counts every item, as the reviewer saw it
    expect(await included()).toBe(includedBefore);
  });

  it('score each reviewer’s standing answer against the current known answer, with Wilson intervals', async () => {
    const sc = await spot('score', 0.1);
    const gold = (await getSpotCheck(sc.id, { admin: true })).items.filter((i) => i.gold);
    expect(gold.length).toBe(4);
    const [g0, g1, g2, g3] = gold.map((i) => i.photoId);
    // Alice: right on all four at first (a problem on non-photos, fine on fine ones) ...
    for (const id of [g0, g1, g2, g3])
      await label(sc.id, id, answerOf(id) === 'fine' ? ['fine'] : ['non_photo', 'minor_edits']);
    // ... then changes her mind on one: her newest label set is her answer.
    await label(sc.id, g0, answerOf(g0) === 'fine' ? ['copyright'] : ['fine']);
    // Bob: says a problem on all of them, the wrong problem where there is one; an emptied label set is no answer.
    for (const id of [g0, g1, g2]) await label(sc.id, id, ['copyright'], bob);
    await label(sc.id, g3, ['copyright'], bob);
    await label(sc.id, g3, [], bob);

    const problems = [g0, g1, g2].filter((id) => answerOf(id) !== 'fine').length;
    let acc = await goldPhotoAccuracy();
    expect(acc.photos).toBe(10);
    const byName = Object.fromEntries(acc.reviewers.map((r) => [r.name, r]));
    expect(byName.alice.accuracy).toEqual(wilsonInterval(3, 4));
    expect(byName.bob.accuracy).toEqual(wilsonInterval(problems, 3));
    expect(byName.bob.labelAccuracy).toEqual(wilsonInterval(0, problems));

    // Unmarking a photo takes it out of the scores (its answer is in doubt); its items stay out of the estimates.
    await setGoldPhoto({
      photoId: g0,
      answer: null,
      reason: 'answer in doubt',
      userId: admin,
      requestId: rid(),
    });
    acc = await goldPhotoAccuracy();
    expect(acc.reviewers.find((r) => r.name === 'alice')?.accuracy).toEqual(wilsonInterval(3, 3));
    const after = await getSpotCheck(sc.id, { admin: true });
    expect(after.items.find((i) => i.photoId === g0)).toMatchObject({ gold: true, knownAnswer: null });
    expect(after.estimates?.[0].n).toBe(0);
  });
});

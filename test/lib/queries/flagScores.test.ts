// Flag score = the expected share of an account's checked photos a reviewer would reject: fails count 1, photos
// only uncertain count w, each photo once however many checks flag it; overrides move it; the queue orders by it.
import { describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { refreshFlagScores, uncertainWeight } from '../../../lib/queries/flagScores.ts';
import { overridePhotos } from '../../../lib/queries/overrides.ts';
import { listReviewQueue } from '../../../lib/queries/review.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { addCheck, makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();

const score = async (nsid: string) => (await db().account.findUniqueOrThrow({ where: { nsid } })).flagScore;

describe('flag score', () => {
  it('is the expected share of checked photos a reviewer would reject, kept current and used for "worst first"', async () => {
    // makeAccounts gives flag scores 0, 0.01, 0.02 by rank: the old, meaningless values the refresh must replace.
    const [a, b, c] = await makeAccounts(3, 10, 'fs');
    for (let j = 0; j < 10; j++) {
      await addCheck(`fs0p${j}`, 'resolution', j === 0 ? 'fail' : 'pass', 1);
      await addCheck(`fs1p${j}`, 'resolution', j < 3 ? 'fail' : 'pass', 1);
    }
    // Account a: one photo failed by two checks (counts once), two photos only uncertain (one of them twice).
    await addCheck('fs0p0', 'copyright_text', 'fail', 1);
    await addCheck('fs0p1', 'clip_nonphoto', 'uncertain', 0.5);
    await addCheck('fs0p2', 'clip_nonphoto', 'uncertain', 0.5);
    await addCheck('fs0p2', 'border', 'uncertain', 0);

    // Every account, as the migration does for existing data (c has no results, so nothing else would touch it).
    await refreshFlagScores({ everyAccount: true });
    expect(await uncertainWeight()).toEqual({ weight: 0.5, basedOn: 0 });
    expect(await score(a)).toBe(0.2); // (1 + 0.5 × 2) / 10
    expect(await score(b)).toBe(0.3); // 3 / 10
    expect(await score(c)).toBe(0); // nothing flagged (it had 0.02)

    // Worst first is now a real order.
    const user = await makeUser('fs-reviewer');
    const queue = await listReviewQueue(user, { topN: 10, order: 'flag', page: 1, pageSize: 10 });
    expect(queue.data.map((r) => r.nsid)).toEqual([b, a, c]);

    // New results arrive: only the changed account is recomputed, and nothing else is touched.
    await addCheck('fs2p0', 'watermark', 'fail', 0.9);
    expect(await refreshFlagScores()).toBe(1);
    expect(await score(c)).toBe(1); // 1 photo checked, 1 failed
    for (let j = 1; j < 10; j++) await addCheck(`fs2p${j}`, 'watermark', 'pass', 0.1);
    await refreshFlagScores();
    expect(await score(c)).toBe(0.1);
    expect(await refreshFlagScores()).toBe(0);

    // A reviewer passes the twice-failed photo on one check: still failed by the other.
    await overridePhotos({
      userId: user,
      photoIds: ['fs0p0'],
      check: 'resolution',
      newVerdict: 'pass',
      requestId: 'fs-1',
    });
    expect(await score(a)).toBe(0.2);
    await overridePhotos({
      userId: user,
      photoIds: ['fs0p0'],
      check: 'copyright_text',
      newVerdict: 'pass',
      requestId: 'fs-2',
    });
    expect(await score(a)).toBe(0.1); // (0 + 0.5 × 2) / 10

    // Reviewers turning uncertain verdicts into fails raise the weight of every uncertain photo, for every account.
    await overridePhotos({
      userId: user,
      photoIds: ['fs0p1'],
      check: 'clip_nonphoto',
      newVerdict: 'fail',
      requestId: 'fs-3',
    });
    const w = await uncertainWeight();
    expect(w).toEqual({ weight: Number((11 / 21).toFixed(4)), basedOn: 1 });
    expect(await score(a)).toBe(Number(((1 + w.weight) / 10).toFixed(4))); // p1 now fails, p2 still uncertain
  });
});

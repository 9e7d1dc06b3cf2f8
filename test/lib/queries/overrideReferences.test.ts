// What the per-row foreign keys of overrides guaranteed, now checked once per statement by triggers (migration
// 20261205221000): an override refers only to existing users, photos, accounts and batches, and nothing it refers to
// can be deleted or renumbered; a TRUNCATE of a referenced table still empties overrides, as its CASCADE did.
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { overridePhotos } from '../../../lib/queries/overrides.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { addCheck, makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();
let alice = '';
let n = 0;
const rid = () => `ref-${++n}-${Date.now()}`;
const insert = (values: string) =>
  db().$executeRawUnsafe(
    `INSERT INTO overrides (user_id, photo_id, account_nsid, "check", new_verdict, batch_id) VALUES ${values}`,
  );

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE account_decisions, overrides, override_batches, check_results, photos, accounts, users CASCADE',
  );
  alice = await makeUser('alice');
  await makeAccounts(1, 2);
  await addCheck('a0p0', 'clip_nonphoto', 'fail', 0.9);
  await addCheck('a0p1', 'clip_nonphoto', 'fail', 0.8);
});

describe('override references', () => {
  it('refuses a statement with one row naming a missing user, photo, account or batch, and writes none of it', async () => {
    const ok = `('${alice}', 'a0p0', NULL, 'clip_nonphoto', 'pass', NULL)`;
    const [account] = await db().$queryRaw<{ nsid: string }[]>`SELECT nsid FROM accounts LIMIT 1`;
    for (const [bad, message] of [
      [`('nobody', 'a0p1', NULL, 'clip_nonphoto', 'pass', NULL)`, /user_id refers to no user/],
      [`('${alice}', 'nophoto', NULL, 'clip_nonphoto', 'pass', NULL)`, /photo_id refers to no photo/],
      [`('${alice}', NULL, 'no@N00', 'watermark', 'pass', NULL)`, /account_nsid refers to no account/],
      [`('${alice}', 'a0p1', NULL, 'clip_nonphoto', 'pass', 'nobatch')`, /batch_id refers to no batch/],
    ] as const) {
      await expect(insert(`${ok}, ${bad}`)).rejects.toThrow(message);
    }
    expect(await db().override.count()).toBe(0);
    await insert(`${ok}, ('${alice}', NULL, '${account.nsid}', 'watermark', 'pass', NULL)`);
    expect(await db().override.count()).toBe(2);
  });

  it('keeps a referenced photo, user and account from being deleted or renumbered; unreferenced ones go', async () => {
    await overridePhotos({
      userId: alice,
      photoIds: ['a0p0'],
      check: 'clip_nonphoto',
      newVerdict: 'pass',
      requestId: rid(),
    });
    await expect(db().$executeRawUnsafe(`DELETE FROM photos WHERE id = 'a0p0'`)).rejects.toThrow(
      /photos a0p0 is referred to by overrides/,
    );
    await expect(db().$executeRawUnsafe(`UPDATE photos SET id = 'moved' WHERE id = 'a0p0'`)).rejects.toThrow(
      /cannot be renumbered/,
    );
    await expect(db().$executeRawUnsafe(`DELETE FROM users WHERE id = '${alice}'`)).rejects.toThrow(
      /referred to by overrides/,
    );
    expect(await db().photo.count({ where: { id: 'a0p0' } })).toBe(1);
    // A photo without overrides is deleted as before (its results go with it).
    await db().$executeRawUnsafe(`DELETE FROM photos WHERE id = 'a0p1'`);
    expect(await db().photo.count({ where: { id: 'a0p1' } })).toBe(0);
  });

  it('empties overrides when a TRUNCATE … CASCADE empties the photos they refer to', async () => {
    await overridePhotos({
      userId: alice,
      photoIds: ['a0p0'],
      check: 'clip_nonphoto',
      newVerdict: 'pass',
      requestId: rid(),
    });
    expect(await db().override.count()).toBe(1);
    await db().$executeRawUnsafe('TRUNCATE photos, accounts CASCADE');
    expect(await db().override.count()).toBe(0);
  });
});

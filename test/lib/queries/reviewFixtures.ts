// Small, explicit review data for the query tests: users, ranked accounts, photos and check results.
import { db } from '../../../lib/db.ts';

export async function makeUser(name: string): Promise<string> {
  const u = await db().user.create({
    data: { email: `${name}@t.test`, name, passwordHash: 'x', role: 'reviewer' },
  });
  return u.id;
}

/** `count` accounts a0..a(count-1) of rank 1..count, each with `photos` available CC0 photos. */
export async function makeAccounts(count: number, photos = 3, prefix = 'a'): Promise<string[]> {
  const nsids = Array.from({ length: count }, (_, i) => `${prefix}${i}@N01`);
  await db().account.createMany({
    data: nsids.map((nsid, i) => ({
      nsid,
      username: `user ${prefix}${i}`,
      photoCount: photos,
      rank: i + 1,
      flagScore: i / 100,
    })),
  });
  await db().photo.createMany({
    data: nsids.flatMap((nsid, i) =>
      Array.from({ length: photos }, (_, j) => ({
        id: `${prefix}${i}p${j}`,
        ownerNsid: nsid,
        secret: 's',
        server: '1',
        license: 9,
        availability: 'available' as const,
        dateUpload: new Date(Date.UTC(2020, 0, 1 + j)),
        contentHash: `${prefix}${i}h${j}`,
      })),
    ),
  });
  return nsids;
}

export async function addCheck(
  photoId: string,
  check: string,
  verdict: 'pass' | 'fail' | 'uncertain',
  score: number,
  details: object = {},
): Promise<void> {
  await db().checkResult.create({ data: { photoId, check, verdict, score, details, version: 'v1' } });
}

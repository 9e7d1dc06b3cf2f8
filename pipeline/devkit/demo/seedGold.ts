// The demo's known-answer (gold) accounts and photos, taken from the demo universe's ground truth, so that the Review
// quality page and spot-checks have known answers to score reviewers with, as an admin would have marked them.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { db } from '../../../lib/db.ts';
import { setGoldAnswer } from '../../../lib/queries/gold.ts';
import { setGoldPhoto } from '../../../lib/queries/goldPhotos.ts';
import { hasActiveRuns } from '../../../lib/queries/runs.ts';
import { getUserByEmail } from '../../../lib/queries/users.ts';
import type { SpotLabel } from '../../../lib/reviewVocabulary.ts';
import type { Universe } from '../universe/types.ts';

export type DemoGold = {
  accounts: { nsid: string; answer: 'approve' | 'reject' }[];
  photos: { id: string; answer: SpotLabel }[];
};

/** How many of each kind: a few, as an admin would mark at first. */
const PICK = {
  rejectAccounts: 2,
  approveAccounts: 2,
  nonPhoto: 2,
  copyright: 2,
  watermarked: 2,
  fine: 4,
} as const;

/** Ground-truth ids of everything that is not a plain, clean photo. */
function problemPhotos(truth: Universe['groundTruth']): Set<string> {
  return new Set([
    ...truth.watermarkedAccounts.flatMap((a) => a.photoIds),
    ...truth.duplicates.map(([canonical]) => canonical),
    ...truth.duplicates.map(([, duplicate]) => duplicate),
    ...truth.small,
    ...truth.copyrightText.map((c) => c.id),
    ...truth.copyrightExif.map((c) => c.id),
    ...truth.decoys.map((d) => d.id),
    ...truth.illustrations,
    ...truth.screenshots,
    ...truth.deleted,
  ]);
}

/** The first `n` of `ids` (in id order) that the crawl stored, downloaded ones first (their tiles show an image). */
async function stored(ids: Iterable<string>, n: number): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM photos WHERE id = ANY(${[...new Set(ids)]}::text[])
    ORDER BY (content_hash IS NULL), id LIMIT ${n}`;
  return rows.map((r) => r.id);
}

async function storedAccounts(nsids: Iterable<string>, n: number): Promise<string[]> {
  const rows = await db().$queryRaw<{ nsid: string }[]>`
    SELECT nsid FROM accounts WHERE nsid = ANY(${[...new Set(nsids)]}::text[]) ORDER BY nsid LIMIT ${n}`;
  return rows.map((r) => r.nsid);
}

/**
 * Marks a few known-answer accounts (watermarked ones: reject for watermarks; clean ones: approve) and photos
 * (illustrations and screenshots: non-photo; copyright notices: copyright; watermarked: minor edits; clean: fine) among
 * what the crawl stored, marked by `adminId`. Idempotent: the same universe and database give the same marks, and a
 * photo's mark carries a request id of its own, so running it again records nothing new (nor re-marks a photo an admin
 * unmarked since).
 */
export async function seedDemoGold(universe: Universe, adminId: string): Promise<DemoGold> {
  const truth = universe.groundTruth;
  const problems = problemPhotos(truth);
  const watermarked = new Set(truth.watermarkedAccounts.map((a) => a.nsid));
  const troubled = new Set(universe.photos.filter((p) => problems.has(p.id)).map((p) => p.owner));
  const eligible = new Set(truth.eligible);

  const rejects = await storedAccounts(watermarked, PICK.rejectAccounts);
  const approves = await storedAccounts(
    universe.accounts.map((a) => a.nsid).filter((n) => !watermarked.has(n) && !troubled.has(n)),
    PICK.approveAccounts,
  );
  const accounts: DemoGold['accounts'] = [
    ...rejects.map((nsid) => ({ nsid, answer: 'reject' as const })),
    ...approves.map((nsid) => ({ nsid, answer: 'approve' as const })),
  ];
  for (const a of accounts)
    await setGoldAnswer(a.nsid, a.answer, a.answer === 'reject' ? 'watermarks' : null);

  const picks: [SpotLabel, string[]][] = [
    ['non_photo', await stored([...truth.illustrations, ...truth.screenshots], PICK.nonPhoto)],
    [
      'copyright',
      await stored(
        truth.copyrightText.map((c) => c.id),
        PICK.copyright,
      ),
    ],
    [
      'minor_edits',
      await stored(
        truth.watermarkedAccounts.flatMap((a) => a.photoIds),
        PICK.watermarked,
      ),
    ],
    [
      'fine',
      await stored(
        [...eligible].filter((id) => !problems.has(id)),
        PICK.fine,
      ),
    ],
  ];
  const photos: DemoGold['photos'] = [];
  const taken = new Set<string>();
  for (const [answer, ids] of picks) {
    for (const id of ids) {
      if (taken.has(id)) continue;
      taken.add(id);
      await setGoldPhoto({
        photoId: id,
        answer,
        reason: `demo ground truth: ${answer.replace('_', ' ')}`,
        userId: adminId,
        requestId: `demo-gold-photo-${id}`,
      });
      photos.push({ id, answer });
    }
  }
  return { accounts, photos };
}

/**
 * Once the demo's pipeline run has stored the universe (no run queued or running), marks the known answers, once per
 * data folder (`demo/gold.json` records what was marked: an admin's later changes stay). Polls every `everyMs`;
 * the returned function stops it (the demo's shutdown).
 */
export function seedDemoGoldAfterRun(opts: {
  universe: Universe;
  dataDir: string;
  adminEmail: string;
  log: (m: string) => void;
  everyMs?: number;
}): () => void {
  const file = path.join(opts.dataDir, 'demo', 'gold.json');
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async () => {
    if (stopped || existsSync(file)) return;
    try {
      const admin = await getUserByEmail(opts.adminEmail);
      if (admin && !(await hasActiveRuns())) {
        const gold = await seedDemoGold(opts.universe, admin.id);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, `${JSON.stringify(gold, null, 2)}\n`);
        opts.log(
          `Known answers marked from the demo ground truth: ${gold.accounts.length} accounts, ${gold.photos.length} photos (Review quality page)`,
        );
        return;
      }
    } catch (e) {
      opts.log(`Known answers not marked yet: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!stopped) timer = setTimeout(() => void attempt(), opts.everyMs ?? 5_000);
  };
  void attempt();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

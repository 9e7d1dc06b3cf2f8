// Accounts for the review-quality spec: drawn for blind double review at the e2e share, and no other seeded account is.
import { db } from '../../lib/db.ts';

/**
 * The draw is md5(nsid)'s first 32 bits over 2^32 < REVIEW_DOUBLE_SHARE. At 0.002 these two nsids are drawn
 * (0.0014 and 0.0006) and none of the review specs' accounts (1001–1037@N01, lowest 0.004) is, so those specs keep
 * single review. Ranked after every other seeded account, so no queue-driven spec reaches them.
 */
export const QC_ACCOUNTS = [{ nsid: '570@N07', username: 'qc-disputed' }, { nsid: '625@N07', username: 'qc-agreed' }] as const;
export const E2E_DOUBLE_SHARE = '0.002';

export async function seedQualityData(): Promise<Record<string, string>> {
  await db().account.createMany({
    data: QC_ACCOUNTS.map((a, i) => ({ nsid: a.nsid, username: a.username, photoCount: 0, rank: 900 + i })),
  });
  return { REVIEW_DOUBLE_SHARE: E2E_DOUBLE_SHARE };
}

// Synthetic Flickr accounts with Zipf-like sizes: a few huge accounts, a long tail of small ones.
import { createRng, type Rng } from '../random.ts';
import { personName, username, watermarkText } from './text.ts';
import type { Corner, UniverseAccount } from './types.ts';

const CORNERS: Corner[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

export function makeAccounts(rng: Rng, count: number): UniverseAccount[] {
  const seen = new Set<string>();
  const accounts: UniverseAccount[] = [];
  for (let i = 0; i < count; i++) {
    let nsid: string;
    do nsid = `${rng.int(1_000_000, 199_999_999)}@N0${rng.int(0, 8)}`;
    while (seen.has(nsid));
    seen.add(nsid);
    accounts.push({ nsid, username: username(rng, i), realName: rng.chance(0.8) ? personName(rng) : '' });
  }
  return accounts;
}

/** Cumulative Zipf weights (s≈1.1) over accounts in their generated order: account 0 is the largest. */
export function zipfSampler(rng: Rng, count: number): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (let i = 0; i < count; i++) {
    sum += 1 / (i + 1) ** 1.1;
    cumulative.push(sum);
  }
  return () => {
    const x = rng.next() * sum;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Give a watermark to some accounts that have enough photos for a per-account check to see it. */
export function assignWatermarks(
  rng: Rng,
  accounts: UniverseAccount[],
  photoCounts: number[],
  year: number,
): void {
  const candidates = accounts.map((a, i) => ({ a, n: photoCounts[i] })).filter((c) => c.n >= 4);
  const wanted = Math.max(Math.min(2, candidates.length), Math.round(candidates.length * 0.12));
  // Spread them over big and small accounts rather than always the largest.
  const step = candidates.length / Math.max(1, wanted);
  for (let k = 0; k < wanted; k++) {
    const { a } = candidates[Math.min(candidates.length - 1, Math.floor(k * step + rng.next() * step))];
    if (a.watermark) continue;
    const name = a.realName || a.username;
    // Habits come from their own stream, so the rest of the universe is the same as without them.
    const habit = createRng(`watermark-habit:${a.nsid}`);
    const portraitShare = [0.85, 0.08, undefined][k % 3];
    a.watermark = {
      text: watermarkText(rng, name, year),
      corner: CORNERS[k % CORNERS.length],
      // Faint marks (0.25) are what the check misses first.
      opacity: Math.round((0.25 + rng.next() * 0.35) * 100) / 100,
      style: rng.chance(0.35) ? 'logo' : 'text',
      carryRate: Math.round((0.7 + habit.next() * 0.25) * 100) / 100,
      ...(portraitShare === undefined ? {} : { portraitShare }),
    };
  }
}

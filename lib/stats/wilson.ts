// Wilson score interval for a binomial proportion: honest at small samples and at 0 or n successes, unlike p ± z·se.

export type Proportion = { count: number; n: number; share: number; low: number; high: number };

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export function wilsonInterval(count: number, n: number, z = Z95): Proportion {
  if (!Number.isInteger(count) || !Number.isInteger(n) || count < 0 || n < 0 || count > n) {
    throw new RangeError(`wilsonInterval: need integers 0 <= count <= n, got ${count}/${n}`);
  }
  if (n === 0) return { count, n, share: 0, low: 0, high: 1 };
  const p = count / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp rounding noise so 0/n gives exactly 0 and n/n exactly 1.
  return {
    count,
    n,
    share: p,
    low: count === 0 ? 0 : Math.max(0, centre - half),
    high: count === n ? 1 : Math.min(1, centre + half),
  };
}

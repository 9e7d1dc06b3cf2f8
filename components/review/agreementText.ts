// How an agreement figure reads on the quality page and the dashboard.
import type { Agreement } from '@/lib/stats/kappa';
import type { Proportion } from '@/lib/stats/wilson';

export const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

/** "9 of 12 · 75.0% (46.8% to 91.1%)": a share with its Wilson 95% interval; a dash with nothing counted. */
export const shareText = (p: Proportion) =>
  p.n === 0 ? '—' : `${p.count} of ${p.n} · ${percent(p.share)} (${percent(p.low)} to ${percent(p.high)})`;

/** "κ 0.74 (0.52 to 0.96)"; a dash when kappa is undefined, "no interval yet" when the table is too one-sided for one. */
export function kappaText(a: Agreement): string {
  if (a.kappa === null) return '—';
  if (a.low === null || a.high === null) return `κ ${a.kappa.toFixed(2)} (no interval yet)`;
  return `κ ${a.kappa.toFixed(2)} (${a.low.toFixed(2)} to ${a.high.toFixed(2)})`;
}

/** "87.5% agree · κ 0.74 (0.52 to 0.96) · 16 accounts" */
export function agreementText(a: Agreement, what = 'accounts'): string {
  if (a.n === 0) return `no ${what} yet`;
  return `${percent(a.percent)} agree · ${kappaText(a)} · ${a.n.toLocaleString('en-US')} ${what}`;
}

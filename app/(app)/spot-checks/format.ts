import type { Estimate } from '@/lib/stats/spotEstimates';

const p = (x: number) => `${(x * 100).toFixed(1)}%`;

/** "4.0% (1.1–13.5%)": the share and its 95% Wilson interval. */
export function formatShare(e: Pick<Estimate, 'share' | 'low' | 'high'>): string {
  return `${p(e.share)} (${p(e.low)}–${p(e.high)})`;
}

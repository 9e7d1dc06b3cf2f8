// Problem rates of a labelled spot-check: each label's share with its 95% Wilson interval, scaled to the population.
import { SPOT_LABELS, type SpotLabel } from '../reviewVocabulary.ts';
import { wilsonInterval } from './wilson.ts';

export type Estimate = {
  label: SpotLabel | 'any_problem';
  count: number;
  n: number;
  share: number;
  low: number;
  high: number;
  /** The share scaled to the population: how many photos of it likely have the problem. */
  populationCount: number;
  populationLow: number;
  populationHigh: number;
};

/** Each label's share among labelled items, with its 95% Wilson interval and the implied count in the population. */
export function estimatesFrom(labelSets: readonly (readonly string[])[], populationSize: number): Estimate[] {
  const labelled = labelSets.filter((s) => s.length > 0);
  const n = labelled.length;
  const rows: { label: Estimate['label']; count: number }[] = [
    ...SPOT_LABELS.map((l) => ({ label: l.key, count: labelled.filter((s) => s.includes(l.key)).length })),
    { label: 'any_problem', count: labelled.filter((s) => s.some((x) => x !== 'fine')).length },
  ];
  return rows.map(({ label, count }) => {
    const w = wilsonInterval(count, n);
    return {
      label,
      count,
      n,
      share: w.share,
      low: w.low,
      high: w.high,
      populationCount: Math.round(w.share * populationSize),
      populationLow: Math.round(w.low * populationSize),
      populationHigh: Math.round(w.high * populationSize),
    };
  });
}

export function estimateLabel(key: Estimate['label']): string {
  return key === 'any_problem' ? 'Any problem' : (SPOT_LABELS.find((l) => l.key === key)?.label ?? key);
}

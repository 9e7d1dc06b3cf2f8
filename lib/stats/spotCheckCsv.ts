// CSV exports of a spot-check: its estimate table (Megalith-10m's card, computed) and its labelled items.
import { csvCell } from '../csv.ts';
import type { SpotCheckDetail } from '../queries/spotChecks.ts';
import { estimateLabel } from './spotEstimates.ts';

function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function spotCheckSummaryCsv(d: SpotCheckDetail): string {
  const s = d.spotCheck;
  return toCsv(
    [
      'spot_check',
      'population',
      'population_size',
      'seed',
      'label',
      'label_name',
      'count',
      'labelled',
      'share',
      'ci95_low',
      'ci95_high',
      'population_count',
      'population_low',
      'population_high',
    ],
    (d.estimates ?? []).map((e) => [
      s.name,
      s.population,
      s.populationSize,
      s.seed,
      e.label,
      estimateLabel(e.label),
      e.count,
      e.n,
      e.share.toFixed(4),
      e.low.toFixed(4),
      e.high.toFixed(4),
      e.populationCount,
      e.populationLow,
      e.populationHigh,
    ]),
  );
}

/** Admins' export also says which items are known answers (left out of the estimates) and what the answer is. */
export function spotCheckItemsCsv(d: SpotCheckDetail): string {
  const admin = d.items.some((i) => i.gold !== undefined);
  return toCsv(
    [
      'position',
      'photo_id',
      'owner_nsid',
      'labels',
      'labelled_by',
      'labelled_at',
      'flickr_url',
      ...(admin ? ['known_answer_item', 'known_answer'] : []),
    ],
    d.items.map((i) => [
      i.position,
      i.photoId,
      i.ownerNsid,
      (i.labels ?? []).join(';'),
      i.labelledBy,
      i.labelledAt,
      `https://www.flickr.com/photos/${encodeURIComponent(i.ownerNsid)}/${encodeURIComponent(i.photoId)}`,
      ...(admin ? [i.gold ? 'yes' : 'no', i.knownAnswer ?? ''] : []),
    ]),
  );
}

// Precision and recall of each analyze check against a generated universe's ground truth.
import { listAvailability, listVerdicts } from '../../../lib/queries/analysis.ts';
import type { GroundTruth } from '../universe/types.ts';

export type Score = {
  check: string;
  expected: number;
  undeterminable: number;
  flagged: number;
  truePositives: number;
  precision: number;
  recall: number;
  missed: string[];
  wrong: string[];
};

function score(
  check: string,
  planted: Set<string>,
  flagged: Set<string>,
  determinable: (id: string) => boolean = () => true,
): Score {
  const expected = new Set([...planted].filter(determinable));
  flagged = new Set([...flagged].filter(determinable));
  const tp = [...flagged].filter((id) => expected.has(id)).length;
  return {
    check,
    expected: expected.size,
    undeterminable: planted.size - expected.size,
    flagged: flagged.size,
    truePositives: tp,
    precision: flagged.size ? tp / flagged.size : 1,
    recall: expected.size ? tp / expected.size : 1,
    missed: [...expected].filter((id) => !flagged.has(id)),
    wrong: [...flagged].filter((id) => !expected.has(id)),
  };
}

const failing = (m: Map<string, { verdict: string }>) =>
  new Set([...m].filter(([, r]) => r.verdict === 'fail').map(([id]) => id));

/** Scores the stored results; only photos in the database count (ingest keeps eligible photos only). */
export async function qualityReport(truth: GroundTruth): Promise<{
  scores: Score[];
  decoysFlagged: string[];
  byKind: Record<string, { expected: number; found: number }>;
}> {
  const stored = await listAvailability();
  const inDb = (id: string) => stored.has(id);
  // Deleted photos answer 404 and some photos offer no image URL at all: no check can see their pixels or EXIF.
  const hasImage = (id: string) => stored.get(id)?.availability !== 'unavailable' && !hasNoUrl(id);
  const hasNoUrl = (id: string) => !!stored.get(id)?.fetchError?.startsWith('no_url');
  const dupVerdicts = await listVerdicts('duplicate');
  const dupFlagged = failing(dupVerdicts);
  // A planted copy is findable only when its canonical was ingested too.
  const planted = truth.duplicates.filter(
    ([a, b]) => inDb(a) && inDb(b) && stored.get(a)!.availability === 'available',
  );
  const byKind: Record<string, { expected: number; found: number }> = {};
  for (const [, b, kind] of planted.filter(([, b]) => hasImage(b))) {
    const k = (byKind[kind] ??= { expected: 0, found: 0 });
    k.expected++;
    if (dupFlagged.has(b)) k.found++;
  }
  const text = failing(await listVerdicts('copyright_text'));
  const exif = failing(await listVerdicts('exif_copyright'));
  const small = failing(await listVerdicts('resolution'));
  const unavailable = new Set(
    [...stored].filter(([, a]) => a.availability === 'unavailable').map(([id]) => id),
  );
  const decoysFlagged = truth.decoys
    .filter((d) => inDb(d.id) && (d.where === 'description' ? text : exif).has(d.id))
    .map((d) => `${d.id} (${d.where}: ${d.phrase})`);
  return {
    scores: [
      score('duplicate', new Set(planted.map(([, b]) => b)), dupFlagged, hasImage),
      score('resolution', new Set(truth.small.filter(inDb)), small, (id) => !hasNoUrl(id)),
      score('copyright_text', new Set(truth.copyrightText.map((c) => c.id).filter(inDb)), text),
      score('exif_copyright', new Set(truth.copyrightExif.map((c) => c.id).filter(inDb)), exif, hasImage),
      score('unavailable', new Set(truth.deleted.filter(inDb)), unavailable),
    ],
    decoysFlagged,
    byKind,
  };
}

/** Each missed or wrongly flagged photo with its stored evidence, for investigating a score. */
export async function explainMisses(r: Awaited<ReturnType<typeof qualityReport>>): Promise<string[]> {
  const stored = await listAvailability();
  const lines: string[] = [];
  for (const s of r.scores) {
    if (s.check === 'unavailable') continue;
    const verdicts = await listVerdicts(s.check);
    for (const [label, ids] of [
      ['missed', s.missed],
      ['wrong', s.wrong],
    ] as const) {
      for (const id of ids)
        lines.push(
          `${s.check} ${label} ${id} [${stored.get(id)?.availability} ${stored.get(id)?.fetchError ?? ''}] ${JSON.stringify(verdicts.get(id) ?? null)}`,
        );
    }
  }
  return lines;
}

export function formatQuality(r: Awaited<ReturnType<typeof qualityReport>>): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
  const lines = [
    'check            expected  flagged  precision  recall   (planted but undeterminable: deleted or no image offered)',
  ];
  for (const s of r.scores)
    lines.push(
      `${s.check.padEnd(16)} ${String(s.expected).padStart(8)} ${String(s.flagged).padStart(8)}  ${pct(s.precision)}   ${pct(s.recall)}   ${s.undeterminable || ''}`,
    );
  lines.push(
    `duplicates by kind: ${Object.entries(r.byKind)
      .map(([k, v]) => `${k} ${v.found}/${v.expected}`)
      .join(', ')}`,
  );
  lines.push(`decoys flagged: ${r.decoysFlagged.length ? r.decoysFlagged.join('; ') : 'none'}`);
  return lines.join('\n');
}

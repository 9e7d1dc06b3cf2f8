// The analyze stage's steps: CLI names and the check names stored in check_results.

export const ANALYZE_STEPS = {
  fetch: null,
  resolution: 'resolution',
  exif: 'exif_copyright',
  text: 'copyright_text',
  duplicates: 'duplicate',
} as const;

export type AnalyzeStep = keyof typeof ANALYZE_STEPS;
export type PhotoCheck = 'resolution' | 'exif' | 'text';
export const PHOTO_CHECKS: readonly PhotoCheck[] = ['resolution', 'exif', 'text'];
export const ALL_STEPS = Object.keys(ANALYZE_STEPS) as AnalyzeStep[];

/** Parses `--checks resolution,exif,text,duplicates` (fetch runs too when duplicates need fresh hashes). */
export function parseSteps(list: string | undefined): AnalyzeStep[] {
  if (!list) return ALL_STEPS;
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(n in ANALYZE_STEPS));
  if (bad.length) throw new Error(`unknown check ${bad.join(', ')} (known: ${ALL_STEPS.join(', ')})`);
  const steps = new Set(names as AnalyzeStep[]);
  if (steps.has('duplicates')) steps.add('fetch');
  return ALL_STEPS.filter((s) => steps.has(s));
}

// Evidence in words for reviewers: where a watermark box sits, what a border is. No JSON on screen.

type Details = Record<string, unknown>;
export type Box = { x: number; y: number; w: number; h: number };

/** A box in image fractions, or null when the value is not one. */
export function asBox(box: unknown): Box | null {
  const b = box as Partial<Box> | null;
  if (!b || [b.x, b.y, b.w, b.h].some((v) => typeof v !== 'number')) return null;
  return b as Box;
}

/** Where a box sits, in words: "bottom-right corner, 28% × 12% of the photo". */
export function describeBox(box: unknown): string | null {
  const b = asBox(box);
  if (!b) return null;
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  const v = cy < 1 / 3 ? 'top' : cy > 2 / 3 ? 'bottom' : 'middle';
  const h = cx < 1 / 3 ? 'left' : cx > 2 / 3 ? 'right' : 'centre';
  const where =
    v === 'middle' && h === 'centre'
      ? 'centre'
      : v === 'middle'
        ? `${h} edge`
        : h === 'centre'
          ? `${v} edge`
          : `${v}-${h} corner`;
  return `${where}, ${Math.round(b.w * 100)}% × ${Math.round(b.h * 100)}% of the photo`;
}

const share = (n: unknown, of: unknown) =>
  typeof n === 'number' && typeof of === 'number' && of > 0
    ? ` Seen on ${n} of ${of} sampled photos of the account.`
    : '';

/** The watermark check's evidence in words; the box itself is drawn over the thumbnail. */
export function watermarkWords(d: Details): string {
  const where = describeBox(d.box);
  const account = typeof d.accountScore === 'number' ? ` (account score ${d.accountScore.toFixed(2)})` : '';
  if (where) return `The account’s repeated mark, outlined: ${where}${account}.`;
  if (typeof d.orientation === 'string')
    return `Matches the account’s repeated mark; no box for ${d.orientation} photos${account}.`;
  return `Matches the account’s repeated mark${account}.`;
}

/** The border check's evidence in words: which edges carry a uniform band, or where the frame lines are. */
export function borderWords(d: Details): string {
  if (d.kind === 'frame') {
    const lines = Array.isArray(d.lines) ? d.lines.length : 0;
    return `A drawn frame: ${lines || 'several'} straight line${lines === 1 ? '' : 's'} at the same place on every photo — a minor edit, not a reason to exclude.${share(d.photosWith, d.photosSampled)}`;
  }
  const sides = (d.sides ?? {}) as Record<string, unknown>;
  const edges = ['top', 'bottom', 'left', 'right'].filter(
    (k) => typeof sides[k] === 'number' && (sides[k] as number) > 0,
  );
  const grey =
    typeof d.color === 'number' ? (d.color < 60 ? 'dark ' : d.color > 195 ? 'light ' : 'grey ') : '';
  const on = edges.length === 4 ? 'all four edges' : edges.length ? edges.join(' and ') : 'opposite edges';
  return `A uniform ${grey}band on ${on} (a border or letterbox) — a minor edit, not a reason to exclude.${share(d.photosWith, d.photosSampled)}`;
}

// The watermark check for one account: estimate per orientation group, then find which photos carry the mark.
import { detectPhotoBorder } from './border.ts';
import { photoHasLines } from './lines.ts';
import { verdictFor, type WatermarkConfig } from './config.ts';
import { estimateWatermark, toBox, type WatermarkEstimate } from './estimate.ts';
import { decodeAll, groupByOrientation, type FrameGroup, type PhotoRef } from './frame.ts';
import { gradients, type Gradients } from './gradients.ts';
import { markTemplate, matchPhoto, type MarkTemplate } from './match.ts';
import { createRng } from './random.ts';
import { summariseBorder } from './summary.ts';
import { transferMark } from './transfer.ts';
import type { BorderReport, Box, Orientation } from './types.ts';

export type PhotoOutcome = {
  id: string;
  orientation: Orientation;
  /**
   * unassessed: its orientation group had too few photos for an estimate; skipped: beyond the sample
   * in an account with neither mark nor border, so there was nothing to look for.
   */
  status: 'ok' | 'error' | 'unassessed' | 'skipped';
  error?: string;
  sampled: boolean;
  /** Correlation with the group's estimated watermark; null when the group has none. */
  correlation: number | null;
  carries: boolean;
  /** A uniform band or the account's frame lines. */
  border: boolean;
  /** A uniform band of its own (used to summarise the account's border). */
  band: ReturnType<typeof detectPhotoBorder>;
  framed: boolean;
  /** Set when the correlation is with the other orientation's estimate carried into this photo's frame. */
  transferredFrom?: Orientation;
};

export type GroupOutcome = {
  group: FrameGroup;
  estimate: WatermarkEstimate;
  sampled: number;
  hasMark: boolean;
  /** What its photos are matched with: its own mark, or (transferredFrom set) the other orientation's carried over. */
  template: MarkTemplate | null;
  transferredFrom?: Orientation;
};

/**
 * An orientation group's examined photos, settled once the best group is known: matched with the group's own mark,
 * or (too few photos for a median, no mark of its own, or one elsewhere) with the best group's mark carried over.
 */
type Borrower = {
  group: FrameGroup;
  seen: PhotoOutcome[];
  mags: (Gradients | null)[];
  own: GroupOutcome | null;
};

export type AccountOutcome = {
  nsid: string;
  score: number;
  verdict: 'pass' | 'fail' | 'uncertain';
  /** The group whose estimate gave the score. */
  best: GroupOutcome | null;
  groups: GroupOutcome[];
  border: BorderReport | null;
  photos: PhotoOutcome[];
  photosWith: number;
  photosChecked: number;
  photosSampled: number;
};

export type DetectOptions = { signal?: AbortSignal; matchAll?: boolean };

/** Smallest orientation group worth a median (the account as a whole must have config.minPhotos). */
export function minGroupSize(config: WatermarkConfig): number {
  return Math.max(5, Math.ceil(config.minPhotos * 0.75));
}

/** Decodes photos, computes their gradients and fills in their per-photo evidence. */
async function examine(
  refs: PhotoRef[],
  group: FrameGroup,
  sampled: boolean,
): Promise<{ outcomes: PhotoOutcome[]; mags: (Gradients | null)[] }> {
  const decoded = await decodeAll(refs, group.width, group.height);
  const mags: (Gradients | null)[] = [];
  const outcomes = decoded.map((d, i): PhotoOutcome => {
    const base = {
      id: refs[i].id,
      orientation: group.orientation,
      sampled,
      correlation: null,
      carries: false,
      border: false,
      band: null,
      framed: false,
    };
    if (!d.ok) {
      mags.push(null);
      return { ...base, status: 'error', error: d.error };
    }
    mags.push(gradients(d.gray));
    const band = detectPhotoBorder(d.gray);
    return { ...base, status: 'ok', band, border: band !== null };
  });
  return { outcomes, mags };
}

function applyMatch(
  outcomes: PhotoOutcome[],
  mags: (Gradients | null)[],
  est: WatermarkEstimate | null,
  template: MarkTemplate | null,
  config: WatermarkConfig,
  from?: Orientation,
): void {
  outcomes.forEach((o, i) => {
    const mag = mags[i];
    if (!mag) return;
    if (est) o.framed = photoHasLines(mag.mag, est.width, est.height, est.lines);
    if (!template) return;
    o.correlation = matchPhoto(template, mag);
    o.carries = o.correlation >= config.photoMatch;
    if (from) o.transferredFrom = from;
  });
}

const ownTemplate = (est: WatermarkEstimate, stack: Gradients[]): MarkTemplate | null =>
  est.boxPx ? markTemplate({ ...est, boxPx: est.boxPx }, stack) : null;

export function boxOverlap(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const union = a.w * a.h + b.w * b.h - ix * iy;
  return union > 0 ? (ix * iy) / union : 0;
}

/** Re-estimates from the photos that carry the mark: a sharper template when only some photos have it. */
function refine(
  est: WatermarkEstimate,
  outcomes: PhotoOutcome[],
  mags: (Gradients | null)[],
  min: number,
): WatermarkEstimate {
  const carriers = mags.filter((m, i): m is Gradients => m !== null && outcomes[i].carries);
  const ok = mags.filter((m) => m !== null).length;
  if (carriers.length < min || carriers.length === ok || !est.boxPx) return est;
  const sharper = estimateWatermark(carriers, est.width, est.height);
  // Fewer photos make a noisier median: keep the sharper template only if it finds the same mark.
  if (!sharper.box || !est.box || boxOverlap(sharper.box, est.box) < 0.5) return est;
  // The account's score stays the unbiased first estimate; only the template and box are taken.
  return { ...sharper, score: est.score, features: est.features, photos: est.photos };
}

export async function detectAccount(
  nsid: string,
  photos: PhotoRef[],
  config: WatermarkConfig,
  opts: DetectOptions = {},
): Promise<AccountOutcome> {
  const min = minGroupSize(config);
  const groups: GroupOutcome[] = [];
  const outcomes: PhotoOutcome[] = [];
  const rest: { refs: PhotoRef[]; group: GroupOutcome }[] = [];
  const borrowers: Borrower[] = [];
  for (const group of groupByOrientation(photos)) {
    opts.signal?.throwIfAborted();
    // Sorted first, so the sample (and the result) does not depend on the order photos were listed in.
    const sorted = [...group.photos].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const order = createRng(`${nsid}:${group.orientation}`).shuffle(sorted);
    const sample = order.slice(0, config.sample);
    const skip = (refs: PhotoRef[]) =>
      refs.map(
        (r): PhotoOutcome => ({
          id: r.id,
          orientation: group.orientation,
          status: 'unassessed',
          sampled: false,
          correlation: null,
          carries: false,
          border: false,
          band: null,
          framed: false,
        }),
      );
    if (group.photos.length < min) {
      // Decoded now (a few photos), matched once another orientation has given a mark to look for.
      const { outcomes: seen, mags } = await examine(sample, group, false);
      borrowers.push({ group, seen, mags, own: null });
      continue;
    }
    const { outcomes: seen, mags } = await examine(sample, group, true);
    const usable = mags.filter((m): m is Gradients => m !== null);
    if (usable.length < min) {
      outcomes.push(...seen, ...skip(order.slice(config.sample)));
      continue;
    }
    let estimate = estimateWatermark(usable, group.width, group.height);
    const hasMark = estimate.score >= config.uncertain;
    let template = hasMark ? ownTemplate(estimate, usable) : null;
    applyMatch(seen, mags, estimate, template, config);
    if (template) {
      estimate = refine(estimate, seen, mags, min);
      template = ownTemplate(estimate, usable);
      applyMatch(seen, mags, estimate, template, config);
    }
    const outcome: GroupOutcome = { group, estimate, sampled: usable.length, hasMark, template };
    groups.push(outcome);
    // Every group waits for the best one: a group whose own "mark" is elsewhere than the best's may borrow it.
    borrowers.push({ group, seen, mags, own: outcome });
    if (order.length > sample.length) rest.push({ refs: order.slice(sample.length), group: outcome });
  }
  const best = groups.reduce<GroupOutcome | null>(
    (b, g) => (!b || g.estimate.score > b.estimate.score ? g : b),
    null,
  );
  const score = best ? best.estimate.score : 0;
  for (const b of borrowers) {
    if (b.own && (b.own === best || !best?.template)) {
      outcomes.push(...b.seen);
      continue;
    }
    const from = best?.template ? best.group.orientation : undefined;
    const mark = best?.template
      ? transferMark(
          best.template,
          b.group.width,
          b.group.height,
          b.mags.filter((m): m is Gradients => m !== null),
        )
      : null;
    // A weaker group's own estimate that sits where the best mark, carried over, does not is scene structure
    // its photos share (a series of one subject), not the account's mark: its photos are matched with the carried one.
    if (
      b.own?.template &&
      mark &&
      boxOverlap(
        toBox(b.own.template.boxPx, b.group.width, b.group.height),
        toBox(mark.boxPx, b.group.width, b.group.height),
      ) >= 0.3
    ) {
      outcomes.push(...b.seen);
      continue;
    }
    if (b.own && mark) Object.assign(b.own, { template: mark, transferredFrom: from });
    if (mark) applyMatch(b.seen, b.mags, null, mark, config, from);
    // Photos of a small group that nothing could be looked for in stay unassessed.
    else if (!b.own) for (const o of b.seen) if (o.status === 'ok') o.status = 'unassessed';
    outcomes.push(...b.seen);
  }
  const sampledOutcomes = outcomes.filter((o) => o.sampled && o.status === 'ok');
  const border = summariseBorder(sampledOutcomes, groups);
  // Photos beyond the sample are examined only when there is something to attribute to them.
  for (const { refs, group } of rest) {
    if (!(opts.matchAll ?? true) || (!group.template && !border)) {
      outcomes.push(
        ...refs.map(
          (r): PhotoOutcome => ({
            id: r.id,
            orientation: group.group.orientation,
            status: 'skipped',
            sampled: false,
            correlation: null,
            carries: false,
            border: false,
            band: null,
            framed: false,
          }),
        ),
      );
      continue;
    }
    for (let i = 0; i < refs.length; i += config.sample) {
      opts.signal?.throwIfAborted();
      const { outcomes: seen, mags } = await examine(refs.slice(i, i + config.sample), group.group, false);
      applyMatch(seen, mags, group.estimate, group.template, config, group.transferredFrom);
      outcomes.push(...seen);
    }
  }
  if (border?.kind === 'frame') for (const o of outcomes) o.border = o.border || o.framed;
  else for (const o of outcomes) o.border = o.band !== null;
  const checked = outcomes.filter((o) => o.correlation !== null);
  return {
    nsid,
    score,
    verdict: verdictFor(score, config),
    best,
    groups,
    border,
    photos: outcomes,
    photosWith: checked.filter((o) => o.carries).length,
    photosChecked: checked.length,
    photosSampled: sampledOutcomes.length,
  };
}

// Summarises what the sampled photos have along their edges into one account-level border or frame report.
import { median } from '../../lib/stats/median.ts';
import type { PhotoBorder } from './border.ts';
import type { WatermarkEstimate } from './estimate.ts';
import type { FrameGroup } from './frame.ts';
import type { BorderReport, Orientation } from './types.ts';

// What the summary reads of detect.ts's photo and group outcomes, named here so detect.ts (which calls the summary)
// and this module do not import each other.
type PhotoOutcome = { orientation: Orientation; band: PhotoBorder | null; framed: boolean };
type GroupOutcome = { group: FrameGroup; estimate: Pick<WatermarkEstimate, 'lines'> };

const round = (v: number) => Math.round(v * 1000) / 1000;

/** A border when most sampled photos have a uniform band; else a frame when most follow the same lines. */
export function summariseBorder(sampled: PhotoOutcome[], groups: GroupOutcome[]): BorderReport | null {
  if (sampled.length === 0) return null;
  const dims = new Map(groups.map((g) => [g.group.orientation, g.group]));
  const banded = sampled.filter((o) => o.band !== null);
  if (banded.length >= 3 && banded.length * 2 >= sampled.length) {
    const frac = (pick: (o: PhotoOutcome) => number, dim: 'width' | 'height') =>
      round(median(banded.map((o) => pick(o) / (dims.get(o.orientation)?.[dim] ?? 1))));
    return {
      kind: 'border',
      sides: {
        top: frac((o) => o.band?.top ?? 0, 'height'),
        right: frac((o) => o.band?.right ?? 0, 'width'),
        bottom: frac((o) => o.band?.bottom ?? 0, 'height'),
        left: frac((o) => o.band?.left ?? 0, 'width'),
      },
      color: Math.round(median(banded.map((o) => o.band?.color ?? 0))),
      photosWith: banded.length,
      photosSampled: sampled.length,
    };
  }
  let report: BorderReport | null = null;
  for (const g of groups) {
    if (g.estimate.lines.length === 0) continue;
    const members = sampled.filter((o) => o.orientation === g.group.orientation);
    const framed = members.filter((o) => o.framed).length;
    if (framed * 2 < members.length || (report && report.photosWith >= framed)) continue;
    report = {
      kind: 'frame',
      lines: g.estimate.lines.map((l) => ({
        axis: l.axis,
        pos: round(l.px / (l.axis === 'h' ? g.group.height : g.group.width)),
      })),
      photosWith: framed,
      photosSampled: sampled.length,
    };
  }
  return report;
}

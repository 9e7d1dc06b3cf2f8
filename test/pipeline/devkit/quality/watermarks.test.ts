// Acceptance on a small generated population: account and photo verdicts, borders, and the box on the planted mark.
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuality, type QualityReport } from '../../../../pipeline/devkit/quality/watermarks.ts';

describe('watermark detection on generated accounts', () => {
  let report: QualityReport;
  beforeAll(async () => {
    report = await evaluateQuality({ accounts: 16, seed: 'vitest', photos: { min: 12, max: 18 }, size: 384 });
  });

  // Faint marks (opacity 0.25–0.6) at any corner, portrait-heavy and portrait-poor accounts.
  it('finds watermarked accounts: all reach review flagged, fail never wrongly', () => {
    expect(report.accountFail.tp + report.accountFail.fn).toBe(7);
    expect(report.accountFlagged.recall).toBeGreaterThanOrEqual(0.9);
    expect(report.accountFail.recall).toBeGreaterThanOrEqual(0.8);
    expect(report.accountFail.precision).toBeGreaterThanOrEqual(0.95);
    expect(report.accountFlagged.precision).toBeGreaterThanOrEqual(0.95);
  });

  it('finds which photos carry the mark, in both orientations: recall ≥ 0.95 at precision ≥ 0.95', () => {
    expect(report.photos.precision).toBeGreaterThanOrEqual(0.95);
    expect(report.photos.recall).toBeGreaterThanOrEqual(0.95);
  });

  it('reports borders and frames as such, never as watermarks', () => {
    expect(report.borders.accounts).toBe(3);
    expect(report.borders.reported).toBe(3);
    expect(report.borders.asWatermark).toBe(0);
    expect(report.borders.falseReports).toBe(0);
  });

  it('puts the box on the planted mark (IoU ≥ 0.5)', () => {
    expect(report.iou.count).toBe(report.accountFlagged.tp);
    expect(report.iou.atLeastHalf).toBe(report.iou.count);
  });
});
